#include "transport/cc/congestion_controller.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <algorithm>
#include <optional>
#include <string>

#include "tests/support/cc_flow_simulation.h"

namespace comodal {
namespace {

using testing::CcFlowSimulationConfig;
using testing::CcFlowSimulationResult;
using testing::RunCcFlowSimulation;

link::LinkDirectionConfig Geo(DataRate capacity) {
  link::LinkDirectionConfig link;
  link.propagation_delay = TimeDelta::Millis(300);
  link.jitter = TimeDelta::Millis(5);
  link.capacity = link::CapacitySchedule::Constant(capacity);
  link.queue_limit_time = TimeDelta::Seconds(1);
  return link;
}

CcFlowSimulationConfig GeoVsat() {
  CcFlowSimulationConfig config;
  config.downlink = Geo(DataRate::KilobitsPerSec(1000));
  config.downlink.loss = link::BernoulliLoss{0.005};
  config.uplink = Geo(DataRate::KilobitsPerSec(256));
  return config;
}

CcFlowSimulationConfig Rfc8867Variable() {
  CcFlowSimulationConfig config = GeoVsat();
  config.downlink.capacity =
      link::CapacitySchedule({{TimeDelta::Zero(), DataRate::KilobitsPerSec(1000)},
                              {TimeDelta::Seconds(40), DataRate::KilobitsPerSec(2500)},
                              {TimeDelta::Seconds(60), DataRate::KilobitsPerSec(600)},
                              {TimeDelta::Seconds(80), DataRate::KilobitsPerSec(1000)}});
  config.downlink.jitter = TimeDelta::Millis(30);
  config.downlink.queue_limit_time = TimeDelta::Millis(300);
  config.downlink.loss = {};
  config.duration = TimeDelta::Seconds(100);
  return config;
}

// Delivered over capacity, between two times since the start (flow 0).
double Utilisation(const CcFlowSimulationResult& r, TimeDelta from, TimeDelta to, size_t flow = 0) {
  double delivered = 0, capacity = 0;
  for (const auto& s : r.samples) {
    if (s.at <= from || s.at > to) continue;
    delivered += s.delivered[flow].bps_f();
    capacity += s.capacity.bps_f();
  }
  return capacity > 0 ? delivered / capacity : 0;
}

// The first time since the start at which the target reached `rate` (flow 0), after `from`.
std::optional<TimeDelta> TargetReached(const CcFlowSimulationResult& r, DataRate rate,
                                       TimeDelta from = TimeDelta::Zero()) {
  for (const auto& s : r.samples) {
    if (s.at > from && s.target[0] >= rate) return s.at;
  }
  return std::nullopt;
}

int Changes(const CcFlowSimulationResult& r, RateChangeReason reason) {
  return static_cast<int>(std::count_if(r.changes[0].begin(), r.changes[0].end(),
                                        [&](const auto& c) { return c.reason == reason; }));
}

// geo-vsat: 600 ms RTT, 1 Mbit/s, 1 s of modem buffer. GCC's additive step would need most of a
// minute; the probes find the capacity in about one round trip, and the queue stays short.
TEST(CongestionControllerTest, GeoVsatIsUsedWithinSecondsWithAShortQueue) {
  auto config = GeoVsat();
  config.duration = TimeDelta::Seconds(120);
  const auto r = RunCcFlowSimulation(config);
  const auto reached = TargetReached(r, DataRate::KilobitsPerSec(900));
  ASSERT_TRUE(reached.has_value());
  EXPECT_LT(*reached, TimeDelta::Seconds(3));
  EXPECT_GE(Utilisation(r, TimeDelta::Seconds(15), TimeDelta::Seconds(120)), 0.85);
  EXPECT_LE(r.downlink.queue_delay.Percentile(0.95), TimeDelta::Millis(100));
  EXPECT_EQ(r.downlink.dropped_queue, 0u);
}

// RFC 8867 §5.1 capacities on a GEO delay with 30 ms jitter and a 300 ms drop-tail queue.
TEST(CongestionControllerTest, FollowsCapacityDownAndUpOnGeo) {
  const auto r = RunCcFlowSimulation(Rfc8867Variable());
  // Up to 2.5 Mbit/s at 40 s: 85 % of it within 15 s.
  const auto up = TargetReached(r, DataRate::KilobitsPerSec(2125), TimeDelta::Seconds(40));
  ASSERT_TRUE(up.has_value());
  EXPECT_LT(*up, TimeDelta::Seconds(55));
  // Down to 0.6 Mbit/s at 60 s: below it within 3 s.
  bool below = false;
  for (const auto& s : r.samples) {
    if (s.at > TimeDelta::Seconds(60) && s.at <= TimeDelta::Seconds(63)) {
      below |= s.target[0] <= DataRate::KilobitsPerSec(600);
    }
  }
  EXPECT_TRUE(below);
  EXPECT_GE(Utilisation(r, TimeDelta::Seconds(65), TimeDelta::Seconds(80)), 0.75);
}

// The rise to 2.5 Mbit/s at 40 s, through 30 ms of jitter, over five seeds: the probe that
// follows one the path did not hold back is the first measure of the grown path, and is taken
// as it is (averaged with the old 1 Mbit/s it left the target near 1.5 Mbit/s, four probes and
// 20 s from 85 % on some seeds).
TEST(CongestionControllerTest, AfterTheRiseTheTargetReaches85PercentWithin15sOnEverySeed) {
  auto config = Rfc8867Variable();
  config.duration = TimeDelta::Seconds(60);
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    config.seed = seed;
    const auto r = RunCcFlowSimulation(config);
    const auto up = TargetReached(r, DataRate::KilobitsPerSec(2125), TimeDelta::Seconds(40));
    ASSERT_TRUE(up.has_value()) << "seed " << seed;
    EXPECT_LT(*up, TimeDelta::Seconds(55)) << "seed " << seed;
  }
}

// RFC 8867 §5.1's drop from 2.5 to 0.6 Mbit/s on GEO: within 1.1 s of it the target is within
// 10 % of the new capacity (a back-off a round trip apart from the last would take 1.14 s).
TEST(CongestionControllerTest, AfterACapacityDropTheTargetFollowsTheDeliveryRateDown) {
  const auto r = RunCcFlowSimulation(Rfc8867Variable());
  std::optional<TimeDelta> near;
  for (const auto& change : r.changes[0]) {
    if (change.at > TimeDelta::Seconds(60) && change.target <= DataRate::KilobitsPerSec(660)) {
      near = change.at;
      break;
    }
  }
  ASSERT_TRUE(near.has_value());
  EXPECT_LT(*near, TimeDelta::Millis(61'100));
}

// With 30 ms of jitter, what arrived while a queue stood reads up to 10 % over the capacity
// (arrivals held and released together); the rate restored after each drain stays below the
// capacity, or the queue creeps back up for seconds before the next back-off.
TEST(CongestionControllerTest, TheRateRestoredAfterADrainStaysBelowAJitteryCapacity) {
  auto config = GeoVsat();
  config.downlink.jitter = TimeDelta::Millis(30);
  config.downlink.queue_limit_time = TimeDelta::Millis(300);
  config.duration = TimeDelta::Seconds(180);
  for (uint64_t seed : {1, 2, 3}) {
    config.seed = seed;
    const auto r = RunCcFlowSimulation(config);
    int restores = 0;
    for (const auto& change : r.changes[0]) {
      if (change.reason != RateChangeReason::kRecoveredAfterDrain) continue;
      ++restores;
      EXPECT_LE(change.target, DataRate::KilobitsPerSec(960))
          << "seed " << seed << " at " << change.at.seconds_f() << " s";
    }
    EXPECT_GE(restores, 1) << "seed " << seed;
  }
}

// A steady probe at 1.25 x a target just under the capacity is over it by so little that
// jitter can show it not held back: such a probe joins the estimate (and a follow-up at twice
// the rate decides), so no probe lifts the target above the capacity (it built a 180 ms queue
// for a round trip when one did).
TEST(CongestionControllerTest, AProbeJustOverTheCapacityDoesNotLiftTheTargetAboveIt) {
  auto config = GeoVsat();
  config.downlink.jitter = TimeDelta::Millis(30);
  config.downlink.queue_limit_time = TimeDelta::Millis(300);
  config.duration = TimeDelta::Seconds(90);
  int probe_raises = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    config.seed = seed;
    const auto r = RunCcFlowSimulation(config);
    for (const auto& change : r.changes[0]) {
      if (change.reason != RateChangeReason::kProbe || change.at < TimeDelta::Seconds(5)) continue;
      ++probe_raises;
      EXPECT_LE(change.target, DataRate::KilobitsPerSec(1000))
          << "seed " << seed << " at " << change.at.seconds_f() << " s";
    }
  }
  EXPECT_GE(probe_raises, 5);
}

// On a constant 1 Mbit/s the queue-growing back-offs (after an encoder overshoot) measure the
// capacity from the packets that waited, over the runs in which they waited: the idle moments
// of a video flow between them do not make the path look slower, so a back-off stays shallow.
TEST(CongestionControllerTest, BackOffsOnAConstantLinkStayNearItsCapacity) {
  auto config = GeoVsat();
  config.duration = TimeDelta::Seconds(120);
  const auto r = RunCcFlowSimulation(config);
  for (const auto& change : r.changes[0]) {
    if (change.reason != RateChangeReason::kQueueGrowing || change.at < TimeDelta::Seconds(5)) {
      continue;
    }
    EXPECT_GE(change.target, DataRate::KilobitsPerSec(700)) << change.at.seconds_f();
  }
}

// LEO: the path is re-planned every 15 s (delay steps of up to 18 ms, 100 ms loss bursts) on a
// link far faster than the media: nothing there is congestion.
TEST(CongestionControllerTest, LeoHandoversDoNotCutTheRate) {
  auto config = GeoVsat();
  for (auto* link : {&config.downlink, &config.uplink}) {
    link->propagation_delay = TimeDelta::Millis(20);
    link->jitter = TimeDelta::Millis(4);
    link::HandoverConfig handovers;
    handovers.delay_min = TimeDelta::Millis(12);
    handovers.delay_max = TimeDelta::Millis(30);
    handovers.loss_burst = TimeDelta::Millis(100);
    link->handovers = handovers;
    link->queue_limit_time = TimeDelta::Millis(150);
  }
  config.downlink.capacity = link::CapacitySchedule::Constant(DataRate::MegabitsPerSec(60));
  config.uplink.capacity = link::CapacitySchedule::Constant(DataRate::MegabitsPerSec(12));
  config.downlink.loss = link::BernoulliLoss{0.01};
  config.controller.max_rate = DataRate::KilobitsPerSec(2500);
  config.duration = TimeDelta::Seconds(120);
  const auto r = RunCcFlowSimulation(config);
  EXPECT_GE(r.downlink.handovers, 7u);
  EXPECT_EQ(Changes(r, RateChangeReason::kQueueGrowing), 0);
  EXPECT_EQ(Changes(r, RateChangeReason::kHighLoss), 0);
  for (const auto& s : r.samples) {
    if (s.at > TimeDelta::Seconds(5)) EXPECT_GE(s.target[0], DataRate::KilobitsPerSec(2000));
  }
}

// 10 % random loss is the link, not congestion.
TEST(CongestionControllerTest, RandomLossIsNotCongestion) {
  auto config = GeoVsat();
  config.downlink.loss = link::BernoulliLoss{0.10};
  config.duration = TimeDelta::Seconds(60);
  const auto r = RunCcFlowSimulation(config);
  EXPECT_EQ(Changes(r, RateChangeReason::kHighLoss), 0);
  // What arrives is 90 % of what is sent.
  EXPECT_GE(Utilisation(r, TimeDelta::Seconds(10), TimeDelta::Seconds(60)), 0.75);
}

// A blackout: the rate falls to the floor while nothing comes back, then one probe restores it.
TEST(CongestionControllerTest, OutageFallsToTheFloorAndRecoversInARoundTrip) {
  auto config = GeoVsat();
  config.downlink.outages = {{TimeDelta::Seconds(20), TimeDelta::Seconds(80)}};
  config.uplink.outages = config.downlink.outages;
  config.duration = TimeDelta::Seconds(100);
  const auto r = RunCcFlowSimulation(config);
  DataRate before = DataRate::Zero();
  for (const auto& s : r.samples) {
    if (s.at == TimeDelta::Seconds(19)) before = s.target[0];
    if (s.at >= TimeDelta::Seconds(25) && s.at < TimeDelta::Seconds(80)) {
      EXPECT_EQ(s.target[0], config.controller.min_rate) << s.at.seconds_f();
    }
  }
  EXPECT_GE(r.controllers[0].feedback_timeouts, 1u);
  EXPECT_GE(r.controllers[0].recoveries, 1u);
  const auto back = TargetReached(r, before * 0.9, TimeDelta::Seconds(80));
  ASSERT_TRUE(back.has_value());
  EXPECT_LT(*back, TimeDelta::Seconds(83));
  // The first feedback after the link returns puts the rate back at the start rate at once, a
  // round trip before the probe at the old rate answers: media (video resumes above its floor)
  // comes back that much sooner.
  std::optional<TimeDelta> returned;
  std::optional<TimeDelta> probed;
  for (const auto& change : r.changes[0]) {
    if (change.at < TimeDelta::Seconds(80)) continue;
    if (!returned && change.reason == RateChangeReason::kFeedbackReturned &&
        change.target >= config.controller.start_rate) {
      returned = change.at;
    }
    if (!probed && change.target >= before * 0.9) probed = change.at;
  }
  ASSERT_TRUE(returned.has_value());
  ASSERT_TRUE(probed.has_value());
  EXPECT_LE(*returned + TimeDelta::Millis(500), *probed);
}

// Three sites behind one teleport: each back-off is proportional, each increase the same for
// all, so the shares converge.
TEST(CongestionControllerTest, ThreeFlowsShareOneBottleneck) {
  auto config = GeoVsat();
  config.flows = 3;
  config.flow_start = {TimeDelta::Zero(), TimeDelta::Seconds(10), TimeDelta::Seconds(20)};
  config.duration = TimeDelta::Seconds(180);
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    config.seed = seed;
    const auto r = RunCcFlowSimulation(config);
    double total = 0;
    std::vector<double> shares;
    for (size_t flow = 0; flow < 3; ++flow) {
      shares.push_back(Utilisation(r, TimeDelta::Seconds(120), TimeDelta::Seconds(180), flow));
      total += shares.back();
    }
    std::printf("seed %d: shares of the capacity, 120-180 s: %.3f %.3f %.3f (total %.3f)\n",
                static_cast<int>(seed), shares[0], shares[1], shares[2], total);
    EXPECT_GE(total, 0.8);
    // Issue 5: within 20 % of a fair share.
    for (double share : shares) EXPECT_NEAR(share / (total / 3), 1.0, 0.2) << "seed " << seed;
    EXPECT_LE(r.downlink.queue_delay.Percentile(0.95), TimeDelta::Millis(300));
  }
}

// Feeds the controller by hand: a 1 200-byte packet every 10 ms (960 kbit/s), reported every
// 100 ms, 300 ms after it left, each with the one-way delay `delay(send time since start)`.
template <typename DelayFn>
std::vector<NetworkControlUpdate> FeedByHand(CongestionController& controller, TimeDelta duration,
                                             DelayFn delay) {
  const Timestamp start = Timestamp::Seconds(100);
  std::vector<NetworkControlUpdate> updates;
  int64_t sequence = 0;
  for (TimeDelta t = TimeDelta::Millis(100); t <= duration; t += TimeDelta::Millis(100)) {
    TransportPacketsFeedback feedback;
    feedback.feedback_time = start + t + TimeDelta::Millis(300);
    for (TimeDelta sent = t - TimeDelta::Millis(100); sent < t; sent += TimeDelta::Millis(10)) {
      PacketResult packet;
      packet.sequence_number = sequence++;
      packet.size = DataSize::Bytes(1200);
      packet.send_time = start + sent;
      packet.receive_time = packet.send_time + delay(sent);
      controller.OnPacketSent({static_cast<uint16_t>(packet.sequence_number), packet.size,
                               packet.send_time, std::nullopt});
      feedback.packets.push_back(packet);
    }
    updates.push_back(controller.OnTransportFeedback(feedback));
    updates.push_back(controller.OnProcessInterval(feedback.feedback_time));
  }
  return updates;
}

CongestionController::Config HandConfig() {
  CongestionController::Config config;
  config.start_rate = DataRate::KilobitsPerSec(900);
  config.initial_probe_multipliers = {};
  config.probe_interval = TimeDelta::Seconds(1000);
  config.initial_rtt = TimeDelta::Millis(600);
  return config;
}

bool AnyChange(const std::vector<NetworkControlUpdate>& updates, RateChangeReason reason) {
  return std::any_of(updates.begin(), updates.end(),
                     [&](const auto& u) { return u.changed == reason; });
}

// A delay that jumps by 80 ms once and stays there is a new path, not a queue: no cut, and after
// a second the jump is the new base.
TEST(CongestionControllerTest, ADelayStepIsRebasedWithoutACut) {
  CongestionController controller(HandConfig(), Timestamp::Seconds(100));
  (void)controller.Start(Timestamp::Seconds(100));
  const auto updates = FeedByHand(controller, TimeDelta::Seconds(10), [](TimeDelta sent) {
    return TimeDelta::Millis(sent < TimeDelta::Seconds(5) ? 300 : 380);
  });
  EXPECT_FALSE(AnyChange(updates, RateChangeReason::kQueueGrowing));
  EXPECT_EQ(controller.stats().rebases, 1u);
  EXPECT_LT(controller.stats().queue_delay, TimeDelta::Millis(5));
  EXPECT_GE(controller.target_rate(), DataRate::KilobitsPerSec(900));
}

// The same 80 ms reached by a delay that climbs 20 ms every 100 ms is our queue: a cut below
// what was delivered.
TEST(CongestionControllerTest, AGrowingDelayIsCongestion) {
  CongestionController controller(HandConfig(), Timestamp::Seconds(100));
  (void)controller.Start(Timestamp::Seconds(100));
  const auto updates = FeedByHand(controller, TimeDelta::Seconds(6), [](TimeDelta sent) {
    const TimeDelta since = sent - TimeDelta::Seconds(5);
    return TimeDelta::Millis(300) + std::max(TimeDelta::Zero(), since / 5);
  });
  EXPECT_TRUE(AnyChange(updates, RateChangeReason::kQueueGrowing));
  EXPECT_LT(controller.target_rate(), DataRate::KilobitsPerSec(850));
  EXPECT_EQ(controller.phase(), CongestionController::Phase::kDraining);
}

// A rate 1.5 % above capacity builds a queue of 15 ms a second: too slow for the growth test
// (6 ms over 300 ms), but once it stands above the target with no path step to explain it, it
// is ours and is cut.
TEST(CongestionControllerTest, AQueueThatCreepsAboveTheTargetIsCongestion) {
  CongestionController controller(HandConfig(), Timestamp::Seconds(100));
  (void)controller.Start(Timestamp::Seconds(100));
  const auto updates = FeedByHand(controller, TimeDelta::Seconds(12), [](TimeDelta sent) {
    const TimeDelta since = sent - TimeDelta::Seconds(5);
    return TimeDelta::Millis(300) + std::max(TimeDelta::Zero(), since * 0.015);
  });
  EXPECT_TRUE(AnyChange(updates, RateChangeReason::kQueueGrowing));
  EXPECT_EQ(controller.stats().rebases, 0u);
}

// Packets go out and no feedback comes back for a round trip and more: the rate halves, each
// round trip, to the floor, and small probes keep going out.
TEST(CongestionControllerTest, NoFeedbackHalvesTheRateEachRoundTripToTheFloor) {
  auto config = HandConfig();
  CongestionController controller(config, Timestamp::Seconds(100));
  (void)controller.Start(Timestamp::Seconds(100));
  controller.OnRoundTripTime(TimeDelta::Millis(600));
  controller.OnPacketSent({1, DataSize::Bytes(1200), Timestamp::Seconds(100), std::nullopt});
  auto update = controller.OnProcessInterval(Timestamp::Seconds(100) + TimeDelta::Millis(1100));
  EXPECT_FALSE(update.changed.has_value());  // Within a round trip plus the timeout.
  update = controller.OnProcessInterval(Timestamp::Seconds(100) + TimeDelta::Millis(1300));
  EXPECT_EQ(update.changed, RateChangeReason::kFeedbackLost);
  EXPECT_EQ(update.target_rate, DataRate::KilobitsPerSec(450));
  int probes = 0;
  for (int ms = 1325; ms < 10'000; ms += 25) {
    update = controller.OnProcessInterval(Timestamp::Seconds(100) + TimeDelta::Millis(ms));
    probes += static_cast<int>(update.probes.size());
  }
  EXPECT_EQ(controller.target_rate(), config.min_rate);
  EXPECT_EQ(controller.phase(), CongestionController::Phase::kNoFeedback);
  EXPECT_GE(probes, 7);
}

}  // namespace
}  // namespace comodal
