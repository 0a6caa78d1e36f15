#include "transport/cc/pacer.h"

#include <gtest/gtest.h>

#include <vector>

namespace comodal {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(100);

Pacer::Packet MakePacket(PacketPriority priority, size_t size, uint8_t tag = 0,
                         bool repair = false) {
  Pacer::Packet packet;
  packet.data.assign(size, tag);
  packet.priority = priority;
  packet.repair = repair;
  return packet;
}

struct Sent {
  Timestamp at;
  Pacer::Packet packet;  // Empty data for padding.
  DataSize padding = DataSize::Zero();
};

// Runs the pacer as its caller would, in simulated time, until `end`.
std::vector<Sent> RunUntil(Pacer& pacer, Timestamp from, Timestamp end) {
  std::vector<Sent> sent;
  Timestamp now = from;
  for (int guard = 0; guard < 100'000; ++guard) {
    const Timestamp next = pacer.NextSendTime(now);
    if (next > end) break;
    now = std::max(now, next);
    while (auto packet = pacer.TakeNext(now)) sent.push_back({now, std::move(*packet)});
    if (auto padding = pacer.PaddingToSend(now)) {
      pacer.OnPaddingSent(*padding, now);
      sent.push_back({now, {}, *padding});
    }
  }
  return sent;
}

TEST(PacerTest, ServesThePrioritiesOfTheDesignInOrder) {
  Pacer pacer;
  pacer.SetPacingRate(DataRate::KilobitsPerSec(100));  // Slow: one packet per 96 ms.
  for (PacketPriority p :
       {PacketPriority::kBulk, PacketPriority::kSiteVideo, PacketPriority::kSlides,
        PacketPriority::kTeacherVideo, PacketPriority::kSessionData}) {
    pacer.Enqueue(MakePacket(p, 1200), kStart);
  }
  const auto sent = RunUntil(pacer, kStart, kStart + TimeDelta::Seconds(2));
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent[0].packet.priority, PacketPriority::kSessionData);
  EXPECT_EQ(sent[1].packet.priority, PacketPriority::kTeacherVideo);
  EXPECT_EQ(sent[2].packet.priority, PacketPriority::kSlides);
  EXPECT_EQ(sent[3].packet.priority, PacketPriority::kSiteVideo);
  EXPECT_EQ(sent[4].packet.priority, PacketPriority::kBulk);
}

// Audio is never held: not behind a video backlog, not even with no rate at all, and what it
// sends is paid for by the others.
TEST(PacerTest, AudioLeavesAtOnceAndTheRestWaitsForTheRate) {
  Pacer pacer;
  pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1200), kStart);
  pacer.Enqueue(MakePacket(PacketPriority::kAudio, 80), kStart);
  EXPECT_EQ(pacer.NextSendTime(kStart), kStart);
  auto first = pacer.TakeNext(kStart);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->priority, PacketPriority::kAudio);
  EXPECT_FALSE(pacer.TakeNext(kStart).has_value());  // No rate: video waits.
  EXPECT_EQ(pacer.NextSendTime(kStart), Timestamp::PlusInfinity());

  pacer.SetPacingRate(DataRate::KilobitsPerSec(500));
  // A backlog of video, and audio arriving in the middle of it.
  for (int i = 0; i < 20; ++i)
    pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1200), kStart);
  const auto sent = RunUntil(pacer, kStart, kStart + TimeDelta::Millis(100));
  // 100 ms at 500 kbit/s is 6 250 bytes, plus the 10 ms burst allowance (and the audio's debt).
  EXPECT_GE(sent.size(), 4u);
  EXPECT_LE(sent.size(), 6u);
  pacer.Enqueue(MakePacket(PacketPriority::kAudio, 80), kStart + TimeDelta::Millis(100));
  EXPECT_EQ(pacer.NextSendTime(kStart + TimeDelta::Millis(100)), kStart + TimeDelta::Millis(100));
  auto audio = pacer.TakeNext(kStart + TimeDelta::Millis(100));
  ASSERT_TRUE(audio.has_value());
  EXPECT_EQ(audio->priority, PacketPriority::kAudio);
}

