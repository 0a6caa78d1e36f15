#ifndef SESSION_CLOCK_CLOCK_OFFSET_ESTIMATOR_H_
#define SESSION_CLOCK_CLOCK_OFFSET_ESTIMATOR_H_

#include <deque>
#include <optional>

#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::session {

// A site's estimate of the hub's clock, so that a timer ends at the same instant everywhere.
// NTP's on-wire exchange (RFC 5905 §8): a probe leaves the site at t1 (site clock), reaches the
// hub at t2 and is answered at t3 (hub clock), and the answer is back at t4 (site clock). Then
// offset = ((t2 - t1) + (t3 - t4)) / 2 and round-trip delay = (t4 - t1) - (t3 - t2). The offset
// is off by half the difference between the two one-way delays, and queuing (a modem buffer, a
// burst of video) only ever adds delay: of the recent exchanges, the one with the smallest delay
// is the one least disturbed (RFC 5905 §10, the clock filter). A pure state machine.
class ClockOffsetEstimator {
 public:
  struct Config {
    // Exchanges kept to pick the least-delayed from; older ones also age out so that the clock's
    // drift (tens of ppm) does not stay in the estimate.
    size_t window = 8;
    TimeDelta max_age = TimeDelta::Seconds(64);
  };
  struct Exchange {
    Timestamp sent;          // t1, site clock.
    Timestamp hub_received;  // t2, hub clock.
    Timestamp hub_sent;      // t3, hub clock.
    Timestamp received;      // t4, site clock.

    TimeDelta Offset() const { return ((hub_received - sent) + (hub_sent - received)) / 2; }
    TimeDelta Delay() const { return (received - sent) - (hub_sent - hub_received); }
  };

  ClockOffsetEstimator() : ClockOffsetEstimator(Config{}) {}
  explicit ClockOffsetEstimator(Config config) : config_(config) {}

  // False (and ignored) if the exchange is impossible: an answer before its probe, or a hub
  // that answered before it received.
  bool OnExchange(const Exchange& exchange);
  // Hub clock minus site clock; nullopt before the first exchange.
  std::optional<TimeDelta> offset() const;
  // The hub's time at site time `local`.
  std::optional<Timestamp> HubTime(Timestamp local) const;

 private:
  Config config_;
  std::deque<Exchange> recent_;
};

}  // namespace comodal::session

#endif  // SESSION_CLOCK_CLOCK_OFFSET_ESTIMATOR_H_
