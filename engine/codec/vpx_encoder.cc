#include "engine/codec/vpx_encoder.h"

#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vpx_image.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <utility>

namespace comodal::engine {
namespace {

// libvpx timestamps are in RTP's 90 kHz video clock, so that a pts is the RTP timestamp offset.
constexpr int64_t kClockHz = 90'000;

constexpr int kMinDimension = 2;
constexpr int kMaxDimension = 4096;

// Reference buffers as bits: libvpx's LAST, GOLDEN and ALTREF frames.
constexpr uint8_t kLast = 1;
constexpr uint8_t kGolden = 2;
constexpr uint8_t kAltref = 4;

// One position of a temporal layer pattern (see the table in vpx_encoder.h).
struct PatternSlot {
  uint8_t temporal_id;
  uint8_t references;  // Buffers this frame may predict from.
  uint8_t updates;     // Buffers this frame overwrites.
};
constexpr PatternSlot kL1T1Pattern[] = {{0, kLast, kLast}};
constexpr PatternSlot kL1T2Pattern[] = {{0, kLast, kLast}, {1, kLast, kGolden}};
constexpr PatternSlot kL1T3Pattern[] = {
    {0, kLast, kLast}, {2, kLast | kGolden, 0}, {1, kLast, kGolden}, {2, kLast | kGolden, 0}};

std::span<const PatternSlot> PatternOf(TemporalLayering layering) {
  switch (layering) {
    case TemporalLayering::kL1T1:
      return kL1T1Pattern;
    case TemporalLayering::kL1T2:
      return kL1T2Pattern;
    case TemporalLayering::kL1T3:
      return kL1T3Pattern;
  }
  return kL1T1Pattern;
}

int LayerCount(TemporalLayering layering) {
  return layering == TemporalLayering::kL1T3 ? 3 : layering == TemporalLayering::kL1T2 ? 2 : 1;
}

// Cumulative share of the target rate (percent) up to and including each layer. The base layer
// gets the largest share per frame so that a site that can only take TL0 (a quarter of the
// frames in L1T3) still sees sharp pictures; upper layers mostly carry motion.
std::array<int, 3> CumulativeLayerPct(TemporalLayering layering) {
  switch (layering) {
    case TemporalLayering::kL1T1:
      return {100, 100, 100};
    case TemporalLayering::kL1T2:
      return {60, 100, 100};
    case TemporalLayering::kL1T3:
      return {40, 60, 100};
  }
  return {100, 100, 100};
}

// Encode flags that make libvpx use exactly the slot's references and updates. Upper layers also
// leave the entropy context alone, so that the base layer never depends on a frame above it.
vpx_enc_frame_flags_t FlagsFor(const PatternSlot& slot) {
  vpx_enc_frame_flags_t flags = 0;
  if (!(slot.references & kLast)) flags |= VP8_EFLAG_NO_REF_LAST;
  if (!(slot.references & kGolden)) flags |= VP8_EFLAG_NO_REF_GF;
  if (!(slot.references & kAltref)) flags |= VP8_EFLAG_NO_REF_ARF;
  if (!(slot.updates & kLast)) flags |= VP8_EFLAG_NO_UPD_LAST;
  if (!(slot.updates & kGolden)) flags |= VP8_EFLAG_NO_UPD_GF;
  if (!(slot.updates & kAltref)) flags |= VP8_EFLAG_NO_UPD_ARF;
  if (slot.temporal_id > 0) flags |= VP8_EFLAG_NO_UPD_ENTROPY;
  return flags;
}

const char* CodecName(VideoCodec codec) { return codec == VideoCodec::kVp8 ? "VP8" : "VP9"; }

int DefaultSpeed(const VpxEncoderConfig& config) {
  // VP8 cpu-used 6: the speed libvpx's own real-time examples and most RTC stacks use for one
  // core at SD sizes; it keeps the full inter search at 640x360 well under 10 ms a frame. A
  // satellite link is short of bits, not of CPU, so there is no reason to go faster.
  if (config.codec == VideoCodec::kVp8) return 6;
  // VP9 speed 7 is libvpx's real-time mode with most of its RD tools still on; speed 8 drops
  // more of them and is kept for larger pictures (slides at 720p and up) where one thread at 7
  // could not keep up with the frame rate.
  return config.width * config.height <= 640 * 480 ? 7 : 8;
}

std::string ValidateConfig(const VpxEncoderConfig& c) {
  auto out_of_range = [](const char* field, const std::string& range, const std::string& got) {
    return std::string("VpxEncoderConfig.") + field + " must be " + range + ", got " + got;
  };
  if (c.codec != VideoCodec::kVp8 && c.codec != VideoCodec::kVp9) {
    return "VpxEncoderConfig.codec: unsupported codec " + std::to_string(static_cast<int>(c.codec));
  }
  const std::string dims = std::to_string(kMinDimension) + ".." + std::to_string(kMaxDimension);
  if (c.width < kMinDimension || c.width > kMaxDimension || c.height < kMinDimension ||
      c.height > kMaxDimension) {
    return "VpxEncoderConfig: bad resolution " + std::to_string(c.width) + "x" +
           std::to_string(c.height) + " (width and height must be " + dims + ")";
  }
  if (!(c.frame_rate > 0 && c.frame_rate <= 240)) {
    return out_of_range("frame_rate", "in (0, 240]", std::to_string(c.frame_rate));
  }
  if (c.target_bitrate < DataRate::KilobitsPerSec(10) ||
      c.target_bitrate > DataRate::MegabitsPerSec(50)) {
    return out_of_range("target_bitrate", "10 kbit/s..50 Mbit/s", ToString(c.target_bitrate));
  }
  if (static_cast<int>(c.layering) > static_cast<int>(TemporalLayering::kL1T3)) {
    return "VpxEncoderConfig.layering: unsupported temporal layer mode " +
           std::to_string(static_cast<int>(c.layering)) + " (L1T1, L1T2 and L1T3 are supported)";
  }
  if (c.content != VideoContent::kCamera && c.content != VideoContent::kScreen) {
    return "VpxEncoderConfig.content: unknown content type " +
           std::to_string(static_cast<int>(c.content));
  }
  if (c.max_keyframe_interval <= TimeDelta::Zero()) {
    return out_of_range("max_keyframe_interval", "> 0", ToString(c.max_keyframe_interval));
  }
  if (c.rate_control_buffer < TimeDelta::Millis(100) ||
      c.rate_control_buffer > TimeDelta::Seconds(10)) {
    return out_of_range("rate_control_buffer", "100 ms..10 s", ToString(c.rate_control_buffer));
  }
  if (c.drop_frame_threshold_pct < 0 || c.drop_frame_threshold_pct > 100) {
    return out_of_range("drop_frame_threshold_pct", "0..100",
                        std::to_string(c.drop_frame_threshold_pct));
  }
  if (c.max_keyframe_pct_of_buffer < 0 || c.max_keyframe_pct_of_buffer > 100) {
    return out_of_range("max_keyframe_pct_of_buffer", "0..100 (0: no cap)",
                        std::to_string(c.max_keyframe_pct_of_buffer));
  }
  const int max_speed = c.codec == VideoCodec::kVp8 ? 16 : 9;
  if (c.speed && (*c.speed < 0 || *c.speed > max_speed)) {
    return out_of_range(
        "speed", std::string("0..") + std::to_string(max_speed) + " for " + CodecName(c.codec),
        std::to_string(*c.speed));
  }
  if (c.threads < 1 || c.threads > 16) {
    return out_of_range("threads", "1..16", std::to_string(c.threads));
  }
  return "";
}

std::string LibvpxError(const char* what, vpx_codec_ctx_t* ctx, vpx_codec_err_t err) {
  std::string message = std::string(what) + ": " + vpx_codec_err_to_string(err);
  const char* detail = ctx != nullptr ? vpx_codec_error_detail(ctx) : nullptr;
  if (detail != nullptr && *detail != '\0') message += std::string(" (") + detail + ")";
  return message;
}

// Rate control fields of `cfg` from the config; used at creation and on every runtime change.
void FillRateControl(const VpxEncoderConfig& config, vpx_codec_enc_cfg_t& cfg) {
  cfg.g_w = static_cast<unsigned>(config.width);
  cfg.g_h = static_cast<unsigned>(config.height);
  // CBR: the link has a fixed budget per second, not a quality target.
  cfg.rc_end_usage = VPX_CBR;
  const auto kbps = static_cast<unsigned>(config.target_bitrate.kbps());
  cfg.rc_target_bitrate = kbps;
  // Quantizer range: libvpx's own real-time examples' range. The top is left below 63 because
  // the last few steps cost far more quality than bits; past it the frame dropper takes over.
  cfg.rc_min_quantizer = 2;
  cfg.rc_max_quantizer = config.codec == VideoCodec::kVp8 ? 56 : 52;
  // Small adaptation margins: on a narrow link an overshoot is a queue in the modem (seconds of
  // delay on GEO), and a deep undershoot is a wasted share of a link the site pays for.
  cfg.rc_undershoot_pct = 25;
  cfg.rc_overshoot_pct = 15;
  // Buffer model in milliseconds of the target rate: start at half full, aim at 60 %.
  const auto buffer_ms = static_cast<unsigned>(config.rate_control_buffer.ms());
  cfg.rc_buf_sz = buffer_ms;
  cfg.rc_buf_initial_sz = buffer_ms / 2;
  cfg.rc_buf_optimal_sz = buffer_ms * 6 / 10;
  // Drop a frame rather than overshoot when the buffer runs low (a lower frame rate for a moment
  // is better than a queue the whole lesson waits behind).
  cfg.rc_dropframe_thresh = static_cast<unsigned>(config.drop_frame_threshold_pct);
  // Resolution is the adaptive controller's decision (SetResolution): libvpx's internal resizer
  // would change the picture size without telling the rest of the engine.
  cfg.rc_resize_allowed = 0;

  // Temporal scalability (libvpx's ts_* API): per-layer cumulative rates, decimators and the
  // layer membership of each position of the pattern. VP9 reads the per-layer rate from
  // layer_target_bitrate, VP8 from ts_target_bitrate.
  const std::span<const PatternSlot> pattern = PatternOf(config.layering);
  const int layers = LayerCount(config.layering);
  const std::array<int, 3> pct = CumulativeLayerPct(config.layering);
  cfg.ts_number_layers = static_cast<unsigned>(layers);
  cfg.ts_periodicity = static_cast<unsigned>(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) cfg.ts_layer_id[i] = pattern[i].temporal_id;
  for (int layer = 0; layer < layers; ++layer) {
    const unsigned layer_kbps = kbps * static_cast<unsigned>(pct[static_cast<size_t>(layer)]) / 100;
    cfg.ts_target_bitrate[layer] = layer_kbps;
    cfg.layer_target_bitrate[layer] = layer_kbps;
    cfg.ts_rate_decimator[layer] = 1u << (layers - 1 - layer);  // 4,2,1 / 2,1 / 1.
  }
}

}  // namespace

// The libvpx encoder context and its configuration, destroyed together.
struct VpxEncoder::Context {
  vpx_codec_ctx_t codec{};
  vpx_codec_enc_cfg_t cfg{};
  bool initialized = false;
  // Largest size this context has coded (VP8 cannot grow past it; VP9 keyframes to grow).
  int max_width = 0;
  int max_height = 0;