// 1 Mbit/s of pacing spreads a 100-packet backlog (1 Mbit) over about a second, in bursts of at
// most 10 ms of sending time.
TEST(PacerTest, SpreadsABacklogAtThePacingRate) {
  Pacer pacer;
  pacer.SetPacingRate(DataRate::MegabitsPerSec(1));
  for (int i = 0; i < 100; ++i)
    pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1250), kStart);
  EXPECT_EQ(pacer.queued_size(), DataSize::Bytes(125'000));
  const auto sent = RunUntil(pacer, kStart, kStart + TimeDelta::Seconds(5));
  ASSERT_EQ(sent.size(), 100u);
  EXPECT_TRUE(pacer.empty());
  const TimeDelta span = sent.back().at - sent.front().at;
  EXPECT_NEAR(span.ms_f(), 990.0, 12.0);
  // No more than max_burst (10 ms = 1 250 bytes at 1 Mbit/s) beyond the rate at any point.
  for (size_t i = 0; i < sent.size(); ++i) {
    const DataSize allowed =
        DataRate::MegabitsPerSec(1) * (sent[i].at - kStart) + DataSize::Bytes(1250) * 2;
    EXPECT_LE(DataSize::Bytes(1250) * static_cast<int64_t>(i + 1), allowed) << i;
  }
}

TEST(PacerTest, RepairGoesAheadOfNewPacketsOfItsPriorityOnly) {
  Pacer pacer;
  pacer.SetPacingRate(DataRate::KilobitsPerSec(100));
  pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1000, 1), kStart);
  pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1000, 2), kStart);
  pacer.Enqueue(MakePacket(PacketPriority::kSessionData, 1000, 3), kStart);
  pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1000, 4, /*repair=*/true), kStart);
  pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1000, 5, /*repair=*/true), kStart);
  const auto sent = RunUntil(pacer, kStart, kStart + TimeDelta::Seconds(2));
  std::vector<uint8_t> order;
  for (const Sent& s : sent) order.push_back(s.packet.data.front());
  EXPECT_EQ(order, (std::vector<uint8_t>{3, 4, 5, 1, 2}));
}

