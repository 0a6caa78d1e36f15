#include "engine/video/encoding_ladder.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace comodal::engine {
namespace {

constexpr int kMaxDimension = 16384;
constexpr double kMaxFrameRate = 240;

int EvenFloor(double value) {
  const int whole = static_cast<int>(std::floor(value));
  return whole - whole % 2;
}

// `scale` of the top size, rounded down to even numbers; to multiples of 4 when the aspect ratio
// stays within 1 % of the top's (sizes that divide into 4x4 blocks suit the codec's transforms).
LadderRung ScaledRung(int width, int height, double scale, double frame_rate) {
  const int w = EvenFloor(width * scale);
  const int h = EvenFloor(height * scale);
  const int w4 = w - w % 4;
  const int h4 = h - h % 4;
  if (w4 >= 4 && h4 >= 4) {
    const double aspect = static_cast<double>(width) / height;
    const double aspect4 = static_cast<double>(w4) / h4;
    if (std::abs(aspect4 / aspect - 1) <= 0.01) return LadderRung{w4, h4, frame_rate};
  }
  return LadderRung{w, h, frame_rate};
}

EncodingLadderConfig Clamped(EncodingLadderConfig config) {
  config.width = std::clamp(config.width, 2, kMaxDimension);
  config.height = std::clamp(config.height, 2, kMaxDimension);
  if (!(config.frame_rate > 0)) config.frame_rate = 30;
  config.frame_rate = std::min(config.frame_rate, kMaxFrameRate);
  if (!(config.min_frame_rate > 0)) config.min_frame_rate = 0;
  config.min_frame_rate = std::min(config.min_frame_rate, config.frame_rate);
  if (!(config.min_bits_per_pixel > 0)) config.min_bits_per_pixel = 0;
  if (!(config.step_up_margin >= 1)) config.step_up_margin = 1;
  return config;
}

}  // namespace

Status EncodingLadder::Validate(const EncodingLadderConfig& config) {
  if (config.width < 2 || config.height < 2 || config.width > kMaxDimension ||
      config.height > kMaxDimension) {
    return Error{ErrorCode::kInvalidArgument, "ladder width and height must be 2..16384"};
  }
  if (!(config.frame_rate > 0 && config.frame_rate <= kMaxFrameRate)) {
    return Error{ErrorCode::kInvalidArgument, "ladder frame_rate must be in (0, 240]"};
  }
  if (!(config.min_frame_rate > 0 && config.min_frame_rate <= config.frame_rate)) {
    return Error{ErrorCode::kInvalidArgument, "ladder min_frame_rate must be in (0, frame_rate]"};
  }
  if (!(config.min_bits_per_pixel > 0)) {
    return Error{ErrorCode::kInvalidArgument, "ladder min_bits_per_pixel must be > 0"};
  }
  if (!(config.step_up_margin >= 1)) {
    return Error{ErrorCode::kInvalidArgument, "ladder step_up_margin must be >= 1"};
  }
  if (config.min_time_between_steps < TimeDelta::Zero() ||
      config.min_time_before_step_up < TimeDelta::Zero() ||
      config.drop_settle_time < TimeDelta::Zero()) {
    return Error{ErrorCode::kInvalidArgument, "ladder step times must be >= 0"};
  }
  if (!(config.max_drop_share >= 0 && config.max_drop_share < 1) ||
      config.drop_window <= TimeDelta::Zero()) {
    return Error{ErrorCode::kInvalidArgument,
                 "ladder max_drop_share must be in [0, 1) and drop_window > 0"};
  }
  return Status::Ok();
}

EncodingLadder::EncodingLadder(const EncodingLadderConfig& config) : config_(Clamped(config)) {
  const int w = config_.width;
  const int h = config_.height;
  const double f = config_.frame_rate;
  const auto rate = [&](double fps) { return std::min(f, std::max(fps, config_.min_frame_rate)); };
  // Frame rate first (free to change), then resolution (a keyframe per change on VP8).
  const LadderRung candidates[] = {
      {w, h, f},
      {w, h, rate(f * 2 / 3)},
      {w, h, rate(f / 2)},
      ScaledRung(w, h, 0.75, rate(f / 2)),
      ScaledRung(w, h, 0.5, rate(f / 2)),
      ScaledRung(w, h, 0.5, rate(f / 3)),
      ScaledRung(w, h, 0.25, rate(f / 3)),
  };
  for (const LadderRung& candidate : candidates) {
    const bool top = rungs_.empty();
    if (!top && (candidate.width < kMinRungWidth || candidate.height < 2)) continue;
    if (!top && candidate == rungs_.back()) continue;
    rungs_.push_back(candidate);
    base_minimum_.push_back(DataRate::BitsPerSec(config_.min_bits_per_pixel * candidate.width *
                                                 candidate.height * candidate.frame_rate));
    learned_minimum_.push_back(DataRate::Zero());
  }
}

DataRate EncodingLadder::MinimumRate(size_t index) const {
  return std::max(base_minimum_[index], learned_minimum_[index]);
}

size_t EncodingLadder::HighestRungFor(DataRate rate, size_t from) const {
  for (size_t i = from; i < rungs_.size(); ++i) {
    if (rate >= MinimumRate(i)) return i;
  }
  return rungs_.size() - 1;
}

