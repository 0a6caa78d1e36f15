#include "session/clock/clock_offset_estimator.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "apps/link_profile.h"
#include "transport/base/latency_histogram.h"
#include "transport/link/random.h"
#include "transport/link/scheduled_link.h"
#include "transport/time/simulated_loop.h"

namespace comodal::session {
namespace {

constexpr Timestamp kT = Timestamp::Seconds(100);

TEST(ClockOffsetEstimatorTest, SymmetricDelaysGiveTheOffsetExactly) {
  ClockOffsetEstimator estimator;
  EXPECT_FALSE(estimator.offset().has_value());
  // The hub is 2.5 s ahead; 300 ms each way; the hub answers 1 ms later.
  const TimeDelta ahead = TimeDelta::Millis(2500);
  ASSERT_TRUE(
      estimator.OnExchange({kT, kT + TimeDelta::Millis(300) + ahead,
                            kT + TimeDelta::Millis(301) + ahead, kT + TimeDelta::Millis(601)}));
  EXPECT_EQ(estimator.offset(), ahead);
  EXPECT_EQ(estimator.HubTime(kT), kT + ahead);
}

// Queuing on one way skews an exchange by half of it; the least-delayed exchange is kept.
TEST(ClockOffsetEstimatorTest, TheLeastDelayedRecentExchangeIsTaken) {
  ClockOffsetEstimator estimator;
  auto exchange = [](Timestamp at, TimeDelta up, TimeDelta down) {
    return ClockOffsetEstimator::Exchange{at, at + up, at + up, at + up + down};
  };
  ASSERT_TRUE(estimator.OnExchange(exchange(kT, TimeDelta::Millis(400), TimeDelta::Millis(300))));
  EXPECT_EQ(estimator.offset(), TimeDelta::Millis(50));  // 100 ms of queue up: 50 ms off.
  ASSERT_TRUE(estimator.OnExchange(
      exchange(kT + TimeDelta::Seconds(2), TimeDelta::Millis(300), TimeDelta::Millis(310))));
  EXPECT_EQ(estimator.offset(), TimeDelta::Millis(-5));
  // Impossible exchanges are refused and change nothing.
  EXPECT_FALSE(estimator.OnExchange({kT, kT, kT, kT - TimeDelta::Millis(1)}));
  EXPECT_FALSE(
      estimator.OnExchange({kT, kT + TimeDelta::Millis(5), kT, kT + TimeDelta::Millis(1)}));
  EXPECT_EQ(estimator.offset(), TimeDelta::Millis(-5));
  // Old exchanges age out: after 64 s only newer ones count.
  ASSERT_TRUE(estimator.OnExchange(
      exchange(kT + TimeDelta::Seconds(70), TimeDelta::Millis(320), TimeDelta::Millis(300))));
  EXPECT_EQ(estimator.offset(), TimeDelta::Millis(10));
}

// A site whose clock is 3.2 s behind the hub and drifts 30 ppm estimates the hub's clock over
// geo-vsat (300 ms each way plus its jitter) while video fills both directions, one exchange
// every 2 s: after the first half minute, the error of the hub time it reads is within 20 ms
// (p95) over ten minutes.
TEST(ClockOffsetEstimatorTest, GeoVsatWithVideoInBothDirectionsStaysWithin20Ms) {
  auto profile = apps::LoadLinkProfile("geo-vsat");
  ASSERT_TRUE(profile.ok()) << profile.error();
  SimulatedLoop loop;
  const Timestamp start = loop.Now();
  const TimeDelta behind = TimeDelta::Millis(3200);
  auto site_clock = [&](Timestamp hub) { return hub - behind + (hub - start) * 30e-6; };
  ClockOffsetEstimator estimator;
  struct Probe {
    Timestamp sent;  // Site clock.
    Timestamp hub_received = Timestamp::MinusInfinity();
  };
  std::vector<Probe> probes;
  link::ScheduledLink* down_link = nullptr;
  link::ScheduledLink down(loop, profile->downlink, 7, [&](link::Delivery d) {
    if (d.packet.bytes.size() != 1) return;  // Video.
    const Probe& p = probes[d.packet.id];
    // The hub answered 1 ms after it received.
    (void)estimator.OnExchange(
        {p.sent, p.hub_received, p.hub_received + TimeDelta::Millis(1), site_clock(loop.Now())});
  });
  down_link = &down;
  link::ScheduledLink up(loop, profile->uplink, 8, [&](link::Delivery d) {
    if (d.packet.bytes.size() != 1) return;
    probes[d.packet.id].hub_received = loop.Now();
    const uint64_t id = d.packet.id;
    loop.PostDelayedTask(TimeDelta::Millis(1), [&, id] {
      down_link->Send({id, std::vector<uint8_t>(1)});
    });
  });
  // Video: 30 frames a second, about 850 kbit/s down and 200 kbit/s up, and now and then a
  // keyframe or a burst of slides that queues for a few hundred milliseconds in one direction.
  link::Random random(11);
  TaskHandle video = loop.StartRepeating(TimeDelta::Micros(33'333), [&] {
    const int down_packets = random.Bernoulli(0.01) ? 30 : 3;
    for (int i = 0; i < down_packets; ++i) (void)down.Send({0, std::vector<uint8_t>(1180)});
    const int up_packets = random.Bernoulli(0.01) ? 8 : 1;
    for (int i = 0; i < up_packets; ++i) (void)up.Send({0, std::vector<uint8_t>(830)});
    return TimeDelta::Micros(33'333);
  });
  TaskHandle exchanges = loop.StartRepeating(TimeDelta::Seconds(2), [&] {
    probes.push_back({site_clock(loop.Now())});
    (void)up.Send({probes.size() - 1, std::vector<uint8_t>(1)});
    return TimeDelta::Seconds(2);
  });
  LatencyHistogram error;
  TimeDelta worst = TimeDelta::Zero();
  TaskHandle measure = loop.StartRepeating(TimeDelta::Seconds(1), [&] {
    if (loop.Now() - start >= TimeDelta::Seconds(30)) {
      auto hub = estimator.HubTime(site_clock(loop.Now()));
      if (hub) {
        error.Add((*hub - loop.Now()).Abs());
        worst = std::max(worst, (*hub - loop.Now()).Abs());
      }
    }
    return TimeDelta::Seconds(1);
  });
  loop.RunFor(TimeDelta::Seconds(630));
  video.Cancel();
  exchanges.Cancel();
  measure.Cancel();
  std::printf("hub clock error over geo-vsat with video: p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
              error.Percentile(0.5).ms_f(), error.Percentile(0.95).ms_f(), worst.ms_f());
  ASSERT_GE(error.count(), 590u);
  EXPECT_LE(error.Percentile(0.95), TimeDelta::Millis(20));
}

}  // namespace
}  // namespace comodal::session
