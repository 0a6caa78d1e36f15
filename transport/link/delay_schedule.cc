#include "transport/link/delay_schedule.h"

#include "transport/link/piecewise_linear.h"

#include <algorithm>

namespace comodal::link {

TimeDelta DelaySchedule::DelayAt(TimeDelta since_start) const {
  return PiecewiseLinearAt(points_, &Point::delay, since_start);
}

TimeDelta DelaySchedule::Min() const {
  TimeDelta min = TimeDelta::PlusInfinity();
  for (const Point& point : points_) min = std::min(min, point.delay);
  return min;
}

}  // namespace comodal::link
