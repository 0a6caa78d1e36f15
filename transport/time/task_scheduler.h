#ifndef TRANSPORT_TIME_TASK_SCHEDULER_H_
#define TRANSPORT_TIME_TASK_SCHEDULER_H_

#include <functional>
#include <memory>

#include "transport/time/task.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// Cancels a posted task. Cancelling after the task ran, or twice, does nothing. A default
// handle refers to no task.
class TaskHandle {
 public:
  TaskHandle() = default;
  explicit TaskHandle(std::shared_ptr<bool> alive) : alive_(std::move(alive)) {}

  void Cancel() {
    if (alive_) *alive_ = false;
  }
  // True while the task is still due to run.
  bool pending() const { return alive_ && *alive_; }

 private:
  std::shared_ptr<bool> alive_;
};

// One node's event loop: every protocol object of a node runs its tasks here, one at a time,
// in the order of their due time (FIFO among equal times). Implemented in real time on
// Boost.Asio (transport/net/asio_scheduler.h) and in simulated time (SimulatedLoop).
class TaskScheduler {
 public:
  virtual ~TaskScheduler() = default;

  virtual Timestamp Now() const = 0;

  // Runs `task` soon, after tasks already due.
  void PostTask(Task task) { DoPost(TimeDelta::Zero(), std::move(task)); }
  // Runs `task` once `delay` has passed (a negative delay counts as zero).
  TaskHandle PostDelayedTask(TimeDelta delay, Task task);
  // Runs `task` after `first_delay`, then again after each delay it returns, until it returns
  // an infinite delay or the handle is cancelled.
  TaskHandle StartRepeating(TimeDelta first_delay, std::function<TimeDelta()> task);

 protected:
  virtual void DoPost(TimeDelta delay, Task task) = 0;

 private:
  using RepeatingFn = std::function<TimeDelta()>;
  void PostRepeat(TimeDelta delay, std::shared_ptr<bool> alive, std::shared_ptr<RepeatingFn> fn);
};

}  // namespace comodal

#endif  // TRANSPORT_TIME_TASK_SCHEDULER_H_
