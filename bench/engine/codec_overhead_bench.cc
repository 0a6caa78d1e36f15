// What the engine's codec wrappers cost on top of the codec libraries: VpxEncoder / VpxDecoder
// against libvpx called directly, OpusAudioEncoder / OpusAudioDecoder against libopus called
// directly, with the same settings on the same input.
//
// Machines are noisy, so each benchmark measures both sides in one run, interleaved: the input is
// cut into blocks (one second of media) and every block goes through the engine and through the
// library, each keeping its own codec state, the side that goes first alternating from block to
// block so that neither always finds the input warm in cache. Each side's block is timed with
// the thread's CPU clock (time the scheduler gives to another process is not counted).
//
// Counters:
//   engine_fps, raw_fps  frames (video) or packets (audio) per CPU second through each side;
//   ratio                engine_fps / raw_fps (the acceptance target is >= 0.95);
//   block_ratio_p50      the median of the same ratio taken block by block (a burst of load that
//                        hits one side's block moves `ratio` but hardly this);
//   engine_kbps, raw_kbps (encode) the rate each side produced over the media time;
//   differing            frames or packets whose output is not byte-identical between the sides
//                        (0 proves that the settings are the same: the raw side below states
//                        them as literals, independently of the wrapper's code).
//
// Raw sides are written from what vpx_encoder.cc and opus_audio_encoder.cc set, as an
// application would write them with nothing but the library headers: configuration fields and
// controls in the wrapper's order, the wrapper's keyframe and temporal-layer reference pattern,
// and the wrapper's defaults (640x360@30, 800 kbit/s, 1 s rate-control buffer, 30 % drop
// threshold, keyframes capped at 450 % of a frame, VP8 cpu-used -6, VP9 speed 7 with cyclic
// refresh AQ; Opus VoIP, constrained VBR, voice, complexity 8, FEC, DTX, 24 kbit/s).
#include <benchmark/benchmark.h>
#include <opus/opus.h>
#include <time.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/codec/opus_audio_decoder.h"
#include "engine/codec/opus_audio_encoder.h"
#include "engine/codec/vpx_decoder.h"
#include "engine/codec/vpx_encoder.h"
#include "tests/support/test_audio.h"
#include "tests/support/zone_plate.h"

namespace comodal::engine {
namespace {

int64_t ThreadCpuNanos() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// What one unit (a frame or a packet) came out as on each side.
struct UnitOutput {
  size_t engine_bytes = 0;
  size_t raw_bytes = 0;
  bool identical = true;
};

// Drives a benchmark's iterations, one block of `block` units each. Unit `index` (counted from
// the start, so that a looped input knows where it is) goes through `engine(slot, index)` and
// `raw(slot, index)`, `slot` being its place in the block, where each side keeps its output until
// `compare(slot)` has looked at both; a side returns false when a call failed. `prepare(first)`
// runs before each block, untimed. The sides take turns going first.
class SideBySide {
 public:
  template <typename Prepare, typename Engine, typename Raw, typename Compare>
  bool Run(benchmark::State& state, size_t block, Prepare&& prepare, Engine&& engine, Raw&& raw,
           Compare&& compare) {
    uint64_t first = 0;
    bool ok = true;
    const auto timed = [&](auto& side) {
      const int64_t start = ThreadCpuNanos();
      for (size_t slot = 0; slot < block; ++slot) ok = side(slot, first + slot) && ok;
      return ThreadCpuNanos() - start;
    };
    for (auto _ : state) {
      prepare(first);
      int64_t engine_ns = 0;
      int64_t raw_ns = 0;
      if (block_ratios_.size() % 2 == 0) {
        engine_ns = timed(engine);
        raw_ns = timed(raw);
      } else {
        raw_ns = timed(raw);
        engine_ns = timed(engine);
      }
      if (!ok) return false;
      engine_ns_ += engine_ns;
      raw_ns_ += raw_ns;
      block_ratios_.push_back(static_cast<double>(raw_ns) / static_cast<double>(engine_ns));
      for (size_t slot = 0; slot < block; ++slot) {
        const UnitOutput out = compare(slot);
        ++units_;
        engine_bytes_ += static_cast<int64_t>(out.engine_bytes);
        raw_bytes_ += static_cast<int64_t>(out.raw_bytes);
        differing_ += out.identical ? 0 : 1;
      }
      first += block;
    }
    return true;
  }

