#include "transport/link/link_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "transport/time/simulated_loop.h"

namespace comodal::link {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(100);

LinkPacket Packet(uint64_t id, size_t size) { return LinkPacket{id, std::vector<uint8_t>(size)}; }

// Offers packets of `size` bytes at `rate` for `duration` through `model` in simulated time and
// collects every delivery.
std::vector<Delivery> Offer(LinkModel& model, DataRate rate, size_t size, TimeDelta duration,
                            TimeDelta drain = TimeDelta::Seconds(30)) {
  SimulatedLoop loop(kStart);
  std::vector<Delivery> delivered;
  const TimeDelta interval = DataSize::Bytes(size) / rate;
  uint64_t id = 0;
  loop.StartRepeating(TimeDelta::Zero(), [&] {
    if (loop.Now() - kStart >= duration) return TimeDelta::PlusInfinity();
    (void)model.Send(Packet(id++, size), loop.Now());
    return interval;
  });
  // Wake the model at each delivery time, as a driver does.
  loop.StartRepeating(TimeDelta::Zero(), [&] {
    for (Delivery& d : model.DeliverDue(loop.Now())) delivered.push_back(std::move(d));
    const Timestamp next = model.NextDeliveryTime();
    return next.IsFinite() ? std::max(next - loop.Now(), TimeDelta::Micros(1))
                           : TimeDelta::Millis(1);
  });
  loop.RunFor(duration + drain);
  return delivered;
}

TEST(LinkModelTest, CapacityIsEnforcedWithinTwoPercentOverTenSeconds) {
  LinkDirectionConfig config;
  config.capacity = CapacitySchedule::Constant(DataRate::MegabitsPerSec(1));
  config.queue_limit_time = TimeDelta::Seconds(1);
  LinkModel model(config, kStart, 1);
  // Offer 1.5x the capacity for 10 s: the bottleneck stays busy.
  auto delivered = Offer(model, DataRate::KilobitsPerSec(1500), 1200, TimeDelta::Seconds(10));
  int64_t bytes_in_first_10s = 0;
  for (const Delivery& d : delivered) {
    if (d.delivered - kStart <= TimeDelta::Seconds(10))
      bytes_in_first_10s += d.packet.size().bytes();
  }
  const double expected = 1'000'000.0 / 8 * 10;
  EXPECT_NEAR(bytes_in_first_10s, expected, 0.02 * expected);
  EXPECT_GT(model.stats().dropped_queue, 0u);  // The excess did not fit the 1 s buffer.
}

TEST(LinkModelTest, QueueingDelayIsQueuedBytesOverRate) {
  LinkDirectionConfig config;
  config.capacity = CapacitySchedule::Constant(DataRate::KilobitsPerSec(100));
  config.propagation_delay = TimeDelta::Millis(300);
  LinkModel model(config, kStart, 1);
  // Ten 1000-byte packets at once: each takes 80 ms to serialise at 100 kbit/s.
  for (uint64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(model.Send(Packet(i, 1000), kStart), SendOutcome::kQueued);
    EXPECT_EQ(model.QueuedBytes(kStart), DataSize::Bytes(1000 * (i + 1)));
  }
  auto delivered = model.DeliverDue(kStart + TimeDelta::Seconds(10));
  ASSERT_EQ(delivered.size(), 10u);
  for (uint64_t i = 0; i < 10; ++i) {
    // Queued bytes ahead of packet i: 1000 * i, so it waits 1000 * i * 8 / 100 kbit/s.
    EXPECT_EQ(delivered[i].queue_delay, TimeDelta::Millis(80) * static_cast<int64_t>(i));
    EXPECT_EQ(delivered[i].delivered, kStart + TimeDelta::Millis(80) * static_cast<int64_t>(i + 1) +
                                          TimeDelta::Millis(300));
  }
  EXPECT_EQ(model.QueuedBytes(kStart + TimeDelta::Millis(800)), DataSize::Zero());
}

// Sends `count` 1000-byte packets at `at` in one burst; returns how many were queued.
int SendBurst(LinkModel& model, int count, Timestamp at) {
  int queued = 0;
  for (int i = 0; i < count; ++i) queued += model.Send(Packet(i, 1000), at) == SendOutcome::kQueued;
  return queued;
}

TEST(LinkModelTest, DropTailDropsExactlyWhatOverflows) {
  LinkDirectionConfig by_bytes;
  by_bytes.capacity = CapacitySchedule::Constant(DataRate::KilobitsPerSec(100));
  by_bytes.queue_limit_bytes = DataSize::Bytes(5000);
  LinkModel a(by_bytes, kStart, 1);
  EXPECT_EQ(SendBurst(a, 10, kStart), 5);
  EXPECT_EQ(a.stats().dropped_queue, 5u);
  // Once one packet has left (80 ms), exactly one more fits.
  EXPECT_EQ(a.Send(Packet(10, 1000), kStart + TimeDelta::Millis(80)), SendOutcome::kQueued);
  EXPECT_EQ(a.Send(Packet(11, 1000), kStart + TimeDelta::Millis(80)), SendOutcome::kDroppedQueue);

  // "1 s of buffer" at 256 kbit/s is 32 000 bytes.
  LinkDirectionConfig by_time;
  by_time.capacity = CapacitySchedule::Constant(DataRate::KilobitsPerSec(256));
  by_time.queue_limit_time = TimeDelta::Seconds(1);
  LinkModel b(by_time, kStart, 1);
  EXPECT_EQ(SendBurst(b, 40, kStart), 32);
}

TEST(LinkModelTest, BernoulliLossRateWithinStatisticalBounds) {
  LinkDirectionConfig config;
  config.loss = BernoulliLoss{0.02};
  LinkModel model(config, kStart, 42);
  constexpr int kPackets = 100'000;
  int lost = 0;
  for (int i = 0; i < kPackets; ++i)
    lost += model.Send(Packet(i, 100), kStart) == SendOutcome::kLost;
  // 4 standard deviations of a binomial proportion.
  const double sigma = std::sqrt(0.02 * 0.98 / kPackets);
  EXPECT_NEAR(static_cast<double>(lost) / kPackets, 0.02, 4 * sigma);
  EXPECT_EQ(model.stats().dropped_loss, static_cast<uint64_t>(lost));
}

TEST(LinkModelTest, GilbertElliottLossRateAndBurstsWithinBounds) {
  // Bad state 1 % of the time on entry, bursts of 1 / 0.25 = 4 packets, all lost in bad.
  const GilbertElliottLoss ge{0.01, 0.25, 0.0, 1.0};
  LinkDirectionConfig config;
  config.loss = ge;
  LinkModel model(config, kStart, 7);
  constexpr int kPackets = 400'000;
  int lost = 0;
  int bursts = 0;
  bool previous_lost = false;
  for (int i = 0; i < kPackets; ++i) {
    const bool is_lost = model.Send(Packet(i, 100), kStart) == SendOutcome::kLost;
    lost += is_lost;
    bursts += is_lost && !previous_lost;
    previous_lost = is_lost;
  }
  const double rate = static_cast<double>(lost) / kPackets;
  EXPECT_NEAR(rate, ge.StationaryLoss(), 0.1 * ge.StationaryLoss());  // 0.0385 +- 10 %
  EXPECT_NEAR(static_cast<double>(lost) / bursts, 4.0, 0.4);          // Mean burst length.
}

TEST(LinkModelTest, OutagesDropEverythingInTheWindowAndNothingOutside) {
  LinkDirectionConfig config;
  config.propagation_delay = TimeDelta::Millis(250);
  config.outages = {{TimeDelta::Seconds(2), TimeDelta::Seconds(3)}};
  LinkModel model(config, kStart, 1);
  int dropped_in = 0;
  int dropped_out = 0;
  for (int ms = 0; ms < 5000; ms += 10) {
    const bool in_window = ms >= 2000 && ms < 3000;
    const bool dropped =
        model.Send(Packet(ms, 100), kStart + TimeDelta::Millis(ms)) == SendOutcome::kDroppedOutage;
    (in_window ? dropped_in : dropped_out) += dropped;
  }
  EXPECT_EQ(dropped_in, 100);
  EXPECT_EQ(dropped_out, 0);
  EXPECT_EQ(model.DeliverDue(kStart + TimeDelta::Seconds(10)).size(), 400u);
}

TEST(LinkModelTest, SameSeedGivesIdenticalResults) {
  auto run = [](uint64_t seed) {
    LinkDirectionConfig config;
    config.capacity = CapacitySchedule::Constant(DataRate::KilobitsPerSec(256));
    config.queue_limit_time = TimeDelta::Seconds(1);
    config.loss = GilbertElliottLoss{0.02, 0.3, 0.001, 0.8};
    LinkModel model(config, kStart, seed);
    std::vector<std::pair<uint64_t, int64_t>> trace;
    for (const Delivery& d :
         Offer(model, DataRate::KilobitsPerSec(300), 1000, TimeDelta::Seconds(20))) {
      trace.emplace_back(d.packet.id, d.delivered.us());
    }
    return trace;
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}

// An unresponsive sender at 1.25x the capacity into a 1 s modem buffer: drop-tail lets the
// queue sit at the buffer's full second, CoDel holds it near its 5 ms target by dropping.
TEST(LinkModelTest, CoDelKeepsTheStandingQueueNearTargetWhereDropTailFillsTheBuffer) {
  auto median_queue_delay_after_5s = [](bool codel) {
    LinkDirectionConfig config;
    config.capacity = CapacitySchedule::Constant(DataRate::MegabitsPerSec(1));
    config.queue_limit_time = TimeDelta::Seconds(1);
    if (codel) config.codel = CoDelConfig{};
    LinkModel model(config, kStart, 1);
    auto delivered = Offer(model, DataRate::KilobitsPerSec(1250), 1200, TimeDelta::Seconds(20));
    std::vector<TimeDelta> delays;
    for (const Delivery& d : delivered) {
      if (d.sent - kStart >= TimeDelta::Seconds(5)) delays.push_back(d.queue_delay);
    }
    std::sort(delays.begin(), delays.end());
    EXPECT_EQ(model.stats().dropped_aqm > 0, codel);
    return delays[delays.size() / 2];
  };
  EXPECT_GT(median_queue_delay_after_5s(false), TimeDelta::Millis(950));
  EXPECT_LT(median_queue_delay_after_5s(true), TimeDelta::Millis(40));
}

TEST(LinkModelTest, DelayTraceIsFollowedWithoutReordering) {
  LinkDirectionConfig config;
  config.propagation_delay = DelaySchedule({{TimeDelta::Zero(), TimeDelta::Millis(280)},
                                            {TimeDelta::Seconds(10), TimeDelta::Millis(300)},
                                            {TimeDelta::Seconds(20), TimeDelta::Millis(250)}});
  LinkModel model(config, kStart, 1);
  auto delivered = Offer(model, DataRate::KilobitsPerSec(96), 1200, TimeDelta::Seconds(30));
  ASSERT_EQ(delivered.size(), 300u);  // One packet per 100 ms.
  for (size_t i = 0; i < delivered.size(); ++i) {
    const TimeDelta t = delivered[i].sent - kStart;
    const TimeDelta delay = delivered[i].delivered - delivered[i].sent;
    if (i > 0) EXPECT_GE(delivered[i].delivered, delivered[i - 1].delivered);
    if (t == TimeDelta::Seconds(5)) EXPECT_EQ(delay, TimeDelta::Millis(290));
    if (t == TimeDelta::Seconds(15)) EXPECT_EQ(delay, TimeDelta::Millis(275));
    if (t >= TimeDelta::Seconds(20)) EXPECT_EQ(delay, TimeDelta::Millis(250));
  }
}

TEST(CapacityScheduleTest, TransmissionIntegratesAcrossSteps) {
  // 1 Mbit/s for the first 100 ms, then a fade to 250 kbit/s.
  CapacitySchedule schedule({{TimeDelta::Zero(), DataRate::MegabitsPerSec(1)},
                             {TimeDelta::Millis(100), DataRate::KilobitsPerSec(250)}});
  EXPECT_EQ(schedule.RateAt(TimeDelta::Millis(99)), DataRate::MegabitsPerSec(1));
  EXPECT_EQ(schedule.RateAt(TimeDelta::Millis(100)), DataRate::KilobitsPerSec(250));
  // 12 500 bytes = 100 000 bits: 50 000 bits by 100 ms (from 50 ms), the other 50 000 bits at
  // 250 kbit/s take 200 ms more.
  EXPECT_EQ(schedule.TransmissionEnd(TimeDelta::Millis(50), DataSize::Bytes(12'500)),
            TimeDelta::Millis(300));
  // A zero-rate tail never finishes.
  CapacitySchedule dead({{TimeDelta::Zero(), DataRate::Zero()}});
  EXPECT_TRUE(dead.TransmissionEnd(TimeDelta::Zero(), DataSize::Bytes(1)).IsPlusInfinity());
}

}  // namespace
}  // namespace comodal::link
