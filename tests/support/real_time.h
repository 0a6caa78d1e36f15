#ifndef TESTS_SUPPORT_REAL_TIME_H_
#define TESTS_SUPPORT_REAL_TIME_H_

#include <functional>

#include "transport/net/asio_scheduler.h"

namespace comodal::testing {

// Runs `scheduler` until `done()` holds (checked every 5 ms) or `bound` of real time has passed,
// and returns done(). A real-time test waits for the outcome it expects, not for a fixed window
// that must contain the whole exchange: a loaded machine (2 cores, sanitizers) may take several
// times longer than an idle one, and the bound only decides how long a broken run takes to fail.
// Returns early, with done() as it is, if a handler calls scheduler.Stop().
inline bool RunUntil(AsioScheduler& scheduler, const std::function<bool()>& done, TimeDelta bound) {
  if (done()) return true;
  TaskHandle check = scheduler.StartRepeating(TimeDelta::Zero(), [&] {
    if (!done()) return TimeDelta::Millis(5);
    scheduler.Stop();
    return TimeDelta::PlusInfinity();
  });
  scheduler.RunFor(bound);
  check.Cancel();
  return done();
}

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_REAL_TIME_H_
