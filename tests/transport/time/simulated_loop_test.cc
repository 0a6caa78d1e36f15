#include "transport/time/simulated_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace comodal {
namespace {

using ::testing::ElementsAre;

TEST(SimulatedLoopTest, RunsTasksInDueTimeOrderAndAdvancesTheClock) {
  SimulatedLoop loop(Timestamp::Seconds(100));
  std::vector<std::pair<std::string, Timestamp>> ran;
  auto record = [&](std::string name) { return [&, name] { ran.emplace_back(name, loop.Now()); }; };
  loop.PostDelayedTask(TimeDelta::Millis(300), record("c"));
  loop.PostDelayedTask(TimeDelta::Millis(100), record("a"));
  loop.PostDelayedTask(TimeDelta::Millis(200), record("b"));
  loop.RunFor(TimeDelta::Millis(250));
  ASSERT_EQ(ran.size(), 2u);
  EXPECT_EQ(ran[0], std::make_pair(std::string("a"), Timestamp::Millis(100'100)));
  EXPECT_EQ(ran[1], std::make_pair(std::string("b"), Timestamp::Millis(100'200)));
  EXPECT_EQ(loop.Now(), Timestamp::Millis(100'250));  // RunFor ends exactly at its end.
  loop.RunFor(TimeDelta::Millis(50));
  ASSERT_EQ(ran.size(), 3u);
  EXPECT_EQ(ran[2].second, Timestamp::Millis(100'300));  // A task due at the end runs.
}

TEST(SimulatedLoopTest, EqualTimesRunInPostingOrder) {
  SimulatedLoop loop;
  std::vector<int> order;
  for (int i = 0; i < 50; ++i) {
    loop.PostDelayedTask(TimeDelta::Millis(10), [&order, i] { order.push_back(i); });
  }
  loop.PostTask([&order] { order.push_back(-1); });
  loop.RunFor(TimeDelta::Millis(10));
  ASSERT_EQ(order.size(), 51u);
  EXPECT_EQ(order[0], -1);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[i + 1], i);
}

TEST(SimulatedLoopTest, TasksPostedByTasksRunAtTheRightTime) {
  SimulatedLoop loop(Timestamp::Zero());
  std::vector<Timestamp> times;
  std::function<void()> tick = [&] {
    times.push_back(loop.Now());
    if (times.size() < 4) loop.PostDelayedTask(TimeDelta::Millis(20), tick);
  };
  loop.PostTask(tick);
  loop.RunFor(TimeDelta::Seconds(1));
  EXPECT_THAT(times, ElementsAre(Timestamp::Millis(0), Timestamp::Millis(20), Timestamp::Millis(40),
                                 Timestamp::Millis(60)));
  EXPECT_EQ(loop.pending_tasks(), 0u);
}

TEST(SimulatedLoopTest, RunUntilStopsWhenDoneIdleOrTimedOut) {
  SimulatedLoop loop(Timestamp::Zero());
  int count = 0;
  loop.StartRepeating(TimeDelta::Millis(100), [&] {
    ++count;
    return TimeDelta::Millis(100);
  });
  EXPECT_TRUE(loop.RunUntil([&] { return count == 5; }));
  EXPECT_EQ(loop.Now(), Timestamp::Millis(500));
  // Times out: the predicate never holds within 1 s of simulated time.
  EXPECT_FALSE(loop.RunUntil([&] { return count == 1000; }, TimeDelta::Seconds(1)));
  EXPECT_EQ(loop.Now(), Timestamp::Millis(1500));
  EXPECT_EQ(count, 15);

  SimulatedLoop idle(Timestamp::Zero());
  EXPECT_FALSE(idle.RunUntil([] { return false; }));  // Nothing left to run.
}

TEST(SimulatedLoopTest, CancelledTasksDoNotRun) {
  SimulatedLoop loop;
  bool ran = false;
  TaskHandle handle = loop.PostDelayedTask(TimeDelta::Millis(5), [&] { ran = true; });
  EXPECT_TRUE(handle.pending());
  handle.Cancel();
  EXPECT_FALSE(handle.pending());
  loop.RunFor(TimeDelta::Millis(10));
  EXPECT_FALSE(ran);
}

TEST(SimulatedLoopTest, RepeatingTaskStopsOnInfinityOrCancel) {
  SimulatedLoop loop(Timestamp::Zero());
  int a = 0;
  loop.StartRepeating(TimeDelta::Zero(), [&] {
    ++a;
    return a < 3 ? TimeDelta::Millis(10) : TimeDelta::PlusInfinity();
  });
  int b = 0;
  TaskHandle b_handle = loop.StartRepeating(TimeDelta::Millis(1), [&] {
    ++b;
    return TimeDelta::Millis(1);
  });
  loop.RunFor(TimeDelta::Millis(10));
  b_handle.Cancel();
  loop.RunFor(TimeDelta::Seconds(10));
  EXPECT_EQ(a, 3);
  EXPECT_EQ(b, 10);
  EXPECT_EQ(loop.pending_tasks(), 0u);
}

TEST(SimulatedLoopTest, MoveOnlyTasksAndNegativeDelays) {
  SimulatedLoop loop;
  auto owned = std::make_unique<int>(7);
  int seen = 0;
  loop.PostDelayedTask(TimeDelta::Millis(-5), [&seen, p = std::move(owned)] { seen = *p; });
  EXPECT_EQ(loop.NextTaskTime(), loop.Now());  // Negative delay counts as zero.
  loop.RunDue();
  EXPECT_EQ(seen, 7);
}

TEST(SimulatedLoopTest, TenMinutesOfTwentyMsTicksIsDeterministic) {
  // A 10-minute lesson with an audio-frame clock runs in simulated time, same result each run.
  auto run = [] {
    SimulatedLoop loop(Timestamp::Zero());
    uint64_t checksum = 0;
    loop.StartRepeating(TimeDelta::Millis(20), [&] {
      checksum = checksum * 31 + static_cast<uint64_t>(loop.Now().ms());
      return TimeDelta::Millis(20);
    });
    loop.RunFor(TimeDelta::Seconds(600));
    return std::make_pair(checksum, loop.tasks_run());
  };
  const auto first = run();
  EXPECT_EQ(first.second, 30'000u);
  EXPECT_EQ(run(), first);
}

TEST(SimulatedClockTest, NeverRunsBackwards) {
  SimulatedClock clock(Timestamp::Seconds(5));
  clock.AdvanceBy(TimeDelta::Millis(10));
  EXPECT_EQ(clock.Now(), Timestamp::Millis(5010));
  clock.AdvanceTo(Timestamp::Seconds(1));
  EXPECT_EQ(clock.Now(), Timestamp::Millis(5010));
}

TEST(RealClockTest, IsMonotonic) {
  RealClock clock;
  Timestamp a = clock.Now();
  Timestamp b = clock.Now();
  EXPECT_LE(a, b);
  EXPECT_TRUE(a.IsFinite());
}

}  // namespace
}  // namespace comodal
