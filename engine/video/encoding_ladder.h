#ifndef ENGINE_VIDEO_ENCODING_LADDER_H_
#define ENGINE_VIDEO_ENCODING_LADDER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "transport/base/result.h"
#include "transport/units/data_rate.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// One operating point of the video encoder.
struct LadderRung {
  int width;
  int height;
  double frame_rate;

  friend bool operator==(const LadderRung&, const LadderRung&) = default;
};

struct EncodingLadderConfig {
  // The top rung: what the camera delivers and the encoder is first configured for.
  int width = 640;
  int height = 360;
  double frame_rate = 30;
  // Bits per pixel (per frame) a rung needs at least: rate >= min_bits_per_pixel * w * h * fps.
  double min_bits_per_pixel = 0.06;
  double min_frame_rate = 10;
  // The rung above needs this times its minimum to step up: the gap between the step-down and the
  // step-up thresholds is the hysteresis.
  double step_up_margin = 1.3;
  TimeDelta min_time_between_steps = TimeDelta::Seconds(2);    // Any step.
  TimeDelta min_time_before_step_up = TimeDelta::Seconds(10);  // Since the last step down.
  // Encoder feedback: when the encoder's rate control drops more than this share of the frames
  // offered over `drop_window` (and at least kMinFramesForDropDecision were offered), the rung is
  // too demanding for this content at this rate: step down and remember the rate that failed.
  double max_drop_share = 0.15;
  TimeDelta drop_window = TimeDelta::Seconds(2);
  // Encoder results this soon after a step (or the start) are not counted: the encoder has just
  // been reconfigured, and after a size change its keyframe is repaid by dropping the next frames
  // (VpxEncoder caps it at 150 ms of the rate, more on complex pictures). Counting those drops
  // would step again, costing another keyframe: a keyframe storm down the ladder.
  TimeDelta drop_settle_time = TimeDelta::Seconds(1);
};

enum class LadderReason : uint8_t { kStart, kRateDown, kRateUp, kEncoderDrops };

// The caller applies `to` (VpxEncoder::SetFrameRate, and on a size change SetResolution plus the
// scaler) when it differs from `from`. `rate` is the video target the decision was made at.
struct LadderChange {
  LadderRung from;
  LadderRung to;
  LadderReason reason;
  DataRate rate;
};

// The adaptive encoding ladder: given the video's bitrate target from congestion control, picks
// the frame rate and then the resolution, "bitrate, then frame rate, then resolution": lowering
// the frame rate is free, while a VP8 resolution change costs a keyframe (and a large one on a
// narrow link), so resolution is the last resort and steps are spaced and damped:
// - a step down happens as soon as the rate is below the current rung's minimum (to the highest
//   rung whose minimum the rate meets, several rungs at once on a big drop), at most once per
//   min_time_between_steps;
// - a step up is one rung at a time, needs step_up_margin x the rung's minimum, and waits
//   min_time_before_step_up after a step down and min_time_between_steps after any step;
//   until the first step down (the target ramping up from the start rate) it goes straight to
//   the highest rung the rate meets with that margin, at once;
// - sustained encoder frame drops step down one rung and raise that rung's learned minimum to
//   kLearnedMinimumFactor x the current rate, so it is not re-entered until the rate is clearly
//   higher (the content, not the rate model, decided).
// Rungs, from the top (F = config frame rate, sizes rounded down to even numbers, to multiples
// of 4 when that keeps the aspect ratio within 1 %, frame rates never below min_frame_rate and
// rungs that would repeat the one above left out):
//   full size at F, 2F/3, F/2; 3/4 size at F/2; 1/2 size at F/2, F/3; 1/4 size at F/3 if at
//   least 64 px wide.
// A pure state machine: no clock, no threads, every input carries its time.
class EncodingLadder {
 public:
  static constexpr int kMinFramesForDropDecision = 10;
  static constexpr double kLearnedMinimumFactor = 1.25;
  static constexpr int kMinRungWidth = 64;

  // Checks a configuration (for start-up errors a person can act on). The constructor accepts
  // any configuration and clamps what it cannot use, so it always has at least one rung.
  static Status Validate(const EncodingLadderConfig& config);

  explicit EncodingLadder(const EncodingLadderConfig& config);

  const EncodingLadderConfig& config() const { return config_; }
  const std::vector<LadderRung>& rungs() const { return rungs_; }  // Top first.
  const LadderRung& rung() const { return rungs_[index_]; }
  size_t index() const { return index_; }
  // The rate rung `index` needs now: its bits-per-pixel minimum, or the learned one if higher.
  DataRate MinimumRate(size_t index) const;

  // The video's bitrate target changed (or periodic call, so a step held back by the spacing
  // rules is taken once allowed). The first call picks the rung directly (reason kStart, from =
  // the top rung) and always returns a change.
  [[nodiscard]] std::optional<LadderChange> OnTargetRate(DataRate video_rate, Timestamp now);
  // Per frame offered to the encoder (after ShouldEncode): encoded (true) or dropped by its rate
  // control (false). Ignored before the first OnTargetRate and within drop_settle_time of a step.
  [[nodiscard]] std::optional<LadderChange> OnEncoderResult(bool encoded, Timestamp now);
  // Frame-rate decimation: should the input frame captured at `capture_time` be encoded at the
  // current rung's frame rate? Input comes at the top frame rate. The capture-time gap to the
  // previous input frame is rounded to whole input frame intervals (so jitter below half an
  // interval does not matter), and frame n is kept when floor(n * f / F) advances: 30 -> 15
  // keeps every other frame, 30 -> 20 two of three, evenly spaced, never drifting.
  bool ShouldEncode(Timestamp capture_time);

  static const char* ReasonName(LadderReason reason);

 private:
  LadderChange StepTo(size_t index, LadderReason reason, DataRate rate, Timestamp now);
  // The highest rung at or below `from` whose minimum `rate` meets; the bottom one if none.
  size_t HighestRungFor(DataRate rate, size_t from) const;
  bool SpacingAllows(Timestamp now) const;

  struct EncoderResult {
    Timestamp at;
    bool encoded;
  };

  EncodingLadderConfig config_;
  std::vector<LadderRung> rungs_;
  std::vector<DataRate> base_minimum_;
  std::vector<DataRate> learned_minimum_;
  size_t index_ = 0;
  bool started_ = false;
  DataRate last_rate_ = DataRate::Zero();
  std::optional<Timestamp> last_step_;
  std::optional<Timestamp> last_step_down_;
  std::deque<EncoderResult> results_;
  int drops_in_window_ = 0;
  // Decimation: index of the last input frame (in input frame intervals) and its capture time.
  std::optional<Timestamp> last_capture_;
  int64_t input_index_ = 0;
};

}  // namespace comodal::engine

#endif  // ENGINE_VIDEO_ENCODING_LADDER_H_