bool EncodingLadder::SpacingAllows(Timestamp now) const {
  return !last_step_ || now - *last_step_ >= config_.min_time_between_steps;
}

LadderChange EncodingLadder::StepTo(size_t index, LadderReason reason, DataRate rate,
                                    Timestamp now) {
  const LadderChange change{rungs_[index_], rungs_[index], reason, rate};
  if (index > index_) last_step_down_ = now;
  index_ = index;
  last_step_ = now;
  // Drops seen at the old rung say nothing about the new one.
  results_.clear();
  drops_in_window_ = 0;
  return change;
}

std::optional<LadderChange> EncodingLadder::OnTargetRate(DataRate video_rate, Timestamp now) {
  last_rate_ = video_rate;
  if (!started_) {
    // The encoder starts at the top rung: report the first choice even if it is the top, so the
    // caller configures from one place. It spaces the next step but is not a step down (the
    // target usually starts low and ramps up; climbing should not wait min_time_before_step_up).
    started_ = true;
    index_ = 0;
    LadderChange change =
        StepTo(HighestRungFor(video_rate, 0), LadderReason::kStart, video_rate, now);
    last_step_down_.reset();
    return change;
  }
  if (video_rate < MinimumRate(index_)) {
    if (index_ + 1 == rungs_.size() || !SpacingAllows(now)) return std::nullopt;
    return StepTo(HighestRungFor(video_rate, index_ + 1), LadderReason::kRateDown, video_rate, now);
  }
  if (!last_step_down_) {
    // Never stepped down since the start: the target is ramping up from the start rate (probes
    // answer within a round trip), and no rung has failed yet. Climb straight to where the rate
    // leads, with the margin but without spacing: a session should not spend its first seconds
    // at a frame rate its link never needed.
    size_t to = index_;
    while (to > 0 && video_rate >= MinimumRate(to - 1) * config_.step_up_margin) --to;
    if (to < index_) return StepTo(to, LadderReason::kRateUp, video_rate, now);
    return std::nullopt;
  }
  if (index_ > 0 && video_rate >= MinimumRate(index_ - 1) * config_.step_up_margin &&
      SpacingAllows(now) &&
      (!last_step_down_ || now - *last_step_down_ >= config_.min_time_before_step_up)) {
    return StepTo(index_ - 1, LadderReason::kRateUp, video_rate, now);
  }
  return std::nullopt;
}

std::optional<LadderChange> EncodingLadder::OnEncoderResult(bool encoded, Timestamp now) {
  if (!started_) return std::nullopt;
  if (last_step_ && now - *last_step_ < config_.drop_settle_time) return std::nullopt;
  results_.push_back(EncoderResult{now, encoded});
  if (!encoded) ++drops_in_window_;
  while (!results_.empty() && now - results_.front().at >= config_.drop_window) {
    if (!results_.front().encoded) --drops_in_window_;
    results_.pop_front();
  }
  const double offered = static_cast<double>(results_.size());
  if (offered < kMinFramesForDropDecision || drops_in_window_ <= config_.max_drop_share * offered) {
    return std::nullopt;
  }
  if (index_ + 1 == rungs_.size() || !SpacingAllows(now)) return std::nullopt;
  // The rate model said this rung fits, the encoder says it does not for this content: do not
  // come back until the rate is clearly above the one that failed.
  learned_minimum_[index_] = std::max(learned_minimum_[index_], last_rate_ * kLearnedMinimumFactor);
  return StepTo(index_ + 1, LadderReason::kEncoderDrops, last_rate_, now);
}

bool EncodingLadder::ShouldEncode(Timestamp capture_time) {
  if (!capture_time.IsFinite()) return true;  // No time to decimate on.
  if (!last_capture_) {
    last_capture_ = capture_time;
    input_index_ = 0;
    return true;
  }
  const double input_rate = config_.frame_rate;
  // Whole input intervals since the previous frame: jitter under half an interval rounds away,
  // a camera gap counts as the frames it skipped.
  const double intervals =
      std::clamp((capture_time - *last_capture_).seconds_f() * input_rate, 1.0, 1e9);
  const int64_t step = std::max<int64_t>(1, std::llround(intervals));
  last_capture_ = capture_time;
  const int64_t previous = input_index_;
  input_index_ += step;
  const double ratio = rung().frame_rate / input_rate;
  if (ratio >= 1) return true;
  // Bresenham on the frame index: exact counts and even spacing, no accumulated error. The
  // epsilon keeps exact multiples (3 * 2/3) on the right side of the floor.
  constexpr double kEpsilon = 1e-6;
  const bool keep = std::floor(static_cast<double>(input_index_) * ratio + kEpsilon) >
                    std::floor(static_cast<double>(previous) * ratio + kEpsilon);
  // Restart the count at a kept frame now and then, so the products stay exact in a double.
  if (keep && input_index_ >= (int64_t{1} << 24)) input_index_ = 0;
  return keep;
}

const char* EncodingLadder::ReasonName(LadderReason reason) {
  switch (reason) {
    case LadderReason::kStart:
      return "start";
    case LadderReason::kRateDown:
      return "rate_down";
    case LadderReason::kRateUp:
      return "rate_up";
    case LadderReason::kEncoderDrops:
      return "encoder_drops";
  }
  return "unknown";
}

}  // namespace comodal::engine
