#include "engine/media/freeze_detector.h"

#include <algorithm>

namespace comodal::engine {

TimeDelta FreezeDetector::mean_interval() const {
  if (intervals_.empty()) return TimeDelta::Zero();
  return interval_sum_ / static_cast<int64_t>(intervals_.size());
}

void FreezeDetector::OnStreamEnd(Timestamp at) {
  if (!last_.IsFinite() || intervals_.empty()) return;
  const TimeDelta gap = at - last_;
  const TimeDelta mean = mean_interval();
  if (gap > std::max(mean * 3, mean + TimeDelta::Millis(150))) {
    ++freezes_;
    total_freeze_ += gap;
    longest_gap_ = std::max(longest_gap_, gap);
  }
  last_ = Timestamp::MinusInfinity();
  intervals_.clear();
  interval_sum_ = TimeDelta::Zero();
}

void FreezeDetector::OnFrameRendered(Timestamp at) {
  ++frames_;
  if (!last_.IsFinite()) {
    last_ = at;
    return;
  }
  const TimeDelta gap = at - last_;
  last_ = at;
  longest_gap_ = std::max(longest_gap_, gap);
  if (!intervals_.empty()) {
    const TimeDelta mean = mean_interval();
    if (gap > std::max(mean * 3, mean + TimeDelta::Millis(150))) {
      ++freezes_;
      total_freeze_ += gap;
      return;
    }
  }
  intervals_.push_back(gap);
  interval_sum_ += gap;
  if (intervals_.size() > kMeanWindow) {
    interval_sum_ -= intervals_.front();
    intervals_.pop_front();
  }
}

}  // namespace comodal::engine
