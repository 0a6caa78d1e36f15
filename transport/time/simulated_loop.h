#ifndef TRANSPORT_TIME_SIMULATED_LOOP_H_
#define TRANSPORT_TIME_SIMULATED_LOOP_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "transport/time/clock.h"
#include "transport/time/task_scheduler.h"

namespace comodal {

// A discrete-event loop in simulated time: tasks run in order of due time, FIFO among equal
// times, and the clock jumps straight to the next task. Ten minutes of a lesson run in as long
// as its tasks take to execute; the same inputs always give the same order of events.
class SimulatedLoop final : public TaskScheduler {
 public:
  explicit SimulatedLoop(Timestamp start = Timestamp::Seconds(1'000));
  SimulatedLoop(const SimulatedLoop&) = delete;
  SimulatedLoop& operator=(const SimulatedLoop&) = delete;

  Timestamp Now() const override { return clock_.Now(); }
  const Clock& clock() const { return clock_; }

  // Runs every task due up to Now() + duration, then leaves the clock at exactly that time.
  void RunFor(TimeDelta duration);
  // Runs tasks until `done()` holds (checked before each task), no task is left, or `timeout`
  // of simulated time has passed. Returns done(). On timeout the clock is left at the deadline.
  bool RunUntil(const std::function<bool()>& done, TimeDelta timeout = TimeDelta::PlusInfinity());
  // Runs the tasks due at or before Now(), including ones they post for Now().
  void RunDue();

  size_t pending_tasks() const { return queue_.size(); }
  // Due time of the earliest task, or +inf when idle.
  Timestamp NextTaskTime() const;
  uint64_t tasks_run() const { return tasks_run_; }

 protected:
  void DoPost(TimeDelta delay, Task task) override;

 private:
  struct Entry {
    Timestamp at;
    uint64_t order;
    Task task;
  };
  // Pops and runs the earliest task, advancing the clock to its due time.
  void RunNext();

  SimulatedClock clock_;
  std::vector<Entry> queue_;  // A min-heap on (at, order).
  uint64_t next_order_ = 0;
  uint64_t tasks_run_ = 0;
};

}  // namespace comodal

#endif  // TRANSPORT_TIME_SIMULATED_LOOP_H_