// A probe at 2 Mbit/s over a 300 kbit/s pacing rate and an empty queue: the pacer asks for
// padding until the cluster's size and duration are reached, at the probe's rate, marks what it
// sends with the cluster, and then goes back to the pacing rate.
TEST(PacerTest, ProbeSendsPaddingAtTheProbeRateThenStops) {
  Pacer pacer;
  pacer.SetPacingRate(DataRate::KilobitsPerSec(300));
  pacer.StartProbe({.id = 7,
                    .rate = DataRate::MegabitsPerSec(2),
                    .min_size = DataSize::Bytes(12'000),
                    .min_duration = TimeDelta::Millis(15)},
                   kStart);
  EXPECT_EQ(pacer.active_probe_id(), 7);
  const auto sent = RunUntil(pacer, kStart, kStart + TimeDelta::Seconds(1));
  EXPECT_FALSE(pacer.active_probe_id().has_value());
  DataSize padding = DataSize::Zero();
  for (const Sent& s : sent) padding += s.padding;
  EXPECT_GE(padding, DataSize::Bytes(12'000));
  EXPECT_LT(padding, DataSize::Bytes(12'000 + 1200));
  // 12 kB at 2 Mbit/s: 48 ms (less the 10 ms burst allowance).
  EXPECT_NEAR((sent.back().at - sent.front().at).ms_f(), 48.0 - 10.0, 6.0);
  EXPECT_EQ(pacer.stats().probes_finished, 1u);

  // Media during a probe leaves at the probe's rate and carries the cluster id.
  pacer.StartProbe({.id = 8,
                    .rate = DataRate::MegabitsPerSec(2),
                    .min_size = DataSize::Bytes(6'000),
                    .min_duration = TimeDelta::Millis(15)},
                   kStart + TimeDelta::Seconds(2));
  for (int i = 0; i < 5; ++i) {
    pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1200), kStart + TimeDelta::Seconds(2));
  }
  const auto media =
      RunUntil(pacer, kStart + TimeDelta::Seconds(2), kStart + TimeDelta::Seconds(3));
  ASSERT_GE(media.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(media[i].packet.probe_cluster_id, 8);
}

// A source that makes 25 % more than the target (an encoder at the floor of its quality): the
// pacer may burst at its pacing rate, but on average sends the target, whatever the caller's
// rate updates (every 25 ms, audio alongside); the excess waits in the pacer.
TEST(PacerTest, KeepsToTheAverageRateWhenTheSourceMakesMore) {
  Pacer pacer;
  const DataRate target = DataRate::KilobitsPerSec(460);
  DataSize sent = DataSize::Zero();
  Timestamp now = kStart;
  for (int ms = 0; ms < 10'000; ++ms, now += TimeDelta::Millis(1)) {
    if (ms % 25 == 0) {
      pacer.SetPacingRate(target * 1.25);
      pacer.SetAverageRate(target);
    }
    if (ms % 20 == 0) pacer.Enqueue(MakePacket(PacketPriority::kAudio, 120), now);
    if (ms % 33 == 0) {
      for (int i = 0; i < 2; ++i)
        pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1200), now);
    }
    while (auto packet = pacer.TakeNext(now)) sent += DataSize::Bytes(packet->data.size());
  }
  const DataRate rate = sent / TimeDelta::Seconds(10);
  // The first window's burst is the only excess.
  EXPECT_LE(rate, target * 1.04);
  EXPECT_GE(rate, target * 0.98);
  EXPECT_GT(pacer.queued_size(), DataSize::Bytes(100'000));
}

// A cut of the average rate holds media as long as before it, not longer: the bucket owes time.
TEST(PacerTest, AnAverageRateCutKeepsTheTimeOwed) {
  Pacer pacer;
  pacer.SetPacingRate(DataRate::MegabitsPerSec(10));
  pacer.SetAverageRate(DataRate::KilobitsPerSec(2400));
  for (int i = 0; i < 100; ++i)
    pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1200), kStart);
  while (pacer.TakeNext(kStart)) {
  }
  const TimeDelta owed = pacer.NextSendTime(kStart) - kStart;
  pacer.SetAverageRate(DataRate::KilobitsPerSec(600));
  const TimeDelta after = pacer.NextSendTime(kStart) - kStart;
  EXPECT_GT(owed, TimeDelta::Zero());
  EXPECT_NEAR(after.ms_f(), owed.ms_f(), 20);
}

// What a new packet of a priority waits behind: its own priority and those above, not the slides
// or bulk sync it will overtake (video pushback measured everything, and a slide waiting for
// spare capacity held the teacher's video back).
TEST(PacerTest, QueuedSizeOfAPriorityCountsWhatItWaitsBehind) {
  Pacer pacer;  // No rate: everything but audio waits.
  pacer.Enqueue(MakePacket(PacketPriority::kSlides, 1000), kStart);
  pacer.Enqueue(MakePacket(PacketPriority::kBulk, 500), kStart);
  EXPECT_EQ(pacer.queued_size(PacketPriority::kTeacherVideo), DataSize::Zero());
  pacer.Enqueue(MakePacket(PacketPriority::kTeacherVideo, 1200), kStart);
  pacer.Enqueue(MakePacket(PacketPriority::kSessionData, 300), kStart);
  EXPECT_EQ(pacer.queued_size(PacketPriority::kTeacherVideo), DataSize::Bytes(1500));
  EXPECT_EQ(pacer.queued_size(PacketPriority::kSlides), DataSize::Bytes(2500));
  EXPECT_EQ(pacer.queued_size(PacketPriority::kBulk), pacer.queued_size());
  EXPECT_EQ(pacer.queued_size(), DataSize::Bytes(3000));
}

}  // namespace
}  // namespace comodal
