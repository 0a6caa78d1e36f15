#ifndef TRANSPORT_LINK_PIECEWISE_LINEAR_H_
#define TRANSPORT_LINK_PIECEWISE_LINEAR_H_

#include <algorithm>
#include <iterator>
#include <vector>

#include "transport/units/time_delta.h"

namespace comodal::link {

// The value at `t` of a curve given as points (`Point::at`, `Point::*value`) in increasing time,
// joined by straight lines and held flat before the first and after the last. Used for delay
// traces and rain attenuation profiles. `points` must not be empty.
template <typename Point, typename Value>
Value PiecewiseLinearAt(const std::vector<Point>& points, Value Point::*value, TimeDelta t) {
  auto after = std::upper_bound(points.begin(), points.end(), t,
                                [](TimeDelta at, const Point& point) { return at < point.at; });
  if (after == points.begin()) return points.front().*value;
  if (after == points.end()) return points.back().*value;
  const Point& before = *std::prev(after);
  const double fraction = (t - before.at) / (after->at - before.at);
  return before.*value + ((*after).*value - before.*value) * fraction;
}

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_PIECEWISE_LINEAR_H_