  ~Context() {
    if (initialized) vpx_codec_destroy(&codec);
  }
};

VpxEncoder::VpxEncoder(const VpxEncoderConfig& config) : config_(config) {}
VpxEncoder::~VpxEncoder() = default;

Result<std::unique_ptr<VpxEncoder>, std::string> VpxEncoder::Create(
    const VpxEncoderConfig& config) {
  std::string invalid = ValidateConfig(config);
  if (!invalid.empty()) return invalid;
  std::unique_ptr<VpxEncoder> encoder(new VpxEncoder(config));
  if (!encoder->config_.speed) encoder->config_.speed = DefaultSpeed(config);
  Result<bool, std::string> opened = encoder->Open();
  if (!opened.ok()) return opened.error();
  return encoder;
}

Result<bool, std::string> VpxEncoder::Open() {
  auto context = std::make_unique<Context>();
  const bool vp8 = config_.codec == VideoCodec::kVp8;
  vpx_codec_iface_t* iface = vp8 ? vpx_codec_vp8_cx() : vpx_codec_vp9_cx();
  const std::string name = CodecName(config_.codec);
  vpx_codec_err_t err = vpx_codec_enc_config_default(iface, &context->cfg, 0);
  if (err != VPX_CODEC_OK) return LibvpxError((name + " default config").c_str(), nullptr, err);

  vpx_codec_enc_cfg_t& cfg = context->cfg;
  FillRateControl(config_, cfg);
  // libvpx measures the frame rate from the ends of successive frames (pts + duration), so the
  // duration given with each frame stays the same for the encoder's life: a duration changed
  // with the frame rate (the encoding ladder going from 15 to 30 frames/s) would put two frame
  // ends a few ticks apart, libvpx would estimate thousands of frames per second, give each
  // frame a sliver of the rate and halve the frame rate by dropping frames for a second or more.
  // With a constant duration the distance between frame ends is the distance between captures.
  coded_duration_ = std::llround(kClockHz / config_.frame_rate);
  cfg.g_timebase = {1, static_cast<int>(kClockHz)};
  cfg.g_threads = static_cast<unsigned>(config_.threads);
  // One pass and no lookahead: every frame comes out of the encode call that took it in.
  cfg.g_pass = VPX_RC_ONE_PASS;
  cfg.g_lag_in_frames = 0;
  // Layered streams must survive the loss of upper-layer frames: no probability context carried
  // over from one frame to the next. A single-layer stream depends on every frame anyway
  // (NACK, FEC and keyframe requests repair it), so it keeps the better compression.
  cfg.g_error_resilient =
      config_.layering == TemporalLayering::kL1T1 ? 0 : VPX_ERROR_RESILIENT_DEFAULT;
  // Keyframes are placed by Encode() so that they fall on the base layer.
  cfg.kf_mode = VPX_KF_DISABLED;
  // VP9: the application drives the temporal pattern (layer id and reference flags per frame).
  cfg.temporal_layering_mode = VP9E_TEMPORAL_LAYERING_MODE_BYPASS;

  err = vpx_codec_enc_init(&context->codec, iface, &cfg, 0);
  if (err != VPX_CODEC_OK) {
    std::string message = LibvpxError((name + " encoder init").c_str(), &context->codec, err);
    vpx_codec_destroy(&context->codec);
    return message;
  }
  context->initialized = true;
  context->max_width = config_.width;
  context->max_height = config_.height;

  std::string failed;
  auto check = [&](vpx_codec_err_t result, const char* control) {
    if (result != VPX_CODEC_OK && failed.empty()) {
      failed = LibvpxError((name + " " + control).c_str(), &context->codec, result);
    }
  };
  vpx_codec_ctx_t* ctx = &context->codec;
  const int speed = *config_.speed;
  const bool screen = config_.content == VideoContent::kScreen;
  if (vp8) {
    // Negative cpu-used is a fixed speed. A positive one lets libvpx pick the speed from how
    // long its last frames took against the deadline: wall-clock dependent output, which would
    // make runs irreproducible and lets one stream take the whole core.
    check(vpx_codec_control(ctx, VP8E_SET_CPUUSED, -speed), "VP8E_SET_CPUUSED");
    // Screen mode: rate control and mode decisions tuned for text and large static areas.
    check(vpx_codec_control(ctx, VP8E_SET_SCREEN_CONTENT_MODE, screen ? 1u : 0u),
          "VP8E_SET_SCREEN_CONTENT_MODE");
  } else {
    // VP9 speed is fixed as given (see DefaultSpeed for the choice).
    check(vpx_codec_control(ctx, VP8E_SET_CPUUSED, speed), "VP8E_SET_CPUUSED");
    // Cyclic-refresh AQ (3): each frame re-codes a slice of the static background at a better
    // quantizer, so a still classroom sharpens over a few seconds at a low rate. Off for screen
    // content, where it would keep spending bits re-coding an unchanged slide.
    check(vpx_codec_control(ctx, VP9E_SET_AQ_MODE, screen ? 0u : 3u), "VP9E_SET_AQ_MODE");
    // Screen tuning: a mode search that tries more intra modes on sharp edges and skips static
    // blocks early, and rate control that takes a sudden full-picture change (a new slide) as
    // a scene change rather than as an overshoot.
    check(vpx_codec_control(ctx, VP9E_SET_TUNE_CONTENT,
                            screen ? VP9E_CONTENT_SCREEN : VP9E_CONTENT_DEFAULT),
          "VP9E_SET_TUNE_CONTENT");
    // Row multithreading only pays with more than one thread; with one it only adds row sync.
    check(vpx_codec_control(ctx, VP9E_SET_ROW_MT, config_.threads > 1 ? 1u : 0u),
          "VP9E_SET_ROW_MT");
    // One tile column per thread (log2), so threads can work on columns in parallel; a single
    // tile with one thread keeps the whole width for prediction and context.
    int log2_tiles = 0;
    while ((2 << log2_tiles) <= config_.threads) ++log2_tiles;
    check(vpx_codec_control(ctx, VP9E_SET_TILE_COLUMNS, log2_tiles), "VP9E_SET_TILE_COLUMNS");
    if (config_.layering != TemporalLayering::kL1T1) {
      // Temporal layers in VP9 go through its SVC path (one spatial layer at full size) so that
      // each layer has its own rate control state.
      check(vpx_codec_control(ctx, VP9E_SET_SVC, 1), "VP9E_SET_SVC");
      vpx_svc_extra_cfg_t svc{};
      for (int layer = 0; layer < LayerCount(config_.layering); ++layer) {
        svc.max_quantizers[layer] = static_cast<int>(cfg.rc_max_quantizer);
        svc.min_quantizers[layer] = static_cast<int>(cfg.rc_min_quantizer);
      }
      svc.scaling_factor_num[0] = 1;
      svc.scaling_factor_den[0] = 1;
      check(vpx_codec_control(ctx, VP9E_SET_SVC_PARAMETERS, &svc), "VP9E_SET_SVC_PARAMETERS");
    }
  }
  // Skip blocks whose change is below the lowest threshold: an unchanged background or slide
  // costs (almost) nothing.
  check(vpx_codec_control(ctx, VP8E_SET_STATIC_THRESHOLD, 1u), "VP8E_SET_STATIC_THRESHOLD");
  if (!failed.empty()) return failed;

  context_ = std::move(context);
  Status capped = ApplyIntraCap();
  if (!capped.ok()) return std::string(capped.error().detail);
  buffers_ = {};
  keyframe_requested_ = true;
  return true;
}

Status VpxEncoder::ApplyIntraCap() {
  // libvpx takes the cap as a percentage of an average frame's bits. A keyframe may take
  // `max_keyframe_pct_of_buffer` % of the optimal buffer level: with a 1 s buffer at 30 fps,
  // 25 % of 600 ms is 150 ms of the target rate, i.e. 4.5 average frames (450 %).
  unsigned pct = 0;  // 0 = no cap.
  if (config_.max_keyframe_pct_of_buffer > 0) {
    const double optimal_ms = static_cast<double>(context_->cfg.rc_buf_optimal_sz);
    const double frame_ms = 1000.0 / config_.frame_rate;
    const double frames = optimal_ms * config_.max_keyframe_pct_of_buffer / 100.0 / frame_ms;
    // At least 3 frames' worth: below that even a smooth keyframe is unusably blurred.
    pct = static_cast<unsigned>(std::max(300.0, std::round(frames * 100)));
  }
  if (vpx_codec_control(&context_->codec, VP8E_SET_MAX_INTRA_BITRATE_PCT, pct) != VPX_CODEC_OK) {
    return Error{ErrorCode::kInvalidArgument, "libvpx rejected VP8E_SET_MAX_INTRA_BITRATE_PCT"};
  }
  return Status::Ok();
}

Status VpxEncoder::ApplyConfig() {
  FillRateControl(config_, context_->cfg);
  if (vpx_codec_enc_config_set(&context_->codec, &context_->cfg) != VPX_CODEC_OK) {
    return Error{ErrorCode::kInvalidArgument, "libvpx rejected the new encoder configuration"};
  }
  return ApplyIntraCap();
}

Status VpxEncoder::SetBitrate(DataRate target) {
  if (target < DataRate::KilobitsPerSec(10) || target > DataRate::MegabitsPerSec(50)) {
    return Error{ErrorCode::kInvalidArgument, "target bitrate must be 10 kbit/s..50 Mbit/s"};
  }
  config_.target_bitrate = target;
  return ApplyConfig();
}

Status VpxEncoder::SetFrameRate(double frame_rate) {
  if (!(frame_rate > 0 && frame_rate <= 240)) {
    return Error{ErrorCode::kInvalidArgument, "frame rate must be in (0, 240]"};
  }
  // libvpx follows the frame rate from the timestamps it is given; what changes here is the
  // duration passed with each frame and the keyframe cap, which is counted in frames.
  config_.frame_rate = frame_rate;
  return ApplyIntraCap();
}

Status VpxEncoder::SetResolution(int width, int height) {
  if (width < kMinDimension || width > kMaxDimension || height < kMinDimension ||
      height > kMaxDimension) {
    return Error{ErrorCode::kInvalidArgument, "width and height must be 2..4096"};
  }
  if (width == config_.width && height == config_.height) return Status::Ok();
  const bool grows = width > context_->max_width || height > context_->max_height;
  const int old_width = config_.width;
  const int old_height = config_.height;
  config_.width = width;
  config_.height = height;
  if (config_.codec == VideoCodec::kVp8 && grows) {
    // libvpx VP8 refuses to grow past the size it was created with: start a new encoder (its
    // first frame is a keyframe).
    Result<bool, std::string> opened = Open();
    if (!opened.ok()) return Error{ErrorCode::kInvalidArgument, "VP8 encoder re-creation failed"};
    return Status::Ok();
  }
  // VP9 predicts from references up to 2x larger or 16x smaller than the new size.
  const auto scalable = [](int from, int to) { return 2 * to >= from && to <= 16 * from; };
  const bool vp9_scales = config_.codec == VideoCodec::kVp9 && !grows &&
                          scalable(old_width, width) && scalable(old_height, height);
  if (!vp9_scales) keyframe_requested_ = true;
  context_->max_width = std::max(context_->max_width, width);
  context_->max_height = std::max(context_->max_height, height);
  return ApplyConfig();
}

Result<std::optional<EncodedVideoFrame>> VpxEncoder::Encode(const RawVideoFrame& frame) {
  ++stats_.frames_in;
  if (frame.width != config_.width || frame.height != config_.height) {
    return Error{ErrorCode::kInvalidArgument, "frame size differs from the encoder's resolution"};
  }
  if (frame.i420.size() != RawVideoFrame::I420Size(frame.width, frame.height)) {
    return Error{ErrorCode::kBadLength, "I420 buffer size does not match width and height"};
  }

  const auto duration = static_cast<int64_t>(std::llround(kClockHz / config_.frame_rate));
  int64_t pts = frame.capture_time.IsFinite() ? frame.capture_time.us() * kClockHz / 1'000'000
                                              : last_pts_ + duration;
  if (pts <= last_pts_) pts = last_pts_ + 1;  // libvpx needs increasing timestamps.
  // libvpx's rate control credits a frame with the bits of the time since the previous one: after
  // frames were skipped (encoder pushback while the pacer drains, a paused stream) a second's
  // gap would buy a second's worth of bits for one frame, a burst the link has just shown it
  // cannot carry. The timeline libvpx sees advances by at most max_credited_gap (or two frame
  // intervals at low frame rates).
  const int64_t max_gap =
      std::max(2 * duration, config_.max_credited_gap.us() * kClockHz / 1'000'000);
  // Frames kept at the configured rate advance the timeline by exactly one frame interval:
  // frames the encoding ladder keeps out of a faster source (20 of 30 frames/s) arrive 33 and
  // 67 ms apart, and libvpx, which re-estimates the frame rate whenever the spacing changes by
  // a tenth, would budget the frames alternately for 30 and 15 frames/s and overshoot its
  // target by a fifth for seconds after each step up the ladder. Frames skipped for pushback buy
  // nothing either: with their time credited, the frames kept would be larger and the queue the
  // skipping is meant to drain would not. A longer gap (the source stalled) is credited, capped.
  const int64_t gap = pts - last_pts_;
  const bool skipped = std::exchange(frame_skipped_, false);
  const int64_t advance = skipped || 2 * gap <= 3 * duration ? duration : std::min(gap, max_gap);
  coded_pts_ = last_pts_ < 0 ? pts : coded_pts_ + advance;
  last_pts_ = pts;
  if (config_.max_keyframe_interval.IsFinite() &&
      pts - last_keyframe_pts_ >= config_.max_keyframe_interval.us() * kClockHz / 1'000'000) {
    keyframe_requested_ = true;
  }

  const bool layered = config_.layering != TemporalLayering::kL1T1;
  const std::span<const PatternSlot> pattern = PatternOf(config_.layering);
  if (keyframe_requested_) pattern_index_ = 0;
  const PatternSlot& slot = pattern[pattern_index_ % pattern.size()];
  ++pattern_index_;
  vpx_enc_frame_flags_t flags = 0;
  if (keyframe_requested_) {
    flags = VPX_EFLAG_FORCE_KF;
  } else if (layered) {
    flags = FlagsFor(slot);
  }
  vpx_codec_ctx_t* ctx = &context_->codec;
  if (layered) {
    // The layer whose rate control state accounts for this frame.
    vpx_codec_err_t err;
    if (config_.codec == VideoCodec::kVp8) {
      err = vpx_codec_control(ctx, VP8E_SET_TEMPORAL_LAYER_ID, static_cast<int>(slot.temporal_id));
    } else {
      vpx_svc_layer_id_t layer_id{};
      layer_id.temporal_layer_id = slot.temporal_id;
      layer_id.temporal_layer_id_per_spatial[0] = slot.temporal_id;
      err = vpx_codec_control(ctx, VP9E_SET_SVC_LAYER_ID, &layer_id);
    }
    if (err != VPX_CODEC_OK) {
      return Error{ErrorCode::kInvalidArgument, "libvpx rejected the temporal layer id"};
    }
  }

  // Wrap the caller's planes without copying; libvpx only reads them. A wrapped image owns no
  // memory (vpx_img_free would have nothing to release), so it lives on the stack. The strides
  // are set here because vpx_img_wrap rounds odd widths up, and RawVideoFrame is tightly packed.
  vpx_image_t image{};
  auto* data = const_cast<uint8_t*>(frame.i420.data());
  vpx_img_wrap(&image, VPX_IMG_FMT_I420, static_cast<unsigned>(frame.width),
               static_cast<unsigned>(frame.height), 1, data);
  const int chroma_width = (frame.width + 1) / 2;
  const size_t luma_size = static_cast<size_t>(frame.width) * static_cast<size_t>(frame.height);
  const size_t chroma_size =
      static_cast<size_t>(chroma_width) * static_cast<size_t>((frame.height + 1) / 2);
  image.planes[VPX_PLANE_Y] = data;
  image.planes[VPX_PLANE_U] = data + luma_size;
  image.planes[VPX_PLANE_V] = data + luma_size + chroma_size;
  image.stride[VPX_PLANE_Y] = frame.width;
  image.stride[VPX_PLANE_U] = chroma_width;
  image.stride[VPX_PLANE_V] = chroma_width;

  if (vpx_codec_encode(ctx, &image, coded_pts_, static_cast<unsigned long>(coded_duration_), flags,
                       VPX_DL_REALTIME) != VPX_CODEC_OK) {
    return Error{ErrorCode::kMalformed, vpx_codec_err_to_string(ctx->err)};
  }

  EncodedVideoFrame out;
  bool keyframe = false;
  vpx_codec_iter_t iter = nullptr;
  while (const vpx_codec_cx_pkt_t* packet = vpx_codec_get_cx_data(ctx, &iter)) {
    if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
    const auto* bytes = static_cast<const uint8_t*>(packet->data.frame.buf);
    out.data.insert(out.data.end(), bytes, bytes + packet->data.frame.sz);
    keyframe = keyframe || (packet->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
  }
  if (out.data.empty()) {
    ++stats_.frames_dropped;
    return std::optional<EncodedVideoFrame>();
  }

  out.codec = config_.codec;
  out.keyframe = keyframe;
  out.width = config_.width;
  out.height = config_.height;
  out.capture_time = frame.capture_time;
  out.frame_id = frame.frame_id;
  if (keyframe) {
    // A keyframe refreshes every buffer and is the start of the pattern, whatever caused it.
    out.temporal_id = 0;
    pattern_index_ = 1;
    keyframe_requested_ = false;
    last_keyframe_pts_ = pts;
    buffers_.fill(ReferenceBuffer{true, frame.frame_id, 0});
    ++stats_.keyframes;
  } else {
    out.temporal_id = slot.temporal_id;
    bool only_base = true;
    for (int b = 0; b < kBufferCount; ++b) {
      const ReferenceBuffer& buffer = buffers_[static_cast<size_t>(b)];
      if (!(slot.references & (1 << b)) || !buffer.valid) continue;
      if (std::find(out.references.begin(), out.references.end(), buffer.frame_id) ==
          out.references.end()) {
        out.references.push_back(buffer.frame_id);
      }
      only_base = only_base && buffer.temporal_id == 0;
    }
    // RFC 7741 §4.2 Y bit / RFC 9628 U bit: an upper-layer frame predicted from TL0 only.
    out.layer_sync = slot.temporal_id > 0 && only_base;
    out.non_reference = slot.updates == 0;
    for (int b = 0; b < kBufferCount; ++b) {
      if (slot.updates & (1 << b)) {
        buffers_[static_cast<size_t>(b)] = ReferenceBuffer{true, frame.frame_id, slot.temporal_id};
      }
    }
  }
  ++stats_.frames_encoded;
  stats_.bytes += DataSize::Bytes(static_cast<int64_t>(out.data.size()));
  return std::optional<EncodedVideoFrame>(std::move(out));
}

}  // namespace comodal::engine
