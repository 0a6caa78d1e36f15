#ifndef TRANSPORT_LINK_CAPACITY_SCHEDULE_H_
#define TRANSPORT_LINK_CAPACITY_SCHEDULE_H_

#include <vector>

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
  // Steps in increasing `at`; the first must be at zero. (Validated by the profile loader.)
  explicit CapacitySchedule(std::vector<Step> steps) : steps_(std::move(steps)) {}

  DataRate RateAt(TimeDelta since_start) const;
  // When a packet of `size` whose transmission starts at `start` (since the link started) has
  // been fully serialised, integrating the rate across steps. +inf if the rate stays zero.
  TimeDelta TransmissionEnd(TimeDelta start, DataSize size) const;

  const std::vector<Step>& steps() const { return steps_; }

 private:
  std::vector<Step> steps_;
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_CAPACITY_SCHEDULE_H_
