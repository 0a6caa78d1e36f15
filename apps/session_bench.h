#ifndef APPS_SESSION_BENCH_H_
#define APPS_SESSION_BENCH_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace comodal::apps {

struct SessionBenchOptions {
  std::string profile = "geo-vsat";  // A built-in profile or a TOML file.
  int sites = 3;
  std::string json;                      // Write the report here.
  std::optional<double> outage_min;      // Site 0's outage length, from the profile's start.
  std::optional<double> duration_s;      // The lesson's length (default 600 s).
  uint64_t offline_operations = 10'000;  // Made at the cut-off site during its outage.
  double offline_blob_mb = 50;           // Photos taken there meanwhile (megabytes, 10^6).
  int offline_blobs = 25;
  double bulk_share = 0.5;  // Of the congestion controller's target.
  uint64_t seed = 1;
  std::string store_dir;  // Default: a fresh directory under the system's temporary one.
};

// `comodal bench session`: a scripted lesson in simulated time over the emulated link
// (session/sim/lesson_simulation.h). Prints a table, writes the JSON report if asked. Returns
// the process exit code.
int RunSessionBench(const SessionBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace comodal::apps

#endif  // APPS_SESSION_BENCH_H_