  // `units_per_second`: frames or packets per second of media, for the bitrates.
  void Report(benchmark::State& state, double units_per_second, bool with_bitrate) const {
    const double units = static_cast<double>(units_);
    const double engine_fps = units / (static_cast<double>(engine_ns_) * 1e-9);
    const double raw_fps = units / (static_cast<double>(raw_ns_) * 1e-9);
    state.counters["engine_fps"] = engine_fps;
    state.counters["raw_fps"] = raw_fps;
    state.counters["ratio"] = engine_fps / raw_fps;
    std::vector<double> ratios = block_ratios_;
    std::nth_element(ratios.begin(), ratios.begin() + static_cast<ptrdiff_t>(ratios.size() / 2),
                     ratios.end());
    state.counters["block_ratio_p50"] = ratios.empty() ? 0 : ratios[ratios.size() / 2];
    state.counters["differing"] = static_cast<double>(differing_);
    if (with_bitrate) {
      const double media_seconds = units / units_per_second;
      state.counters["engine_kbps"] = static_cast<double>(engine_bytes_) * 8 / media_seconds / 1e3;
      state.counters["raw_kbps"] = static_cast<double>(raw_bytes_) * 8 / media_seconds / 1e3;
    }
  }

 private:
  std::vector<double> block_ratios_;  // engine speed / raw speed, block by block.
  int64_t engine_ns_ = 0;
  int64_t raw_ns_ = 0;
  int64_t units_ = 0;
  int64_t engine_bytes_ = 0;
  int64_t raw_bytes_ = 0;
  int64_t differing_ = 0;
};

constexpr auto kNothingToPrepare = [](uint64_t) {};

// ---------------------------------------------------------------------------------------------
// Video

constexpr int kWidth = 640;
constexpr int kHeight = 360;
constexpr double kFrameRate = 30;
// The zone plate loops seamlessly every 256 frames; a block is 32 frames (about a second).
constexpr size_t kSourceFrames = 256;
constexpr size_t kVideoBlock = 32;
constexpr int64_t kVideoBlocks = 16;  // Per repetition: 512 frames per side, 17 s of video.

// Input `index`: the looped zone plate with this index's id and 30 fps capture time.
void Stamp(RawVideoFrame& frame, uint64_t index) {
  frame.frame_id = index;
  frame.capture_time =
      testing::kStart + TimeDelta::Micros(std::llround(static_cast<double>(index) * 1e6 / 30));
}

std::vector<RawVideoFrame> ZonePlateLoop() {
  const testing::ZonePlate plate(kWidth, kHeight);
  std::vector<RawVideoFrame> frames;
  for (size_t i = 0; i < kSourceFrames; ++i) {
    frames.push_back(plate.Frame(static_cast<int>(i), kFrameRate));
  }
  return frames;
}

// libvpx driven directly, with VpxEncoder's settings for 640x360@30, 800 kbit/s, L1T1 or L1T3.
class RawVpxEncoder {
 public:
  ~RawVpxEncoder() {
    if (initialized_) vpx_codec_destroy(&codec_);
  }

