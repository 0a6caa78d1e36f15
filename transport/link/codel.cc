#include "transport/link/codel.h"

#include <cmath>

namespace comodal::link {

Timestamp CoDel::NextDrop(Timestamp from) const {
  return from + config_.interval / std::sqrt(static_cast<double>(count_));
}

bool CoDel::AboveTargetForAnInterval(Timestamp head_time, TimeDelta sojourn) {
  if (sojourn < config_.target) {
    first_above_time_ = Timestamp::MinusInfinity();
    return false;
  }
  if (first_above_time_.IsMinusInfinity()) {
    first_above_time_ = head_time + config_.interval;
    return false;
  }
  return head_time >= first_above_time_;
}

bool CoDel::ShouldDrop(Timestamp head_time, TimeDelta sojourn) {
  const bool ok_to_drop = AboveTargetForAnInterval(head_time, sojourn);
  bool drop = false;
  if (dropping_) {
    if (!ok_to_drop) {
      dropping_ = false;
    } else if (head_time >= drop_next_) {
      ++count_;
      drop_next_ = NextDrop(drop_next_);
      drop = true;
    }
  } else if (ok_to_drop) {
    dropping_ = true;
    // RFC 8289 §5.5: if the last dropping state ended recently, start from the drop rate it had
    // reached rather than from one drop per interval.
    const uint32_t delta = count_ - last_count_;
    count_ = (delta > 1 && head_time - drop_next_ < config_.interval * 16) ? delta : 1;
    last_count_ = count_;
    drop_next_ = NextDrop(head_time);
    drop = true;
  }
  drops_ += drop;
  return drop;
}

}  // namespace comodal::link
