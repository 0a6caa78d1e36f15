#include "transport/time/clock.h"

#include <chrono>

namespace comodal {

Timestamp RealClock::Now() const {
  auto since_epoch = std::chrono::steady_clock::now().time_since_epoch();
  return Timestamp::Micros(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

void SimulatedClock::AdvanceTo(Timestamp to) {
  if (to > now_) now_ = to;
}

}  // namespace comodal
