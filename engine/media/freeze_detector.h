#ifndef ENGINE_MEDIA_FREEZE_DETECTOR_H_
#define ENGINE_MEDIA_FREEZE_DETECTOR_H_

#include <cstdint>
#include <deque>

#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// Counts video freezes as DESIGN.md defines them: a gap between two rendered frames longer than
// max(3 x the mean frame interval, mean + 150 ms), the mean taken over the recent intervals that
// were not freezes themselves (the rule of WebRTC's freeze statistics, as the W3C
// webrtc-stats freezeCount describes it).
class FreezeDetector {
 public:
  static constexpr size_t kMeanWindow = 30;  // Intervals: one second at 30 fps.

  void OnFrameRendered(Timestamp at);
  // The stream ended at `at` (the sender said BYE): a picture stalled since the last frame
  // counts as a freeze like any other gap, although no frame closes it.
  void OnStreamEnd(Timestamp at);

  uint64_t frames() const { return frames_; }
  uint64_t freezes() const { return freezes_; }
  TimeDelta total_freeze_duration() const { return total_freeze_; }
  TimeDelta longest_gap() const { return longest_gap_; }
  TimeDelta mean_interval() const;

 private:
  Timestamp last_ = Timestamp::MinusInfinity();
  std::deque<TimeDelta> intervals_;
  TimeDelta interval_sum_ = TimeDelta::Zero();
  uint64_t frames_ = 0;
  uint64_t freezes_ = 0;
  TimeDelta total_freeze_ = TimeDelta::Zero();
  TimeDelta longest_gap_ = TimeDelta::Zero();
};

}  // namespace comodal::engine

#endif  // ENGINE_MEDIA_FREEZE_DETECTOR_H_
