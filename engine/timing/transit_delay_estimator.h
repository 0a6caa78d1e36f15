#ifndef ENGINE_TIMING_TRANSIT_DELAY_ESTIMATOR_H_
#define ENGINE_TIMING_TRANSIT_DELAY_ESTIMATOR_H_

#include <deque>
#include <optional>

#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// How late media arrives, for a receive buffer to size its delay. Each arrival's "transit" is its
// arrival time minus its media time (RTP timestamp in time units); only differences between
// transits mean anything, since the two clocks have an unknown offset. Over a sliding window the
// estimator keeps the smallest transit (the fastest arrival: the base the media can be played
// against) and the delay above that base which covers `quantile` of the arrivals (the jitter to
// wait for). A few outliers beyond the quantile do not move it, and it forgets the past after
// `window`, so it follows a link whose delay changes.
class TransitDelayEstimator {
 public:
  TransitDelayEstimator(double quantile, TimeDelta window) : quantile_(quantile), window_(window) {}

  void Update(TimeDelta media_time, Timestamp arrival);

  // The window's smallest transit; nullopt before the first arrival.
  std::optional<TimeDelta> base_transit() const;
  // The quantile of transit above the base (zero before the first arrival). Worked out when
  // asked after new arrivals, not at every arrival: video feeds every packet and asks per frame.
  TimeDelta jitter_delay() const;

 private:
  struct Transit {
    Timestamp arrival;
    TimeDelta transit;
  };
  double quantile_;
  TimeDelta window_;
  std::deque<Transit> recent_;
  std::deque<Transit> minimum_;  // Increasing transit: the front is the window's minimum.
  mutable TimeDelta jitter_delay_ = TimeDelta::Zero();
  mutable bool stale_ = false;  // Arrivals since jitter_delay_ was worked out.
};

}  // namespace comodal::engine

#endif  // ENGINE_TIMING_TRANSIT_DELAY_ESTIMATOR_H_
