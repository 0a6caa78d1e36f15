#include "apps/session_bench.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "apps/file_io.h"
#include "apps/link_profile.h"
#include "session/sim/lesson_simulation.h"

namespace comodal::apps {
namespace {

double Ms(TimeDelta value) { return value.ms_f(); }

double CutSeconds(const session::LessonSimulationResult& r) {
  return r.blob_cut ? (r.blob_cut->end - r.blob_cut->start).seconds_f() : 0;
}

nlohmann::json OptionalSeconds(const std::optional<TimeDelta>& value) {
  return value ? nlohmann::json(value->seconds_f()) : nlohmann::json();
}

}  // namespace

int RunSessionBench(const SessionBenchOptions& options, std::ostream& out, std::ostream& err) {
  if (options.sites < 1 || options.sites > 30) {
    err << "comodal bench session: --sites must be 1 to 30, got " << options.sites << "\n";
    return 2;
  }
  if (options.outage_min && !(*options.outage_min > 0 && *options.outage_min <= 24 * 60)) {
    err << "comodal bench session: --outage-min must be above 0 and at most 1440, got "
        << *options.outage_min << "\n";
    return 2;
  }
  if (options.duration_s && !(*options.duration_s >= 10 && *options.duration_s <= 86'400)) {
    err << "comodal bench session: --duration must be 10 to 86400 s, got " << *options.duration_s
        << "\n";
    return 2;
  }
  if (!(options.offline_blob_mb >= 0 && options.offline_blob_mb <= 4000)) {
    err << "comodal bench session: --offline-blob-mb must be 0 to 4000, got "
        << options.offline_blob_mb << "\n";
    return 2;
  }
  if (!(options.bulk_share > 0 && options.bulk_share <= 1)) {
    err << "comodal bench session: --bulk-share must be above 0 and at most 1, got "
        << options.bulk_share << "\n";
    return 2;
  }
  Result<LinkProfile, std::string> profile = LoadLinkProfile(options.profile);
  if (!profile.ok()) {
    err << "comodal bench session: --profile: " << profile.error() << "\n";
    return 2;
  }

  session::LessonSimulationConfig config;
  config.uplink = profile->uplink;
  config.downlink = profile->downlink;
  config.sites = options.sites;
  config.seed = options.seed;
  config.offline_operations = options.offline_operations;
  config.bulk_share = options.bulk_share;
  config.offline_blobs = options.offline_blobs;
  config.offline_blob_bytes = static_cast<uint64_t>(std::llround(options.offline_blob_mb * 1e6));
  // Long enough for 50 MB up a 256 kbit/s link at half of it, and the cut.
  config.settle_limit = TimeDelta::Seconds(4 * 3600);
  if (options.duration_s) {
    config.duration = TimeDelta::Millis(std::llround(*options.duration_s * 1000));
  }
  // The profile's blackout (or, with --outage-min, one of that length from the same start, 2
  // minutes into the lesson without one) cuts off one site only.
  std::optional<link::OutageWindow> outage;
  if (!profile->downlink.outages.empty()) outage = profile->downlink.outages.front();
  if (options.outage_min) {
    const TimeDelta start = outage ? outage->start : TimeDelta::Seconds(120);
    outage = link::OutageWindow{
        start, start + TimeDelta::Millis(std::llround(*options.outage_min * 60'000))};
  }
  config.outage = outage;

  std::filesystem::path store_dir = options.store_dir;
  const bool own_dir = store_dir.empty();
  if (own_dir) {
    store_dir = std::filesystem::temp_directory_path() /
                ("comodal-bench-session-" + std::to_string(::getpid()));
  }
  config.store_dir = store_dir.string();

  const auto wall_start = std::chrono::steady_clock::now();
  Result<session::LessonSimulationResult, std::string> run = session::RunLessonSimulation(config);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (own_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(store_dir, ignored);
  }
  if (!run.ok()) {
    err << "comodal bench session: " << run.error() << "\n";
    return 1;
  }
  const session::LessonSimulationResult& r = *run;
  const double propagation_p95 = Ms(r.propagation.Percentile(0.95));
  const double clock_p95 = Ms(r.clock_offset_error.Percentile(0.95));

  out << std::fixed << std::setprecision(1);
  out << "session bench: " << profile->name << ", " << options.sites << " sites, "
      << r.simulated.seconds_f() << " s simulated in " << wall_s << " s\n";
  out << "  operations acknowledged   " << r.ops_total << " (lost " << r.ops_lost << ", duplicated "
      << r.ops_duplicated << ", refused by the script's own replica " << r.ops_refused << ")\n";
  out << "  replicas identical        " << (r.replicas_identical ? "yes" : "NO") << "\n";
  out << "  teacher -> site p50/p95/max " << Ms(r.propagation.Percentile(0.5)) << " / "
      << propagation_p95 << " / " << Ms(r.propagation.max()) << " ms (" << r.propagation.count()
      << " deliveries; one-way delay " << Ms(r.one_way_delay)
      << " ms, target p95 <= " << Ms(r.one_way_delay) + 50 << ")\n";
  out << "  shared clock error p95/max " << clock_p95 << " / " << Ms(r.clock_offset_error.max())
      << " ms (" << r.clock_offset_error.count() << " samples)\n";
  out << "  audio site -> hub p95     " << Ms(r.audio_uplink.Percentile(0.95)) << " ms\n";
  out << "  deck pre-positioned       "
      << (r.deck_prepositioned ? std::to_string(r.deck_prepositioned->seconds_f()) + " s"
                               : std::string("NOT DONE"))
      << " after the start, at every site\n";
  if (config.outage) {
    out << "  site 0 offline            " << (config.outage->end - config.outage->start).seconds_f()
        << " s, " << r.offline_ops << " operations made offline\n";
    out << "  resync hub <-> site 0     "
        << (r.resync ? std::to_string(r.resync->seconds_f()) + " s" : std::string("NOT DONE"))
        << " (allowance " << r.resync_allowance.seconds_f() << " s: 5 RTT + "
        << r.resync_uplink_bulk.bytes() << " bulk bytes up at " << options.bulk_share
        << " of the mean target " << r.resync_uplink_target.kbps_f() << " kbit/s; "
        << r.resync_allowance_capacity.seconds_f() << " s at that share of the capacity), "
        << r.resync_bytes.bytes() << " bytes both ways\n";
    out << "  resync every site         "
        << (r.resync_all ? std::to_string(r.resync_all->seconds_f()) + " s"
                         : std::string("NOT DONE"))
        << "\n";
    out << "  photos site 0 -> hub      " << r.blob_bytes << " bytes in " << r.blob_chunks_total
        << " chunks, "
        << (r.blob_transfer
                ? std::to_string(r.blob_transfer->seconds_f()) + " s after the link's return"
                : std::string("NOT DONE"))
        << "; cut at " << std::setprecision(0) << r.blob_fraction_at_cut * 100
        << std::setprecision(1) << " % for " << CutSeconds(r) << " s; chunks sent "
        << r.blob_chunks_sent << ", received twice " << r.blob_chunks_duplicate << ", intact "
        << (r.blobs_intact ? "yes" : "NO") << "\n";
    out << "  audio site 0 -> hub p95 during resync "
        << Ms(r.audio_uplink_during_resync.Percentile(0.95)) << " ms ("
        << r.audio_uplink_during_resync.count() << " packets); from 5 s after the return "
        << Ms(r.audio_uplink_during_resync_after_5s.Percentile(0.95)) << " ms\n";
  }

  if (!options.json.empty()) {
    nlohmann::json report = {
        {"profile", profile->name},
        {"sites", options.sites},
        {"seed", options.seed},
        {"ops_total", r.ops_total},
        {"ops_lost", r.ops_lost},
        {"ops_duplicated", r.ops_duplicated},
        {"replicas_identical", r.replicas_identical},
        {"propagation_ms_p50", Ms(r.propagation.Percentile(0.5))},
        {"propagation_ms_p95", propagation_p95},
        {"propagation_ms_max", Ms(r.propagation.max())},
        {"one_way_delay_ms", Ms(r.one_way_delay)},
        {"resync_s", OptionalSeconds(r.resync)},
        {"resync_all_sites_s", OptionalSeconds(r.resync_all)},
        {"resync_allowance_s", r.resync_allowance.seconds_f()},
        {"resync_allowance_at_capacity_s", r.resync_allowance_capacity.seconds_f()},
        {"resync_uplink_bulk_bytes", r.resync_uplink_bulk.bytes()},
        {"resync_uplink_target_kbps", r.resync_uplink_target.kbps_f()},
        {"bulk_share", options.bulk_share},
        {"resync_bytes", r.resync_bytes.bytes()},
        {"offline_ops", r.offline_ops},
        {"clock_offset_ms_p95", clock_p95},
        {"clock_offset_ms_max", Ms(r.clock_offset_error.max())},
        {"audio_uplink_ms_p95", Ms(r.audio_uplink.Percentile(0.95))},
        {"audio_uplink_during_resync_ms_p95", Ms(r.audio_uplink_during_resync.Percentile(0.95))},
        {"audio_uplink_during_resync_after_5s_ms_p95",
         Ms(r.audio_uplink_during_resync_after_5s.Percentile(0.95))},
        {"messages_refused", r.messages_refused},
        {"blob_bytes", r.blob_bytes},
        {"blob_transfer_s", OptionalSeconds(r.blob_transfer)},
        {"blob_fraction_at_cut", r.blob_fraction_at_cut},
        {"blob_chunks_total", r.blob_chunks_total},
        {"blob_chunks_sent", r.blob_chunks_sent},
        {"blob_chunks_received_twice", r.blob_chunks_duplicate},
        {"blob_resumed_without_resend", r.blob_resumed_without_resend},
        {"deck_prepositioned_s", OptionalSeconds(r.deck_prepositioned)},
        {"simulated_s", r.simulated.seconds_f()}};
    if (config.outage) {
      report["outage_s"] = (config.outage->end - config.outage->start).seconds_f();
    }
    std::string error;
    if (!WriteFileAtomically(options.json, report.dump(1) + "\n", error)) {
      err << "comodal bench session: " << error << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace comodal::apps