  // Empty on success, else what failed.
  std::string Init(bool vp9, bool three_layers) {
    vp9_ = vp9;
    layered_ = three_layers;
    vpx_codec_iface_t* iface = vp9 ? vpx_codec_vp9_cx() : vpx_codec_vp8_cx();
    vpx_codec_enc_cfg_t cfg{};
    if (vpx_codec_enc_config_default(iface, &cfg, 0) != VPX_CODEC_OK) return "config default";
    cfg.g_w = kWidth;
    cfg.g_h = kHeight;
    cfg.rc_end_usage = VPX_CBR;
    cfg.rc_target_bitrate = 800;
    cfg.rc_min_quantizer = 2;
    cfg.rc_max_quantizer = vp9 ? 52 : 56;
    cfg.rc_undershoot_pct = 25;
    cfg.rc_overshoot_pct = 15;
    cfg.rc_buf_sz = 1000;
    cfg.rc_buf_initial_sz = 500;
    cfg.rc_buf_optimal_sz = 600;
    cfg.rc_dropframe_thresh = 30;
    cfg.rc_resize_allowed = 0;
    if (three_layers) {
      // Period 4, layers 0,2,1,2; cumulative rates 40 %, 60 %, 100 %.
      cfg.ts_number_layers = 3;
      cfg.ts_periodicity = 4;
      const unsigned ids[] = {0, 2, 1, 2};
      const unsigned kbps[] = {320, 480, 800};
      const unsigned decimators[] = {4, 2, 1};
      for (int i = 0; i < 4; ++i) cfg.ts_layer_id[i] = ids[i];
      for (int i = 0; i < 3; ++i) {
        cfg.ts_target_bitrate[i] = kbps[i];
        cfg.layer_target_bitrate[i] = kbps[i];
        cfg.ts_rate_decimator[i] = decimators[i];
      }
    } else {
      cfg.ts_number_layers = 1;
      cfg.ts_periodicity = 1;
      cfg.ts_layer_id[0] = 0;
      cfg.ts_target_bitrate[0] = 800;
      cfg.layer_target_bitrate[0] = 800;
      cfg.ts_rate_decimator[0] = 1;
    }
    cfg.g_timebase = {1, 90'000};
    cfg.g_threads = 1;
    cfg.g_pass = VPX_RC_ONE_PASS;
    cfg.g_lag_in_frames = 0;
    cfg.g_error_resilient = three_layers ? VPX_ERROR_RESILIENT_DEFAULT : 0;
    cfg.kf_mode = VPX_KF_DISABLED;
    cfg.temporal_layering_mode = VP9E_TEMPORAL_LAYERING_MODE_BYPASS;
    if (vpx_codec_enc_init(&codec_, iface, &cfg, 0) != VPX_CODEC_OK) {
      vpx_codec_destroy(&codec_);
      return "encoder init";
    }
    initialized_ = true;

    bool ok = true;
    if (!vp9) {
      ok &= vpx_codec_control(&codec_, VP8E_SET_CPUUSED, -6) == VPX_CODEC_OK;
      ok &= vpx_codec_control(&codec_, VP8E_SET_SCREEN_CONTENT_MODE, 0u) == VPX_CODEC_OK;
    } else {
      ok &= vpx_codec_control(&codec_, VP8E_SET_CPUUSED, 7) == VPX_CODEC_OK;
      ok &= vpx_codec_control(&codec_, VP9E_SET_AQ_MODE, 3u) == VPX_CODEC_OK;
      ok &= vpx_codec_control(&codec_, VP9E_SET_TUNE_CONTENT, VP9E_CONTENT_DEFAULT) == VPX_CODEC_OK;
      ok &= vpx_codec_control(&codec_, VP9E_SET_ROW_MT, 0u) == VPX_CODEC_OK;
      ok &= vpx_codec_control(&codec_, VP9E_SET_TILE_COLUMNS, 0) == VPX_CODEC_OK;
      if (three_layers) {
        ok &= vpx_codec_control(&codec_, VP9E_SET_SVC, 1) == VPX_CODEC_OK;
        vpx_svc_extra_cfg_t svc{};
        for (int layer = 0; layer < 3; ++layer) {
          svc.max_quantizers[layer] = 52;
          svc.min_quantizers[layer] = 2;
        }
        svc.scaling_factor_num[0] = 1;
        svc.scaling_factor_den[0] = 1;
        ok &= vpx_codec_control(&codec_, VP9E_SET_SVC_PARAMETERS, &svc) == VPX_CODEC_OK;
      }
    }
    ok &= vpx_codec_control(&codec_, VP8E_SET_STATIC_THRESHOLD, 1u) == VPX_CODEC_OK;
    // 25 % of the 600 ms optimal buffer = 150 ms = 4.5 frames at 30 fps.
    ok &= vpx_codec_control(&codec_, VP8E_SET_MAX_INTRA_BITRATE_PCT, 450u) == VPX_CODEC_OK;
    return ok ? "" : "a control was rejected";
  }

  // Encodes one tightly packed I420 picture; `out` gets the frame's bytes (empty: dropped).
  bool Encode(const RawVideoFrame& frame, std::vector<uint8_t>& out) {
    constexpr int64_t kDuration = 3000;                          // 90 kHz ticks of a 30 fps frame.
    constexpr int64_t kKeyframeInterval = int64_t{60} * 90'000;  // VpxEncoderConfig's 60 s.
    const int64_t pts = frame.capture_time.us() * 90'000 / 1'000'000;
    if (pts - last_keyframe_pts_ >= kKeyframeInterval) keyframe_wanted_ = true;
    if (keyframe_wanted_) slot_ = 0;
    const int slot = static_cast<int>(slot_++ % 4);
    vpx_enc_frame_flags_t flags = keyframe_wanted_ ? VPX_EFLAG_FORCE_KF : 0;
    if (layered_) {
      // The wrapper's L1T3 pattern: TL0 refs and updates LAST; TL2 refs LAST and GOLDEN and
      // updates nothing; TL1 refs LAST only and updates GOLDEN. Upper layers keep the
      // entropy context.
      constexpr vpx_enc_frame_flags_t kNoGoldenNoAltref =
          VP8_EFLAG_NO_REF_GF | VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF;
      constexpr vpx_enc_frame_flags_t kNonReference = VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_LAST |
                                                      VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF |
                                                      VP8_EFLAG_NO_UPD_ENTROPY;
      constexpr vpx_enc_frame_flags_t kUpdateGolden = VP8_EFLAG_NO_REF_GF | VP8_EFLAG_NO_REF_ARF |
                                                      VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_ARF |
                                                      VP8_EFLAG_NO_UPD_ENTROPY;
      constexpr std::array<vpx_enc_frame_flags_t, 4> kFlags = {kNoGoldenNoAltref, kNonReference,
                                                               kUpdateGolden, kNonReference};
      constexpr std::array<int, 4> kTemporalId = {0, 2, 1, 2};
      if (!keyframe_wanted_) flags = kFlags[static_cast<size_t>(slot)];
      const int temporal_id = kTemporalId[static_cast<size_t>(slot)];
      vpx_codec_err_t err;
      if (vp9_) {
        vpx_svc_layer_id_t layer{};
        layer.temporal_layer_id = temporal_id;
        layer.temporal_layer_id_per_spatial[0] = temporal_id;
        err = vpx_codec_control(&codec_, VP9E_SET_SVC_LAYER_ID, &layer);
      } else {
        err = vpx_codec_control(&codec_, VP8E_SET_TEMPORAL_LAYER_ID, temporal_id);
      }
      if (err != VPX_CODEC_OK) return false;
    }
    vpx_image_t image{};
    vpx_img_wrap(&image, VPX_IMG_FMT_I420, kWidth, kHeight, 1,
                 const_cast<uint8_t*>(frame.i420.data()));
    if (vpx_codec_encode(&codec_, &image, pts, kDuration, flags, VPX_DL_REALTIME) != VPX_CODEC_OK) {
      return false;
    }
    out.clear();
    bool keyframe = false;
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t* packet = vpx_codec_get_cx_data(&codec_, &iter)) {
      if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
      const auto* bytes = static_cast<const uint8_t*>(packet->data.frame.buf);
      out.insert(out.end(), bytes, bytes + packet->data.frame.sz);
      keyframe = keyframe || (packet->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
    }
    if (keyframe) {
      keyframe_wanted_ = false;
      last_keyframe_pts_ = pts;
      slot_ = 1;
    }
    return true;
  }

 private:
  vpx_codec_ctx_t codec_{};
  bool initialized_ = false;
  bool vp9_ = false;
  bool layered_ = false;
  bool keyframe_wanted_ = true;
  uint64_t slot_ = 0;
  int64_t last_keyframe_pts_ = 0;
};

// Args: {vp9, layers, control} with layers 0 = L1T1, 2 = L1T3 (TemporalLayering's values).
// control = 1 is the A/A run that shows the method's noise floor: the engine side is replaced by
// a second raw encoder, so any ratio other than 1 is the machine, not code.
void BM_CodecOverheadVideoEncode(benchmark::State& state) {
  const bool vp9 = state.range(0) != 0;
  const auto layering = static_cast<TemporalLayering>(state.range(1));
  const bool control = state.range(2) != 0;
  VpxEncoderConfig config;
  config.codec = vp9 ? VideoCodec::kVp9 : VideoCodec::kVp8;
  config.width = kWidth;
  config.height = kHeight;
  config.frame_rate = kFrameRate;
  config.target_bitrate = DataRate::KilobitsPerSec(800);
  config.layering = layering;
  auto engine = VpxEncoder::Create(config);
  if (!engine.ok()) {
    state.SkipWithError(engine.error().c_str());
    return;
  }
  RawVpxEncoder raw;
  RawVpxEncoder twin;  // The engine's stand-in in the control run.
  std::string failed = raw.Init(vp9, layering == TemporalLayering::kL1T3);
  if (control && failed.empty()) failed = twin.Init(vp9, layering == TemporalLayering::kL1T3);
  if (!failed.empty()) {
    state.SkipWithError(failed.c_str());
    return;
  }
  std::vector<RawVideoFrame> frames = ZonePlateLoop();
  std::vector<std::vector<uint8_t>> engine_out(kVideoBlock);
  std::vector<std::vector<uint8_t>> raw_out(kVideoBlock);
  SideBySide sides;
  const bool ok = sides.Run(
      state, kVideoBlock,
      [&](uint64_t first) {
        for (uint64_t i = first; i < first + kVideoBlock; ++i) Stamp(frames[i % kSourceFrames], i);
      },
      [&](size_t slot, uint64_t index) {
        if (control) return twin.Encode(frames[index % kSourceFrames], engine_out[slot]);
        auto encoded = (*engine)->Encode(frames[index % kSourceFrames]);
        if (!encoded.ok()) return false;
        if (encoded->has_value()) {
          engine_out[slot] = std::move((*encoded)->data);
        } else {
          engine_out[slot].clear();  // Dropped by the rate control.
        }
        return true;
      },
      [&](size_t slot, uint64_t index) {
        return raw.Encode(frames[index % kSourceFrames], raw_out[slot]);
      },
      [&](size_t slot) {
        return UnitOutput{engine_out[slot].size(), raw_out[slot].size(),
                          engine_out[slot] == raw_out[slot]};
      });
  if (!ok) {
    state.SkipWithError("an encode call failed");
    return;
  }
  sides.Report(state, kFrameRate, true);
}
BENCHMARK(BM_CodecOverheadVideoEncode)
    ->ArgNames({"vp9", "layers", "control"})
    ->Args({0, 0, 0})
    ->Args({1, 0, 0})
    ->Args({0, 2, 0})
    ->Args({1, 2, 0})
    ->Args({0, 0, 1})
    ->Args({1, 0, 1})
    ->Iterations(kVideoBlocks)
    ->Unit(benchmark::kMillisecond);

// libvpx's decoder driven directly: the picture stays in libvpx's buffer.
class RawVpxDecoder {
 public:
  ~RawVpxDecoder() {
    if (initialized_) vpx_codec_destroy(&codec_);
  }
  bool Init(bool vp9) {
    const vpx_codec_dec_cfg_t cfg{.threads = 1, .w = 0, .h = 0};
    initialized_ = vpx_codec_dec_init(&codec_, vp9 ? vpx_codec_vp9_dx() : vpx_codec_vp8_dx(), &cfg,
                                      0) == VPX_CODEC_OK;
    return initialized_;
  }
  // The picture, valid until the next call; nullptr on failure.
  const vpx_image_t* Decode(const EncodedVideoFrame& frame) {
    if (vpx_codec_decode(&codec_, frame.data.data(), static_cast<unsigned>(frame.data.size()),
                         nullptr, 0) != VPX_CODEC_OK) {
      return nullptr;
    }
    vpx_codec_iter_t iter = nullptr;
    return vpx_codec_get_frame(&codec_, &iter);
  }

