#ifndef APPS_CC_BENCH_H_
#define APPS_CC_BENCH_H_

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "transport/link/link_model.h"
#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"

namespace comodal::apps {

struct CcBenchOptions {
  std::string profile = "geo-vsat";  // A built-in profile or a TOML file.
  bool all = false;                  // Every cc profile (CcBenchProfiles()).
  std::optional<double> duration_s;  // Unset: the profile's own length.
  std::string json;                  // Write the report here.
  std::optional<double> loss;        // Replaces the downlink's random loss (0..1).
  // The adaptive run without its loss repair (video FEC, audio RED and Opus in-band FEC): the
  // figure its protection is compared with.
  bool no_repair = false;
  uint64_t seed = 1;
  // Print the sender's rate and encoding-ladder decisions (logger engine.rate) as they happen.
  bool log_rate = false;
};

// The profiles `--all` runs, with the length each needs to show its event.
struct CcBenchProfile {
  std::string_view name;
  double duration_s;
};
std::span<const CcBenchProfile> CcBenchProfiles();

// What one run recorded: the input of the figures, kept apart from them so that the figures can
// be checked on records made by hand.
struct CcRunRecord {
  TimeDelta duration = TimeDelta::Zero();
  DataRate ladder_top = DataRate::Zero();  // The most the sender would send.
  struct Sample {
    TimeDelta at = TimeDelta::Zero();  // The end of the interval, since the start.
    DataRate capacity = DataRate::Zero();
    DataSize delivered = DataSize::Zero();  // Over the interval; probe padding not counted.
    DataRate target = DataRate::Zero();     // The congestion controller's, at the end.
  };
  TimeDelta sample_interval = TimeDelta::Millis(200);
  std::vector<Sample> samples;
  // The bottleneck queue's delay met by each media packet delivered (not the probe padding),
  // by delivery time since the start.
  struct QueueDelay {
    TimeDelta at = TimeDelta::Zero();
    TimeDelta delay = TimeDelta::Zero();
  };
  std::vector<QueueDelay> queue_delays;
  uint64_t media_packets = 0;              // Distinct media packets sent (audio and video RTP).
  uint64_t media_lost_first = 0;           // Their first transmission lost or dropped on the link.
  uint64_t media_unrepaired = 0;           // Never reached the receiver, by any copy.
  uint64_t queue_drops = 0;                // Every packet the bottleneck queue dropped.
  std::vector<TimeDelta> frames_rendered;  // Since the start.
  uint64_t freezes = 0;
  double audio_concealed_ratio = 0;
  // The video's path through the sender and receiver (frames encoded, dropped, the ladder's
  // steps, repairs, decoding): why the figures are what they are.
  nlohmann::json video_counters = nlohmann::json::object();
  // The audio jitter buffer's: what the concealed ratio is made of (frames lost, stretched
  // while the buffer grew, rebuilt from FEC or a RED copy).
  nlohmann::json audio_counters = nlohmann::json::object();
};

// The figures of one run (RFC 8868 §4 metrics; a figure that does not apply is unset).
struct CcMetrics {
  std::optional<double> utilization;
  std::optional<double> time_to_90pct_s;
  std::optional<double> queue_delay_ms_p50;
  std::optional<double> queue_delay_ms_p95;
  std::optional<double> drain_time_s;
  std::optional<double> loss_before_repair;
  std::optional<double> loss_after_repair;
  uint64_t queue_drops = 0;
  double freezes_per_min = 0;
  // When each freeze ended (the frame after the gap), since the start: to match them with the
  // link's events.
  std::vector<double> freeze_at_s;
  double audio_concealed_ratio = 0;
  std::optional<double> max_handover_rate_dip;
  std::optional<double> outage_resume_s;                // Link back -> first picture rendered.
  std::optional<double> outage_recovery_s;              // Link back -> 90 % of the rate before it.
  std::vector<std::array<double, 3>> rate_series_kbps;  // [t s, capacity, delivered].
  // [t s, the longest queuing delay met by a media packet delivered in the interval, ms].
  std::vector<std::array<double, 2>> queue_delay_series_ms;
  nlohmann::json video_counters = nlohmann::json::object();  // CcRunRecord's, carried over.
  nlohmann::json audio_counters = nlohmann::json::object();  // Likewise.
};

// Definitions (docs/performance.md repeats them):
// - the reference rate of an interval is min(capacity, ladder top): the most the sender could
//   use; utilisation is delivered / reference over the intervals after `steady_from` with
//   capacity (outages left out);
// - time to 90 %: the first time the delivered rate over the last second reaches 90 % of the
//   reference over that second;
// - drain time: after each capacity drop (below 80 % of the interval before), until the first
//   media packet from which on, for a second, none meets a queue of 150 ms; the longest;
// - handover dip: for each handover, 1 - the lowest target within 5 s after it / the target
//   before it; the largest;
// - outage recovery: from the end of each outage, the first picture rendered, and the first
//   second whose delivered rate reaches 90 % of the 10 s before the outage; the longest.
CcMetrics ComputeCcMetrics(const CcRunRecord& record, const link::LinkDirectionConfig& downlink,
                           TimeDelta steady_from = TimeDelta::Seconds(15));
nlohmann::json CcMetricsJson(const CcMetrics& metrics);

// `comodal bench cc`: one sender/receiver pair (audio, and the zone plate as video) over the
// profile's emulated link in simulated time, once with congestion control and once at a fixed
// rate (90 % of the starting capacity, at most the top of the ladder: what a plain RTP pipeline
// configured for the link sends), figures side by side.
// Exit status: 0 done, 2 bad arguments, 1 the report could not be written.
int RunCcBench(const CcBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace comodal::apps

#endif  // APPS_CC_BENCH_H_
