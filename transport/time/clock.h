#ifndef TRANSPORT_TIME_CLOCK_H_
#define TRANSPORT_TIME_CLOCK_H_

#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// Where "now" comes from. Algorithms never read a clock themselves: their drivers do, and pass
// the time in with each event. Drivers take a Clock so that tests can hand them simulated time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// Monotonic wall time (std::chrono::steady_clock), for real-time nodes.
class RealClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// Time that moves only when told to, for simulations and tests.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(Timestamp start) : now_(start) {}

  Timestamp Now() const override { return now_; }
  // Moves time forward to `to`; a time in the past leaves the clock where it is (time never
  // runs backwards).
  void AdvanceTo(Timestamp to);
  void AdvanceBy(TimeDelta delta) { AdvanceTo(now_ + delta); }

 private:
  Timestamp now_;
};

}  // namespace comodal

#endif  // TRANSPORT_TIME_CLOCK_H_