 private:
  vpx_codec_ctx_t codec_{};
  bool initialized_ = false;
};

// Decode: a 256-frame L1T1 stream from VpxEncoder, looped (its first frame is a keyframe), through
// VpxDecoder (which hands out a packed copy of each picture, as the renderer needs it) and through
// vpx_codec_decode + vpx_codec_get_frame (which leaves the picture in libvpx's buffer). Every
// picture is checked identical in an untimed pass first.
void BM_CodecOverheadVideoDecode(benchmark::State& state) {
  const bool vp9 = state.range(0) != 0;
  const VideoCodec codec = vp9 ? VideoCodec::kVp9 : VideoCodec::kVp8;
  VpxEncoderConfig config;
  config.codec = codec;
  auto encoder = VpxEncoder::Create(config);
  if (!encoder.ok()) {
    state.SkipWithError(encoder.error().c_str());
    return;
  }
  std::vector<EncodedVideoFrame> stream;
  std::vector<RawVideoFrame> frames = ZonePlateLoop();
  for (RawVideoFrame& frame : frames) {
    auto encoded = (*encoder)->Encode(frame);
    if (encoded.ok() && encoded->has_value()) stream.push_back(std::move(**encoded));
  }
  frames.clear();
  if (stream.empty() || !stream.front().keyframe) {
    state.SkipWithError("the stream does not start with a keyframe");
    return;
  }

  auto engine = VpxDecoder::Create(codec);
  if (!engine.ok()) {
    state.SkipWithError(engine.error().c_str());
    return;
  }
  RawVpxDecoder raw;
  if (!raw.Init(vp9)) {
    state.SkipWithError("libvpx decoder init");
    return;
  }

  // Untimed: one pass of the stream through both, picture by picture (libvpx's picture is only
  // valid until its next decode call, so the timed blocks cannot keep it for comparison).
  int64_t differing = 0;
  for (const EncodedVideoFrame& frame : stream) {
    auto picture = (*engine)->Decode(frame);
    const vpx_image_t* image = raw.Decode(frame);
    bool same = picture.ok() && picture->has_value() && image != nullptr &&
                (*picture)->width == static_cast<int>(image->d_w) &&
                (*picture)->height == static_cast<int>(image->d_h);
    if (same) {
      const uint8_t* packed = (*picture)->i420.data();
      for (int plane = 0; plane < 3 && same; ++plane) {
        const int w = plane == 0 ? kWidth : kWidth / 2;
        const int h = plane == 0 ? kHeight : kHeight / 2;
        for (int row = 0; row < h && same; ++row, packed += w) {
          same =
              std::memcmp(packed,
                          image->planes[plane] + static_cast<ptrdiff_t>(row) * image->stride[plane],
                          static_cast<size_t>(w)) == 0;
        }
      }
    }
    differing += same ? 0 : 1;
  }

  SideBySide sides;
  const bool ok = sides.Run(
      state, kVideoBlock, kNothingToPrepare,
      [&](size_t, uint64_t index) {
        auto picture = (*engine)->Decode(stream[index % stream.size()]);
        benchmark::DoNotOptimize(picture);
        return picture.ok();
      },
      [&](size_t, uint64_t index) {
        const vpx_image_t* image = raw.Decode(stream[index % stream.size()]);
        benchmark::DoNotOptimize(image);
        return image != nullptr;
      },
      [](size_t) { return UnitOutput{}; });
  if (!ok) {
    state.SkipWithError("a decode call failed");
    return;
  }
  sides.Report(state, kFrameRate, false);
  state.counters["differing"] = static_cast<double>(differing);
}
BENCHMARK(BM_CodecOverheadVideoDecode)
    ->ArgNames({"vp9"})
    ->Arg(0)
    ->Arg(1)
    ->Iterations(4 * kVideoBlocks)
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------
// Audio

constexpr int kSampleRate = 48'000;
constexpr int kFrameSamples = 960;     // 20 ms.
constexpr size_t kSpeechFrames = 500;  // 10 s of synthetic speech, looped.
constexpr size_t kAudioBlock = 50;     // One second.
constexpr int kAudioBlocks = 400;      // Per repetition: 20 000 packets per side, 400 s of audio.
constexpr int kMaxPacketBytes = 4000;  // As the wrapper allows.

std::vector<AudioFrame> SpeechFrames() {
  const std::vector<int16_t> speech =
      testing::SyntheticSpeech(kSampleRate, static_cast<int>(kSpeechFrames) * kFrameSamples, 7);
  std::vector<AudioFrame> frames(kSpeechFrames);
  for (size_t i = 0; i < kSpeechFrames; ++i) {
    AudioFrame& frame = frames[i];
    frame.sample_rate = kSampleRate;
    frame.channels = 1;
    const auto begin = speech.begin() + static_cast<ptrdiff_t>(i * kFrameSamples);
    frame.samples.assign(begin, begin + kFrameSamples);
    frame.capture_time = testing::kStart + TimeDelta::Millis(20 * static_cast<int64_t>(i));
  }
  return frames;
}

// libopus driven directly with OpusAudioEncoder's settings; nullptr if libopus refused them.
::OpusEncoder* RawOpusEncoder(int loss_pct) {
  int error = OPUS_OK;
  ::OpusEncoder* e = opus_encoder_create(kSampleRate, 1, OPUS_APPLICATION_VOIP, &error);
  if (error != OPUS_OK) return nullptr;
  const bool ok = opus_encoder_ctl(e, OPUS_SET_VBR(1)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_VBR_CONSTRAINT(1)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(8)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(0)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_DTX(1)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_BITRATE(24'000)) == OPUS_OK &&
                  opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(loss_pct)) == OPUS_OK;
  if (!ok) {
    opus_encoder_destroy(e);
    return nullptr;
  }
  return e;
}

struct OpusEncoderDeleter {
  void operator()(::OpusEncoder* e) const { opus_encoder_destroy(e); }
};
struct OpusDecoderDeleter {
  void operator()(::OpusDecoder* d) const { opus_decoder_destroy(d); }
};

// Arg: the loss hint in percent. 0 is the wrapper's start state (FEC enabled but no LBRR sent);
// 10 makes both sides code LBRR redundancy in every talkspurt packet.
void BM_CodecOverheadAudioEncode(benchmark::State& state) {
  const int loss_pct = static_cast<int>(state.range(0));
  auto engine = OpusAudioEncoder::Create(OpusEncoderConfig{});
  if (!engine.ok()) {
    state.SkipWithError(engine.error().c_str());
    return;
  }
  (*engine)->SetPacketLossHint(loss_pct / 100.0);
  std::unique_ptr<::OpusEncoder, OpusEncoderDeleter> raw(RawOpusEncoder(loss_pct));
  if (!raw) {
    state.SkipWithError("libopus refused the encoder settings");
    return;
  }
  const std::vector<AudioFrame> frames = SpeechFrames();
  std::vector<std::vector<uint8_t>> engine_out(kAudioBlock);
  std::vector<std::array<uint8_t, kMaxPacketBytes>> raw_out(kAudioBlock);
  std::array<int, kAudioBlock> raw_size{};
  SideBySide sides;
  const bool ok = sides.Run(
      state, kAudioBlock, kNothingToPrepare,
      [&](size_t slot, uint64_t index) {
        auto packet = (*engine)->Encode(frames[index % kSpeechFrames]);
        if (!packet.ok()) return false;
        engine_out[slot] = std::move(packet->data);
        return true;
      },
      [&](size_t slot, uint64_t index) {
        raw_size[slot] = opus_encode(raw.get(), frames[index % kSpeechFrames].samples.data(),
                                     kFrameSamples, raw_out[slot].data(), kMaxPacketBytes);
        return raw_size[slot] >= 0;
      },
      [&](size_t slot) {
        const std::vector<uint8_t>& e = engine_out[slot];
        const std::span<const uint8_t> r(raw_out[slot].data(),
                                         static_cast<size_t>(std::max(raw_size[slot], 0)));
        return UnitOutput{e.size(), r.size(), std::equal(e.begin(), e.end(), r.begin(), r.end())};
      });
  if (!ok) {
    state.SkipWithError("an encode call failed");
    return;
  }
  sides.Report(state, 50, true);
  state.counters["dtx_pct"] = 100.0 * static_cast<double>((*engine)->dtx_frames()) /
                              static_cast<double>((*engine)->frames_encoded());
}
BENCHMARK(BM_CodecOverheadAudioEncode)
    ->ArgName("loss_pct")
    ->Arg(0)
    ->Arg(10)
    ->Iterations(kAudioBlocks)
    ->Unit(benchmark::kMillisecond);

// Decode: 10 s of speech encoded up front (24 kbit/s, 10 % loss hint, so packets carry LBRR),
// every packet including DTX ones, looped, through OpusAudioDecoder::Decode (which validates the
// packet's framing first and returns the PCM in a new frame) and through opus_decode into a
// fixed buffer. The PCM is compared sample for sample.
void BM_CodecOverheadAudioDecode(benchmark::State& state) {
  std::unique_ptr<::OpusEncoder, OpusEncoderDeleter> encoder(RawOpusEncoder(10));
  if (!encoder) {
    state.SkipWithError("libopus refused the encoder settings");
    return;
  }
  std::vector<std::vector<uint8_t>> stream;
  for (const AudioFrame& frame : SpeechFrames()) {
    std::vector<uint8_t> packet(kMaxPacketBytes);
    const int bytes = opus_encode(encoder.get(), frame.samples.data(), kFrameSamples, packet.data(),
                                  kMaxPacketBytes);
    if (bytes < 0) {
      state.SkipWithError("opus_encode failed");
      return;
    }
    packet.resize(static_cast<size_t>(bytes));
    stream.push_back(std::move(packet));
  }
  auto engine = OpusAudioDecoder::Create(kSampleRate, 1);
  if (!engine.ok()) {
    state.SkipWithError(engine.error().c_str());
    return;
  }
  int error = OPUS_OK;
  std::unique_ptr<::OpusDecoder, OpusDecoderDeleter> raw(
      opus_decoder_create(kSampleRate, 1, &error));
  if (error != OPUS_OK) {
    state.SkipWithError("opus_decoder_create failed");
    return;
  }
  std::vector<std::vector<int16_t>> engine_out(kAudioBlock);
  std::vector<std::array<int16_t, kFrameSamples>> raw_out(kAudioBlock);
  std::array<int, kAudioBlock> raw_samples{};
  SideBySide sides;
  const bool ok = sides.Run(
      state, kAudioBlock, kNothingToPrepare,
      [&](size_t slot, uint64_t index) {
        auto pcm = (*engine)->Decode(stream[index % stream.size()]);
        if (!pcm.ok()) return false;
        engine_out[slot] = std::move(pcm->samples);
        return true;
      },
      [&](size_t slot, uint64_t index) {
        const std::vector<uint8_t>& packet = stream[index % stream.size()];
        raw_samples[slot] =
            opus_decode(raw.get(), packet.data(), static_cast<opus_int32>(packet.size()),
                        raw_out[slot].data(), kFrameSamples, 0);
        return raw_samples[slot] >= 0;
      },
      [&](size_t slot) {
        const std::vector<int16_t>& e = engine_out[slot];
        const std::span<const int16_t> r(raw_out[slot].data(),
                                         static_cast<size_t>(std::max(raw_samples[slot], 0)));
        return UnitOutput{0, 0, std::equal(e.begin(), e.end(), r.begin(), r.end())};
      });
  if (!ok) {
    state.SkipWithError("a decode call failed");
    return;
  }
  sides.Report(state, 50, false);
}
BENCHMARK(BM_CodecOverheadAudioDecode)->Iterations(kAudioBlocks)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace comodal::engine
