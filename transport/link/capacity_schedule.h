#ifndef TRANSPORT_LINK_CAPACITY_SCHEDULE_H_
#define TRANSPORT_LINK_CAPACITY_SCHEDULE_H_

#include <string>
#include <string_view>
#include <vector>

#include "transport/base/result.h"

#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::link {

// Bottleneck capacity over time, piecewise constant: `rate` from `at` (time since the link
// started) until the next step. A constant link is one step at zero; a rain fade or an RMCAT
// test case is a list of steps.
class CapacitySchedule {
 public:
  struct Step {
    TimeDelta at;
    DataRate rate;
  };

  static CapacitySchedule Constant(DataRate rate) {
    return CapacitySchedule({{TimeDelta::Zero(), rate}});
  }
  // Steps in increasing `at`; the first must be at zero. (Validated by the profile loader.) With
  // a positive `repeat_period` the schedule starts over every period (a looping trace).
  explicit CapacitySchedule(std::vector<Step> steps, TimeDelta repeat_period = TimeDelta::Zero())
      : steps_(std::move(steps)), repeat_period_(repeat_period) {
    for (const Step& step : steps_) any_capacity_ |= step.rate > DataRate::Zero();
  }

  // A Mahimahi delivery-opportunity trace (Netravali et al., USENIX ATC 2015): one line per
  // opportunity to deliver a 1500-byte packet, in whole milliseconds since the start, never
  // decreasing; the trace loops with the last timestamp as its period. It becomes a fluid
  // schedule at 1 ms granularity (each millisecond carries 1500 bytes per opportunity in it), so
  // bytes per millisecond are exact and a packet may leave up to 1 ms before Mahimahi would
  // release it. Errors name the line and what is wrong with it.
  static Result<CapacitySchedule, std::string> FromMahimahiTrace(std::string_view text);

  DataRate RateAt(TimeDelta since_start) const;
  // When a packet of `size` whose transmission starts at `start` (since the link started) has
  // been fully serialised, integrating the rate across steps. +inf if the rate stays zero.
  TimeDelta TransmissionEnd(TimeDelta start, DataSize size) const;

  const std::vector<Step>& steps() const { return steps_; }
  TimeDelta repeat_period() const { return repeat_period_; }

 private:
  std::vector<Step> steps_;
  TimeDelta repeat_period_ = TimeDelta::Zero();
  bool any_capacity_ = false;  // Some step carries data (a looping schedule ends somewhere).
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_CAPACITY_SCHEDULE_H_
