#ifndef TRANSPORT_NET_ASIO_SCHEDULER_H_
#define TRANSPORT_NET_ASIO_SCHEDULER_H_

#include <functional>
#include <initializer_list>
#include <memory>

#include "transport/base/library_check.h"
#include "transport/time/clock.h"
#include "transport/time/task_scheduler.h"

namespace comodal {

// The real-time event loop of a node, on a Boost.Asio io_context run by one thread. Asio stays
// behind this header: other code sees only TaskScheduler.
class AsioScheduler final : public TaskScheduler {
 public:
  AsioScheduler();
  ~AsioScheduler() override;
  AsioScheduler(const AsioScheduler&) = delete;
  AsioScheduler& operator=(const AsioScheduler&) = delete;

  Timestamp Now() const override { return clock_.Now(); }
  const Clock& clock() const { return clock_; }

  // Runs handlers on the calling thread until Stop() is called (keeps running when idle).
  void Run();
  // Runs handlers for at most `duration` of real time, or until Stop().
  void RunFor(TimeDelta duration);
  // Makes Run()/RunFor() return; safe to call from a handler or another thread.
  void Stop();
  // Calls `handler(signal_number)` on this loop each time one of `signals` (SIGINT, SIGTERM, ...)
  // arrives, instead of the default action, for as long as the scheduler lives. One call per
  // scheduler.
  void OnSignals(std::initializer_list<int> signals, std::function<void(int)> handler);

  struct Impl;
  Impl& impl() { return *impl_; }

 protected:
  void DoPost(TimeDelta delay, Task task) override;

 private:
  RealClock clock_;
  std::unique_ptr<Impl> impl_;
};

// Boost version (Asio is header-only; the UDP round trip of `comodal selfcheck` exercises it).
LibraryCheck CheckBoost();

}  // namespace comodal

#endif  // TRANSPORT_NET_ASIO_SCHEDULER_H_
