// A whole media session (sender at the hub, receiver at a site) over the emulated links of
// docs/link-profiles.md, in simulated time: latency the engine adds, loss handling, lip sync.
#include <gtest/gtest.h>

#include <algorithm>

#include "apps/link_profile.h"
#include "tests/support/media_simulation.h"
#include "transport/fec/fec_encoder.h"

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
  // The media engine at a fixed rate, as issue 4 measures it; congestion control's own effect
  // is measured by the congestion-control tests and `comodal bench cc`.
  config.sender.congestion_control = false;
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
  std::printf(
      "  sent %.0f kbit/s, link: in %llu out %llu dropped queue %llu loss %llu, queue delay p95 "
      "%.0f ms\n",
      r.sender.bytes_sent * 8.0 / r.simulated.seconds_f() / 1000,
      (unsigned long long)r.downlink.packets_in, (unsigned long long)r.downlink.packets_out,
      (unsigned long long)r.downlink.dropped_queue, (unsigned long long)r.downlink.dropped_loss,
      r.downlink.queue_delay.Percentile(0.95).ms_f());
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
  EXPECT_EQ(r.sender.retransmission_copies, 0u);  // A LAN round trip: one repair is enough.
}

// Over geo-vsat the total stays within the link's delay plus what the engine adds on the LAN plus
// the jitter buffer delay the link's delay variation requires. That variation is the profile's
// 0-5 ms jitter and the queue the stream's own keyframes build at 1 Mbit/s: the buffers cover the
// 97th percentile of it and no more. The video also waits for FEC groups of up to three frames,
// and lip sync holds the audio back to the video's delay: the audio's bound is the larger of its
// own and the video's total.
TEST(MediaSessionTest, OverGeoVsatTheTotalIsTheLinkPlusTheJitterCover) {
  const MediaSimulationResult r =
      RunMediaSimulation(SessionOver("geo-vsat", TimeDelta::Seconds(30)));
  Print("geo-vsat", r);
  ASSERT_GT(r.video_engine_latency.count(), 400u);
  ASSERT_GT(r.audio_engine_latency.count(), 1000u);
  const TimeDelta audio_jitter = r.audio_link_delay.Percentile(0.97) - r.audio_link_delay.min();
  const TimeDelta video_jitter = r.video_link_delay.Percentile(0.97) - r.video_link_delay.min();
  std::printf("  link delay variation p97: audio %.0f ms, video %.0f ms\n", audio_jitter.ms_f(),
              video_jitter.ms_f());
  EXPECT_LE(r.audio_total_latency.Percentile(0.95),
            std::max(r.audio_link_delay.Percentile(0.95) + TimeDelta::Millis(40) + audio_jitter,
                     r.video_total_latency.Percentile(0.95)));
  // Video is also held for its FEC: a Reed-Solomon group's first frame waits for the group's
  // last (up to reed_solomon_max_span of media) and its repair.
  const TimeDelta fec_group_span = TimeDelta::Micros(FlexfecSender::Config{}.reed_solomon_max_span *
                                                     int64_t{1'000'000} / 90'000);
  EXPECT_LE(
      r.video_total_latency.Percentile(0.95),
      r.video_link_delay.Percentile(0.95) + TimeDelta::Millis(60) + video_jitter + fec_group_span);
  // Lip sync (ITU-R BT.1359): within 45 ms.
  ASSERT_TRUE(r.receiver.av_sync_offset.has_value());
  EXPECT_LE(r.receiver.av_sync_offset->Abs(), TimeDelta::Millis(45));
  // Transport-wide feedback reaches the sender and accounts for every packet the link lost.
  std::printf("  transport feedback: %llu messages, %llu received, %llu lost\n",
              (unsigned long long)r.sender.transport_feedbacks,
              (unsigned long long)r.sender.feedback_packets_received,
              (unsigned long long)r.sender.feedback_packets_lost);
  EXPECT_EQ(r.sender.transport_feedbacks, r.receiver.transport_feedbacks_sent);
  // Except a loss among the last packets: no later arrival shows the gap (the sender's last FEC
  // repairs go out with its BYE).
  EXPECT_LE(r.sender.feedback_packets_lost, r.downlink.dropped_loss);
  EXPECT_GE(r.sender.feedback_packets_lost + 2, r.downlink.dropped_loss);
  EXPECT_GE(r.sender.feedback_packets_received + r.sender.feedback_packets_lost + 50,
            r.downlink.packets_in - r.sender.retransmissions - r.sender.retransmission_copies -
                r.sender.rtcp_sent);
}

// Concealment that stands for lost packets: concealed frames minus those played to stretch a
// buffer that ran dry (late packets, not lost ones), as a share of what was played.
double LossConcealedRatio(const MediaSimulationResult& r) {
  const auto& jb = r.receiver.audio_jitter_buffer_stats;
  const double stretched = static_cast<double>(jb.frames_stretched) * 960;
  return (static_cast<double>(r.receiver.audio_samples_concealed) - stretched) /
         static_cast<double>(r.receiver.audio_samples_played);
}

// 2 % random loss on geo-vsat. Driven by the loss the receiver reports, each audio packet carries
// a copy of the frame before (RED, RFC 2198), and Opus in-band FEC (LBRR) a coarser one: the
// loss concealment left is well under 2 %, and lower than without either. The total
// concealed ratio (docs/performance.md has both figures) also counts stretching when the buffer
// runs dry. Video keeps playing from FlexFEC (most lost packets are rebuilt with their frame's
// group, no round trip), temporal layers (every TL1 frame a layer sync), decodable-frame
// skipping, and NACK repairs a round trip later (600 ms here) for what FEC could not rebuild: the
// receiver waits for them rather than asking for a keyframe, shows the newest repaired picture at
// once, and the sender sends each repair twice, so that one lost repair does not cost a second
// round trip. Repairs travel as RTX, whose bytes differ from the original's (their own
// transport-wide number): they must not corrupt what FEC rebuilds.
TEST(MediaSessionTest, TwoPercentLossOnGeoVsat) {
  auto lossy = [](bool fec) {
    MediaSimulationConfig config = SessionOver("geo-vsat", TimeDelta::Seconds(60));
    config.downlink.loss = link::BernoulliLoss{0.02};
    config.sender.audio->fec = fec;
    config.sender.audio_red = fec;
    config.seed = 11;
    return RunMediaSimulation(config);
  };
  const MediaSimulationResult with_fec = lossy(true);
  const MediaSimulationResult without_fec = lossy(false);
  Print("geo-vsat 2% loss, audio RED and FEC on", with_fec);
  Print("geo-vsat 2% loss, audio RED and FEC off", without_fec);
  std::printf("  loss concealment: FEC on %.4f, FEC off %.4f\n", LossConcealedRatio(with_fec),
              LossConcealedRatio(without_fec));
  EXPECT_LE(LossConcealedRatio(with_fec), 0.02);
  EXPECT_GT(with_fec.sender.audio_red_packets, 2000u);
  EXPECT_GT(with_fec.receiver.audio_jitter_buffer_stats.redundant_used, 20u);
  EXPECT_EQ(without_fec.sender.audio_red_packets, 0u);
  EXPECT_EQ(without_fec.receiver.audio_samples_fec, 0u);
  EXPECT_LT(LossConcealedRatio(with_fec), LossConcealedRatio(without_fec));
  EXPECT_LE(with_fec.receiver.longest_frame_gap, TimeDelta::Seconds(1));
  EXPECT_GT(with_fec.receiver.packets_recovered, 50u);
  EXPECT_GT(with_fec.receiver.rtx_packets, 20u);
  EXPECT_EQ(with_fec.receiver.video_decode_errors, 0u);
  // Only what FEC could not rebuild waits a round trip, and those frames are shown late or not.
  EXPECT_GT(with_fec.receiver.video_frames_rendered,
            with_fec.sender.video_frames_encoded * 85 / 100);
  // Repairs, not keyframes: a keyframe is asked for only when a repair has failed twice.
  EXPECT_LE(with_fec.receiver.plis_sent, 2u);
  // Retransmissions are asked for once FEC had its chance, so only for what it could not
  // rebuild; they go out twice once the sender knows the round trip (a few are asked for before).
  EXPECT_GT(with_fec.sender.retransmissions, 10u);
  EXPECT_LT(with_fec.sender.retransmissions, with_fec.receiver.packets_recovered);
  EXPECT_GE(with_fec.sender.retransmission_copies, with_fec.sender.retransmissions * 9 / 10);
  ASSERT_TRUE(with_fec.receiver.av_sync_offset.has_value());
  EXPECT_LE(with_fec.receiver.av_sync_offset->Abs(), TimeDelta::Millis(45));
  // Repairs and reordering are no sender restart.
  EXPECT_EQ(with_fec.receiver.streams_restarted, 0u);
  EXPECT_EQ(without_fec.receiver.streams_restarted, 0u);
}

// At 10 % loss the video's repair is sized from the loss the first feedback measures, not from
// a zero that only meant "not measured yet": smoothed up from zero, the estimate lagged the
// measure through the first keyframe and frames (a freeze at 1.7-1.9 s on several seeds of
// `comodal bench cc --loss 0.1`). Just after the first feedback (a GEO round trip and the
// feedback interval), the loss the repair is sized for averages 0.090 over six seeds; smoothed
// from zero, it was 0.061.
TEST(MediaSessionTest, TheFirstFeedbackSizesTheVideoRepair) {
  double sum = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    MediaSimulationConfig config = SessionOver("geo-vsat", TimeDelta::Millis(750));
    config.sender.congestion_control = true;
    config.downlink.loss = link::BernoulliLoss{0.10};
    config.seed = seed;
    sum += RunMediaSimulation(config).sender.fec_loss;
  }
  EXPECT_GE(sum / 6, 0.075);
}

}  // namespace
}  // namespace comodal::testing
