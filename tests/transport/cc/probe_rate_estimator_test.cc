#include "transport/cc/probe_rate_estimator.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace comodal {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(20);

// A probe train of `count` packets of `size` sent at `send_rate` through a bottleneck of
// `capacity` (empty queue to start) and a fixed delay plus `jitter[i]` for packet i (packets
// stay in order: one held back holds the next); `lost` packets do not arrive. A media packet
// after the train is reported with it, so the train is complete.
TransportPacketsFeedback Train(int cluster, int count, DataSize size, DataRate send_rate,
                               DataRate capacity, std::vector<int> lost = {},
                               std::vector<TimeDelta> jitter = {}) {
  TransportPacketsFeedback feedback;
  Timestamp link_free = Timestamp::MinusInfinity();
  Timestamp last_arrival = Timestamp::MinusInfinity();
  for (int i = 0; i < count; ++i) {
    PacketResult p;
    p.sequence_number = 100 + i;
    p.size = size;
    p.send_time = kStart + (size * i) / send_rate;
    p.probe_cluster_id = cluster;
    const Timestamp start = std::max(p.send_time, link_free);
    link_free = start + size / capacity;
    const TimeDelta extra = i < static_cast<int>(jitter.size()) ? jitter[i] : TimeDelta::Zero();
    last_arrival = std::max(last_arrival, link_free + TimeDelta::Millis(270) + extra);
    if (std::find(lost.begin(), lost.end(), i) == lost.end()) p.receive_time = last_arrival;
    feedback.packets.push_back(p);
  }
  PacketResult after;
  after.sequence_number = 100 + count;
  after.size = DataSize::Bytes(100);
  after.send_time = feedback.packets.back().send_time + TimeDelta::Millis(5);
  after.receive_time = last_arrival + TimeDelta::Millis(5);
  feedback.packets.push_back(after);
  feedback.feedback_time = kStart + TimeDelta::Millis(700);
  return feedback;
}

// A 2 Mbit/s train through a 1 Mbit/s bottleneck arrives at 1 Mbit/s: saturated, capacity 1 M.
TEST(ProbeRateEstimatorTest, TrainFasterThanTheBottleneckMeasuresTheBottleneck) {
  ProbeRateEstimator estimator;
  const auto results = estimator.OnFeedback(Train(
      1, 10, DataSize::Bytes(1200), DataRate::MegabitsPerSec(2), DataRate::MegabitsPerSec(1)));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].cluster_id, 1);
  EXPECT_NEAR(results[0].sent.kbps_f(), 2000, 20);
  EXPECT_NEAR(results[0].received.kbps_f(), 1000, 10);
  EXPECT_TRUE(results[0].saturated);
  EXPECT_NEAR(results[0].capacity().kbps_f(), 1000, 10);
}

// Below the bottleneck the train arrives as sent: not saturated, the path carries at least it.
TEST(ProbeRateEstimatorTest, TrainSlowerThanTheBottleneckIsNotSaturated) {
  ProbeRateEstimator estimator;
  const auto results = estimator.OnFeedback(Train(
      2, 10, DataSize::Bytes(1200), DataRate::KilobitsPerSec(600), DataRate::MegabitsPerSec(1)));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].saturated);
  EXPECT_NEAR(results[0].capacity().kbps_f(), 600, 10);
}

// Too few packets reported, or too many lost: no answer yet; the answer comes once, when the
// cluster is complete, and later reports of its packets change nothing.
TEST(ProbeRateEstimatorTest, AnswersOnceAndOnlyWithEnoughOfTheCluster) {
  ProbeRateEstimator estimator;
  auto train =
      Train(3, 10, DataSize::Bytes(1200), DataRate::MegabitsPerSec(2), DataRate::MegabitsPerSec(1));
  TransportPacketsFeedback first = train;
  first.packets.resize(4);
  EXPECT_TRUE(estimator.OnFeedback(first).empty());
  TransportPacketsFeedback rest = train;
  rest.packets.erase(rest.packets.begin(), rest.packets.begin() + 4);
  EXPECT_EQ(estimator.OnFeedback(rest).size(), 1u);
  EXPECT_TRUE(estimator.OnFeedback(rest).empty());

  // Eight of ten reported, nothing after them: the train may not be over.
  ProbeRateEstimator partial;
  TransportPacketsFeedback eight = train;
  eight.packets.resize(8);
  EXPECT_TRUE(partial.OnFeedback(eight).empty());

  ProbeRateEstimator lossy;
  EXPECT_TRUE(lossy
                  .OnFeedback(Train(4, 10, DataSize::Bytes(1200), DataRate::MegabitsPerSec(2),
                                    DataRate::MegabitsPerSec(1), {1, 3, 5}))
                  .empty());
}

// A path that holds the first packets back and then lets them go together compresses the train:
// its arrival spacing looks faster than the bottleneck. The delays still grow along the train
// (the queue builds behind the bottleneck), and the lower envelope of the arrivals gives the
// bottleneck's rate.
TEST(ProbeRateEstimatorTest, JitterThatCompressesTheTrainDoesNotHideTheBottleneck) {
  ProbeRateEstimator estimator;
  std::vector<TimeDelta> jitter(24, TimeDelta::Zero());
  jitter[0] = TimeDelta::Millis(30);
  jitter[1] = TimeDelta::Millis(25);
  jitter[23] = TimeDelta::Millis(1);
  const auto results =
      estimator.OnFeedback(Train(5, 24, DataSize::Bytes(1200), DataRate::KilobitsPerSec(1500),
                                 DataRate::MegabitsPerSec(1), {}, jitter));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].saturated);
  EXPECT_NEAR(results[0].capacity().kbps_f(), 1000, 50);
}

}  // namespace
}  // namespace comodal
