#include "transport/time/task_scheduler.h"

#include <utility>

namespace comodal {

TaskHandle TaskScheduler::PostDelayedTask(TimeDelta delay, Task task) {
  auto alive = std::make_shared<bool>(true);
  DoPost(delay, [alive, task = std::move(task)]() mutable {
    if (!*alive) return;
    *alive = false;
    task();
  });
  return TaskHandle(alive);
}

TaskHandle TaskScheduler::StartRepeating(TimeDelta first_delay, std::function<TimeDelta()> task) {
  auto alive = std::make_shared<bool>(true);
  PostRepeat(first_delay, alive, std::make_shared<RepeatingFn>(std::move(task)));
  return TaskHandle(alive);
}

void TaskScheduler::PostRepeat(TimeDelta delay, std::shared_ptr<bool> alive,
                               std::shared_ptr<RepeatingFn> fn) {
  DoPost(delay, [this, alive = std::move(alive), fn = std::move(fn)]() mutable {
    if (!*alive) return;
    TimeDelta next = (*fn)();
    if (!*alive || next.IsPlusInfinity()) {
      *alive = false;
      return;
    }
    PostRepeat(next, std::move(alive), std::move(fn));
  });
}

}  // namespace comodal
