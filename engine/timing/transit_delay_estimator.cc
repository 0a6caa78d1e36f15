#include "engine/timing/transit_delay_estimator.h"

#include <algorithm>
#include <vector>

namespace comodal::engine {

void TransitDelayEstimator::Update(TimeDelta media_time, Timestamp arrival) {
  const TimeDelta transit = (arrival - Timestamp::Zero()) - media_time;
  recent_.push_back({arrival, transit});
  // A monotonic deque: the windowed minimum in amortised constant time.
  while (!minimum_.empty() && minimum_.back().transit >= transit) minimum_.pop_back();
  minimum_.push_back({arrival, transit});
  while (!recent_.empty() && arrival - recent_.front().arrival > window_) recent_.pop_front();
  while (!minimum_.empty() && arrival - minimum_.front().arrival > window_) minimum_.pop_front();
  stale_ = true;
}

TimeDelta TransitDelayEstimator::jitter_delay() const {
  if (!stale_) return jitter_delay_;
  stale_ = false;
  const TimeDelta base = minimum_.front().transit;
  std::vector<TimeDelta> excess;
  excess.reserve(recent_.size());
  for (const Transit& t : recent_) excess.push_back(t.transit - base);
  const size_t rank = std::min(excess.size() - 1,
                               static_cast<size_t>(quantile_ * static_cast<double>(excess.size())));
  std::nth_element(excess.begin(), excess.begin() + static_cast<ptrdiff_t>(rank), excess.end());
  jitter_delay_ = excess[rank];
  return jitter_delay_;
}

std::optional<TimeDelta> TransitDelayEstimator::base_transit() const {
  if (minimum_.empty()) return std::nullopt;
  return minimum_.front().transit;
}

}  // namespace comodal::engine
