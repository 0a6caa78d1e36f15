#include "apps/satlink.h"

#include <csignal>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "apps/file_io.h"
#include "apps/link_profile.h"
#include "apps/stop_conditions.h"

namespace comodal::apps {
namespace {

nlohmann::json DirectionJson(const link::SatLinkRelay::Direction& direction) {
  const link::LinkStats& s = *direction.stats;
  nlohmann::json kbps = nlohmann::json::array();
  for (int64_t bytes : s.delivered_bytes_by_second) kbps.push_back(bytes * 8 / 1000.0);
  const uint64_t dropped = s.dropped_queue + s.dropped_loss + s.dropped_handover + s.dropped_outage;
  nlohmann::json d = {
      {"packets_in", s.packets_in},
      {"packets_out", s.packets_out},
      {"dropped_queue", s.dropped_queue},
      // Random loss and handover loss bursts alike: both are the link losing packets.
      {"dropped_loss", s.dropped_loss + s.dropped_handover},
      {"dropped_outage", s.dropped_outage},
      {"delay_ms_min", s.packets_out > 0 ? nlohmann::json(s.delay_min.ms_f()) : nlohmann::json()},
      {"queue_delay_ms_p50", s.queue_delay.Percentile(0.50).ms_f()},
      {"queue_delay_ms_p95", s.queue_delay.Percentile(0.95).ms_f()},
      {"queue_delay_ms_max", s.packets_out > 0 ? s.queue_delay.max().ms_f() : 0.0},
      {"delivered_kbps_by_second", kbps},
      // Beyond the required fields: what makes the numbers above add up, and how faithfully the
      // relay kept the model's timing.
      {"dropped_aqm", s.dropped_aqm},
      {"dropped_handover", s.dropped_handover},
      {"handovers", s.handovers},
      {"in_flight_at_exit", s.packets_in - s.packets_out - dropped},
      {"send_errors", direction.send_errors},
      {"scheduling_error_ms_p50", direction.scheduling_error.Percentile(0.50).ms_f()},
      {"scheduling_error_ms_p95", direction.scheduling_error.Percentile(0.95).ms_f()},
      {"scheduling_error_ms_p99", direction.scheduling_error.Percentile(0.99).ms_f()},
      {"scheduling_error_ms_max",
       direction.scheduling_error.count() > 0 ? direction.scheduling_error.max().ms_f() : 0.0},
  };
  return d;
}

}  // namespace

nlohmann::json SatlinkStatsJson(const std::string& profile, const link::SatLinkRelay& relay) {
  return {{"profile", profile},
          {"uplink", DirectionJson(relay.uplink())},
          {"downlink", DirectionJson(relay.downlink())}};
}

int ListProfiles(std::ostream& out, std::ostream& err) {
  for (const BuiltinProfileText& builtin : BuiltinProfiles()) {
    auto profile = LoadLinkProfile(builtin.name);
    if (!profile.ok()) {
      err << "comodal satlink: " << profile.error() << "\n";
      return 1;
    }
    out << fmt::format("{:<14} {}\n{:<14} {}\n", profile->name, profile->description, "",
                       SummarizeProfile(*profile));
  }
  return 0;
}

int RunSatlink(const SatlinkOptions& options, std::ostream& out, std::ostream& err) {
  auto profile = LoadLinkProfile(options.profile);
  if (!profile.ok()) {
    err << "comodal satlink: " << profile.error() << "\n";
    return 2;
  }
  auto listen = SocketAddress::Parse(options.listen);
  if (!listen.ok()) {
    err << "comodal satlink: --listen: " << listen.error() << "\n";
    return 2;
  }
  auto forward = SocketAddress::Parse(options.forward);
  if (!forward.ok()) {
    err << "comodal satlink: --forward: " << forward.error() << "\n";
    return 2;
  }
  if (forward->port == 0) {
    err << "comodal satlink: --forward: port 0 is not a destination\n";
    return 2;
  }
  if (!ValidDuration(options.duration_s, "satlink", err)) return 2;

  AsioScheduler scheduler;
  auto relay = link::SatLinkRelay::Open(
      scheduler, {*listen, *forward, profile->uplink, profile->downlink, options.seed});
  if (!relay.ok()) {
    err << "comodal satlink: " << relay.error() << "\n";
    return 1;
  }
  const StopConditions stop(scheduler, options.duration_s);
  out << fmt::format(
             "satlink: profile {} ({}); site side listening on {}, hub {} (sent from {}); seed {}",
             profile->name, profile->source, (*relay)->listen_address().ToString(),
             forward->ToString(), (*relay)->hub_side_address().ToString(), options.seed)
      << std::endl;
  scheduler.Run();

  const nlohmann::json stats = SatlinkStatsJson(profile->name, **relay);
  const auto& up = stats["uplink"];
  const auto& down = stats["downlink"];
  out << fmt::format("satlink: stopped ({}); uplink {} in / {} out, downlink {} in / {} out\n",
                     stop.reason(), up["packets_in"].get<uint64_t>(),
                     up["packets_out"].get<uint64_t>(), down["packets_in"].get<uint64_t>(),
                     down["packets_out"].get<uint64_t>());
  if (!options.stats_json.empty()) {
    std::string error;
    if (!WriteFileAtomically(options.stats_json, stats.dump(2) + "\n", error)) {
      err << "comodal satlink: " << error << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace comodal::apps
