// Video quality against rate over an emulated GEO link: a whole media session (MediaSender at
// the hub -> emulated `geo-vsat` downlink -> MediaReceiver at the site, RTCP back on the uplink,
// speech audio on the same transport) carries the moving zone plate of DESIGN.md at 640x360@30
// for 30 s of simulated time, VP8 or VP9 with three temporal layers (L1T3, the teacher stream's
// layering) at a fixed target rate (no congestion control: the rate is what is asked for, so
// 1200 kbit/s does not fit the profile's 1 Mbit/s downlink, on purpose). The downlink's random
// loss is the profile's 0.5 %, 2 %, or none. Every rendered picture is compared with the picture
// that was sent, matched by capture time (the frame's identity on the wire, carried in the
// abs-capture-time extension). Seeds are fixed, so a run gives the same figures every time; one
// iteration is one session.
//
// Counters:
//   psnr_mean, psnr_min, ssim_mean  luma quality of the rendered pictures against those sent
//                  (pictures never rendered are not counted here, but in rendered_pct/freezes);
//   rendered_pct   pictures rendered / frames the sender sent (encoded), in %;
//   fps            pictures rendered per second of the clip;
//   dropped_pct    frames the encoder's rate control dropped / frames captured, in %;
//   freezes, gap_ms  freezes (a gap > max(3 x mean, mean + 150 ms)) and the longest frame gap;
//   send_kbps      everything the sender put on the link (RTP audio + video with headers,
//                  retransmissions, RTCP) over the clip's duration;
//   link_kbps      what the downlink delivered over the clip's duration;
//   link_lost, queue_drops  downlink packets lost at random and dropped by the full queue;
//   engine_p95_ms  video engine-added latency p95 (render - capture - the frame's time on the
//   link); plis, keyframes, nacks, rtx  repair activity.
#include <benchmark/benchmark.h>

#include <string>

#include "apps/link_profile.h"
#include "tests/support/media_simulation.h"

namespace comodal::testing {
namespace {

constexpr TimeDelta kClip = TimeDelta::Seconds(30);
constexpr uint64_t kSeed = 7;

// range(0): 0 VP8, 1 VP9; range(1): target kbit/s; range(2): downlink random loss in per mille
// (Bernoulli; 5 is the profile's own 0.5 %, 0 none at all).
void BM_MediaQuality(benchmark::State& state) {
  auto profile = apps::LoadLinkProfile("geo-vsat");
  if (!profile.ok()) {
    state.SkipWithError(profile.error().c_str());
    return;
  }
  MediaSimulationConfig config;
  config.downlink = profile->downlink;
  config.uplink = profile->uplink;
  config.downlink.loss = link::LossConfig{};
  if (state.range(2) > 0) {
    config.downlink.loss = link::BernoulliLoss{static_cast<double>(state.range(2)) / 1000};
  }
  config.seed = kSeed;
  config.duration = kClip;
  config.frame_rate = 30;
  config.measure_quality = true;
  config.sender.video->codec =
      state.range(0) == 0 ? engine::VideoCodec::kVp8 : engine::VideoCodec::kVp9;
  config.sender.video->width = 640;
  config.sender.video->height = 360;
  config.sender.video->frame_rate = 30;
  config.sender.video->target_bitrate = DataRate::KilobitsPerSec(state.range(1));
  config.sender.video->layering = engine::TemporalLayering::kL1T3;

  MediaSimulationResult r;
  for (auto _ : state) r = RunMediaSimulation(config);
  if (r.pictures_measured == 0) {
    state.SkipWithError("no picture rendered");
    return;
  }

  const double seconds = kClip.seconds_f();
  int64_t delivered = 0;
  for (int64_t bytes : r.downlink.delivered_bytes_by_second) delivered += bytes;
  const auto ratio = [](uint64_t part, uint64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  };
  state.counters["psnr_mean"] = r.mean_psnr;
  state.counters["psnr_min"] = r.min_psnr;
  state.counters["ssim_mean"] = r.mean_ssim;
  state.counters["rendered_pct"] =
      ratio(r.receiver.video_frames_rendered, r.sender.video_frames_encoded);
  state.counters["fps"] = static_cast<double>(r.receiver.video_frames_rendered) / seconds;
  state.counters["dropped_pct"] = ratio(r.sender.video_frames_dropped, r.sender.video_frames_in);
  state.counters["freezes"] = static_cast<double>(r.receiver.freezes);
  state.counters["gap_ms"] = r.receiver.longest_frame_gap.ms_f();
  state.counters["encoded_kbps"] =
      static_cast<double>(r.video_encoder.bytes.bytes()) * 8 / seconds / 1000;
  state.counters["send_kbps"] = static_cast<double>(r.sender.bytes_sent) * 8 / seconds / 1000;
  state.counters["link_kbps"] = static_cast<double>(delivered) * 8 / seconds / 1000;
  state.counters["link_lost"] = static_cast<double>(r.downlink.dropped_loss);
  state.counters["queue_drops"] = static_cast<double>(r.downlink.dropped_queue);
  state.counters["engine_p95_ms"] = r.video_engine_latency.Percentile(0.95).ms_f();
  state.counters["plis"] = static_cast<double>(r.receiver.plis_sent);
  state.counters["keyframes"] = static_cast<double>(r.sender.keyframes);
  state.counters["nacks"] = static_cast<double>(r.receiver.nacks_sent);
  state.counters["rtx"] = static_cast<double>(r.sender.retransmissions);
  state.counters["rtx_copies"] = static_cast<double>(r.sender.retransmission_copies);
  state.SetLabel(std::to_string(r.pictures_measured) + " pictures measured");
}
BENCHMARK(BM_MediaQuality)
    ->ArgNames({"vp9", "kbps", "loss_permille"})
    ->ArgsProduct({{0, 1}, {150, 300, 600, 1200}, {5, 20, 0}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace comodal::testing
