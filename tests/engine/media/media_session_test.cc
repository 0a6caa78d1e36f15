// A whole media session (sender at the hub, receiver at a site) over the emulated links of
// docs/link-profiles.md, in simulated time: latency the engine adds, loss handling, lip sync.
#include <gtest/gtest.h>

#include "apps/link_profile.h"
#include "tests/support/media_simulation.h"

namespace comodal::testing {
namespace {

MediaSimulationConfig SessionOver(const char* profile_name, TimeDelta duration) {
  auto profile = apps::LoadLinkProfile(profile_name);
  EXPECT_TRUE(profile.ok()) << profile.error();
  MediaSimulationConfig config;
  config.downlink = profile->downlink;
  config.uplink = profile->uplink;
  config.duration = duration;
  config.sender.video->width = 640;
  config.sender.video->height = 360;
  config.sender.video->target_bitrate = DataRate::KilobitsPerSec(600);
  config.sender.video->layering = engine::TemporalLayering::kL1T3;
  return config;
}

void Print(const char* what, const MediaSimulationResult& r) {
  std::printf(
      "%s: audio engine p50/p95 %.1f/%.1f ms total p95 %.1f | video engine p50/p95 %.1f/%.1f ms "
      "total p95 %.1f link p95 %.1f | concealed %.4f fec %llu | frames %llu/%llu rendered, "
      "freezes %llu longest gap %.0f ms | jb %.0f ms render %.0f ms | av offset %.1f ms\n",
      what, r.audio_engine_latency.Percentile(0.5).ms_f(),
      r.audio_engine_latency.Percentile(0.95).ms_f(), r.audio_total_latency.Percentile(0.95).ms_f(),
      r.video_engine_latency.Percentile(0.5).ms_f(), r.video_engine_latency.Percentile(0.95).ms_f(),
      r.video_total_latency.Percentile(0.95).ms_f(), r.video_link_delay.Percentile(0.95).ms_f(),
      r.receiver.audio_concealed_ratio(),
      static_cast<unsigned long long>(r.receiver.audio_samples_fec),
      static_cast<unsigned long long>(r.receiver.video_frames_rendered),
      static_cast<unsigned long long>(r.sender.video_frames_encoded),
      static_cast<unsigned long long>(r.receiver.freezes), r.receiver.longest_frame_gap.ms_f(),
      r.receiver.audio_jitter_buffer_target.ms_f(), r.receiver.video_render_delay.ms_f(),
      r.receiver.av_sync_offset ? r.receiver.av_sync_offset->ms_f() : -1.0);
  const auto& jb = r.receiver.audio_jitter_buffer_stats;
  std::printf(
      "  jitter buffer: in %llu late %llu dec %llu fec %llu conceal %llu stretch %llu skip %llu cn "
      "%llu; sender dtx %llu\n",
      (unsigned long long)jb.packets_inserted, (unsigned long long)jb.packets_late,
      (unsigned long long)jb.frames_decoded, (unsigned long long)jb.frames_fec,
      (unsigned long long)jb.frames_concealed, (unsigned long long)jb.frames_stretched,
      (unsigned long long)jb.frames_skipped, (unsigned long long)jb.frames_comfort_noise,
      (unsigned long long)r.sender.audio_frames_dtx);
  std::printf("  video: unresolved %llu skipped %llu\n",
              (unsigned long long)r.receiver.video_frames_unresolved,
              (unsigned long long)r.receiver.video_frames_skipped);
  std::printf(
      "  video: packets %llu assembled %llu decoded %llu rendered %llu errors %llu plis %llu nacks "
      "%llu\n",
      (unsigned long long)r.receiver.video_packets,
      (unsigned long long)r.receiver.video_frames_assembled,
      (unsigned long long)r.receiver.video_frames_decoded,
      (unsigned long long)r.receiver.video_frames_rendered,
      (unsigned long long)r.receiver.video_decode_errors, (unsigned long long)r.receiver.plis_sent,
      (unsigned long long)r.receiver.nacks_sent);
}

TEST(MediaSessionTest, EngineAddsLittleLatencyOnTheLan) {
  const MediaSimulationResult r = RunMediaSimulation(SessionOver("lan", TimeDelta::Seconds(20)));
  Print("lan", r);
  ASSERT_GT(r.audio_engine_latency.count(), 700u);  // Speech frames; pauses are DTX.
  ASSERT_GT(r.video_engine_latency.count(), 550u);
  EXPECT_LE(r.audio_engine_latency.Percentile(0.95), TimeDelta::Millis(40));
  EXPECT_LE(r.video_engine_latency.Percentile(0.95), TimeDelta::Millis(60));
  EXPECT_EQ(r.receiver.freezes, 0u);
  EXPECT_LT(r.receiver.audio_concealed_ratio(), 0.005);
}

}  // namespace
}  // namespace comodal::testing
