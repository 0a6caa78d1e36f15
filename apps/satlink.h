#ifndef APPS_SATLINK_H_
#define APPS_SATLINK_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "transport/link/satlink_relay.h"

namespace comodal::apps {

struct SatlinkOptions {
  std::string profile = "geo-vsat";
  std::string listen;
  std::string forward;
  uint64_t seed = 1;
  std::string stats_json;            // Empty: no file.
  std::optional<double> duration_s;  // Unset: until SIGINT/SIGTERM.
};

// `comodal satlink`: relays UDP between a site (listen side) and the hub (forward side) through
// the profile's uplink and downlink models until the duration ends or SIGINT/SIGTERM arrives,
// then writes per-direction stats. Returns the exit status (2: bad arguments or profile, 1:
// cannot bind or write the stats).
int RunSatlink(const SatlinkOptions& options, std::ostream& out, std::ostream& err);

// `comodal satlink --list`: the built-in profiles with their main figures.
int ListProfiles(std::ostream& out, std::ostream& err);

// The stats document: {"profile": .., "uplink": {..}, "downlink": {..}}.
nlohmann::json SatlinkStatsJson(const std::string& profile, const link::SatLinkRelay& relay);

}  // namespace comodal::apps

#endif  // APPS_SATLINK_H_
