#ifndef TRANSPORT_LINK_DELAY_SCHEDULE_H_
#define TRANSPORT_LINK_DELAY_SCHEDULE_H_

#include <vector>

#include "transport/units/time_delta.h"

namespace comodal::link {

// One-way propagation delay over time: a constant, or a trace of (time since the link started,
// delay) points joined by straight lines and held after the last point (a GEO satellite's slow
// diurnal drift, or a measured LEO delay trace). Points come in increasing time, the first at
// zero (the profile loader validates them).
class DelaySchedule {
 public:
  struct Point {
    TimeDelta at;
    TimeDelta delay;
  };

  // Implicit: a constant delay is the common case (`config.propagation_delay = 300 ms`).
  DelaySchedule(TimeDelta constant) : points_{{TimeDelta::Zero(), constant}} {}  // NOLINT
  explicit DelaySchedule(std::vector<Point> points) : points_(std::move(points)) {}

  TimeDelta DelayAt(TimeDelta since_start) const;
  TimeDelta Min() const;
  bool IsConstant() const { return points_.size() == 1; }
  const std::vector<Point>& points() const { return points_; }

 private:
  std::vector<Point> points_;
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_DELAY_SCHEDULE_H_
