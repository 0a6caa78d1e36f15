#include "transport/time/simulated_loop.h"

#include <algorithm>
#include <utility>

namespace comodal {
namespace {

// std::*_heap build a max-heap; "greater" puts the earliest (at, order) on top.
struct Later {
  template <typename E>
  bool operator()(const E& a, const E& b) const {
    if (a.at != b.at) return a.at > b.at;
    return a.order > b.order;
  }
};

}  // namespace

SimulatedLoop::SimulatedLoop(Timestamp start) : clock_(start) {}

void SimulatedLoop::DoPost(TimeDelta delay, Task task) {
  if (delay < TimeDelta::Zero()) delay = TimeDelta::Zero();
  queue_.push_back(Entry{Now() + delay, next_order_++, std::move(task)});
  std::push_heap(queue_.begin(), queue_.end(), Later{});
}

Timestamp SimulatedLoop::NextTaskTime() const {
  return queue_.empty() ? Timestamp::PlusInfinity() : queue_.front().at;
}

void SimulatedLoop::RunNext() {
  std::pop_heap(queue_.begin(), queue_.end(), Later{});
  Entry entry = std::move(queue_.back());
  queue_.pop_back();
  clock_.AdvanceTo(entry.at);
  ++tasks_run_;
  entry.task();
}

void SimulatedLoop::RunFor(TimeDelta duration) {
  const Timestamp end = Now() + duration;
  while (!queue_.empty() && queue_.front().at <= end) RunNext();
  clock_.AdvanceTo(end);
}

bool SimulatedLoop::RunUntil(const std::function<bool()>& done, TimeDelta timeout) {
  const Timestamp deadline = Now() + timeout;
  while (!done()) {
    if (queue_.empty()) return false;
    if (queue_.front().at > deadline) {
      clock_.AdvanceTo(deadline);
      return false;
    }
    RunNext();
  }
  return true;
}

void SimulatedLoop::RunDue() {
  while (!queue_.empty() && queue_.front().at <= Now()) RunNext();
}

}  // namespace comodal
