#include "session/clock/clock_offset_estimator.h"

#include <algorithm>

namespace comodal::session {

bool ClockOffsetEstimator::OnExchange(const Exchange& exchange) {
  if (exchange.received < exchange.sent || exchange.hub_sent < exchange.hub_received ||
      exchange.Delay() < TimeDelta::Zero()) {
    return false;
  }
  recent_.push_back(exchange);
  while (recent_.size() > config_.window ||
         (recent_.size() > 1 && exchange.received - recent_.front().received > config_.max_age)) {
    recent_.pop_front();
  }
  return true;
}

std::optional<TimeDelta> ClockOffsetEstimator::offset() const {
  if (recent_.empty()) return std::nullopt;
  const auto best =
      std::min_element(recent_.begin(), recent_.end(),
                       [](const auto& a, const auto& b) { return a.Delay() < b.Delay(); });
  return best->Offset();
}

std::optional<Timestamp> ClockOffsetEstimator::HubTime(Timestamp local) const {
  if (auto o = offset()) return local + *o;
  return std::nullopt;
}

}  // namespace comodal::session
