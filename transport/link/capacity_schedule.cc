#include "transport/link/capacity_schedule.h"

#include <algorithm>

namespace comodal::link {

DataRate CapacitySchedule::RateAt(TimeDelta since_start) const {
  DataRate rate = DataRate::Zero();
  for (const Step& step : steps_) {
    if (step.at > since_start) break;
    rate = step.rate;
  }
  return rate;
}

TimeDelta CapacitySchedule::TransmissionEnd(TimeDelta start, DataSize size) const {
  // Index of the step in force at `start`.
  auto it = std::upper_bound(steps_.begin(), steps_.end(), start,
                             [](TimeDelta t, const Step& step) { return t < step.at; });
  if (it == steps_.begin()) return TimeDelta::PlusInfinity();
  size_t index = static_cast<size_t>(it - steps_.begin()) - 1;
  TimeDelta now = start;
  // Bits still to send, kept in bits to avoid rounding a partial segment to whole bytes.
  double bits_left = size.bits_f();
  while (true) {
    const DataRate rate = steps_[index].rate;
    const bool last = index + 1 == steps_.size();
    const TimeDelta segment_end = last ? TimeDelta::PlusInfinity() : steps_[index + 1].at;
    if (rate > DataRate::Zero()) {
      const TimeDelta needed = TimeDelta::Seconds(bits_left / rate.bps_f());
      if (now + needed <= segment_end) return now + needed;
      bits_left -= rate.bps_f() * (segment_end - now).seconds_f();
    }
    if (last) return TimeDelta::PlusInfinity();
    now = segment_end;
    ++index;
  }
}

}  // namespace comodal::link
