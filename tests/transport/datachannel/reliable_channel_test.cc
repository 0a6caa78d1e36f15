#include "transport/datachannel/reliable_channel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>

#include "transport/link/random.h"
#include "transport/time/simulated_loop.h"
#include "transport/units/data_rate.h"

namespace comodal::datachannel {
namespace {

// Two channels joined by a link in simulated time: each direction a serialising bottleneck at
// `rate`, then `one_way` of propagation, with random loss and, optionally, an outage. Each end
// is driven every millisecond: timeouts, then session data, bulk and acknowledgements while its
// direction is free.
class ChannelPair {
 public:
  struct Link {
    TimeDelta one_way = TimeDelta::Millis(300);
    DataRate rate = DataRate::KilobitsPerSec(1000);
    double loss = 0;
    Timestamp outage_start = Timestamp::PlusInfinity();
    Timestamp outage_end = Timestamp::PlusInfinity();
  };

  ChannelPair(Link link, uint64_t seed, size_t max_packet_size = 1136)
      : link_(link), random_(seed) {
    for (int side = 0; side < 2; ++side) {
      ReliableChannel::Config config;
      config.max_packet_size = max_packet_size;
      config.incarnation = static_cast<uint32_t>(100 + side);
      ends_[side] = std::make_unique<ReliableChannel>(config);
    }
    Tick();
  }

  ReliableChannel& end(int side) { return *ends_[side]; }
  // A restarted process at `side`: a fresh channel with another incarnation.
  void Restart(int side, uint32_t incarnation) {
    ReliableChannel::Config config;
    config.incarnation = incarnation;
    ends_[side] = std::make_unique<ReliableChannel>(config);
  }
  SimulatedLoop& loop() { return loop_; }
  std::vector<ReliableChannel::Message>& received(int side) { return received_[side]; }
  uint64_t dropped(int side) const { return dropped_[side]; }
  // Drops the next `count` packets sent from `side`.
  void DropNext(int side, int count) { drop_next_[side] = count; }

 private:
  void Tick() {
    const Timestamp now = loop_.Now();
    for (int side = 0; side < 2; ++side) {
      ReliableChannel& channel = *ends_[side];
      if (channel.NextTimeout() <= now) channel.OnTimeout(now);
      // The link is kept busy: a packet goes whenever the previous one ends within this tick.
      while (free_at_[side] < now + TimeDelta::Millis(1)) {
        std::optional<std::vector<uint8_t>> packet = channel.NextPacket(Lane::kSessionData, now);
        if (!packet) packet = channel.NextPacket(Lane::kBulk, now);
        if (!packet) packet = channel.TakeAck(now);
        if (!packet) break;
        Transmit(side, std::move(*packet), now);
      }
    }
    loop_.PostDelayedTask(TimeDelta::Millis(1), [this] { Tick(); });
  }

  void Transmit(int side, std::vector<uint8_t> packet, Timestamp now) {
    const Timestamp start = std::max(free_at_[side], now);
    free_at_[side] = start + DataSize::Bytes(static_cast<int64_t>(packet.size()) + 28) / link_.rate;
    const bool lost = (drop_next_[side] > 0 && drop_next_[side]--) ||
                      (now >= link_.outage_start && now < link_.outage_end) ||
                      random_.Bernoulli(link_.loss);
    if (lost) {
      ++dropped_[side];
      return;
    }
    const int to = 1 - side;
    loop_.PostDelayedTask(free_at_[side] - now + link_.one_way,
                          [this, to, packet = std::move(packet)] {
                            (void)ends_[to]->OnPacket(packet, loop_.Now());
                            for (auto& m : ends_[to]->TakeMessages()) {
                              received_[to].push_back(std::move(m));
                            }
                          });
  }

  Link link_;
  SimulatedLoop loop_;
  link::Random random_;
  std::unique_ptr<ReliableChannel> ends_[2];
  Timestamp free_at_[2] = {Timestamp::MinusInfinity(), Timestamp::MinusInfinity()};
  std::vector<ReliableChannel::Message> received_[2];
  uint64_t dropped_[2] = {0, 0};
  int drop_next_[2] = {0, 0};
};

std::vector<uint8_t> MessageBytes(uint32_t tag, size_t size) {
  std::vector<uint8_t> data(size);
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(tag * 31 + i * 7);
  data[0] = static_cast<uint8_t>(tag);
  if (size > 1) data[1] = static_cast<uint8_t>(tag >> 8);
  return data;
}

// The whole contract: through 10 % loss on a 600 ms round trip, in both directions and on both
// lanes, every message arrives once, whole and in its lane's order.
TEST(ReliableChannelTest, DeliversEveryMessageOnceInOrderThroughLoss) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    ChannelPair pair({.loss = 0.10}, seed);
    link::Random sizes(seed * 7);
    std::vector<std::vector<uint8_t>> sent[2][kLaneCount];
    for (uint32_t i = 0; i < 120; ++i) {
      for (int side = 0; side < 2; ++side) {
        const Lane lane = i % 3 == 0 ? Lane::kBulk : Lane::kSessionData;
        const size_t size = 1 + sizes.Next() % (lane == Lane::kBulk ? 20'000 : 3'000);
        std::vector<uint8_t> message = MessageBytes(i, size);
        sent[side][static_cast<size_t>(lane)].push_back(message);
        ASSERT_TRUE(pair.end(side).Send(lane, std::move(message)).ok());
      }
    }
    ASSERT_TRUE(pair.loop().RunUntil([&] { return pair.end(0).idle() && pair.end(1).idle(); },
                                     TimeDelta::Seconds(120)))
        << "seed " << seed;
    for (int side = 0; side < 2; ++side) {
      std::vector<std::vector<uint8_t>> got[kLaneCount];
      for (auto& message : pair.received(1 - side)) {
        got[static_cast<size_t>(message.lane)].push_back(message.data);
      }
      for (size_t lane = 0; lane < kLaneCount; ++lane) {
        EXPECT_EQ(got[lane], sent[side][lane]) << "seed " << seed << " side " << side;
      }
      EXPECT_GT(pair.end(side).stats().retransmissions, 0u);
    }
  }
}

// Selective acknowledgement: a burst of lost packets in a long transfer is sent again, and
// nothing else is.
TEST(ReliableChannelTest, ABurstLossSendsAgainOnlyWhatWasLost) {
  ChannelPair pair({}, 1);
  ASSERT_TRUE(pair.end(0).Send(Lane::kBulk, MessageBytes(1, 200'000)).ok());
  pair.loop().RunFor(TimeDelta::Millis(400));
  pair.DropNext(0, 10);
  ASSERT_TRUE(pair.loop().RunUntil([&] { return pair.end(0).idle(); }, TimeDelta::Seconds(30)));
  EXPECT_EQ(pair.end(0).stats().retransmissions, 10u);
  EXPECT_EQ(pair.end(0).stats().timeouts, 0u);
  ASSERT_EQ(pair.received(1).size(), 1u);
  EXPECT_EQ(pair.received(1)[0].data, MessageBytes(1, 200'000));
}

// The window covers the round trip: 2 MB over a 2 Mbit/s link with a 600 ms round trip takes
// the transfer time plus about one round trip, not a stop-and-wait crawl.
TEST(ReliableChannelTest, KeepsALongRoundTripPipeFull) {
  ChannelPair pair({.rate = DataRate::KilobitsPerSec(2000)}, 1);
  for (uint32_t i = 0; i < 8; ++i) {
    ASSERT_TRUE(pair.end(0).Send(Lane::kBulk, MessageBytes(i, 250'000)).ok());
  }
  const Timestamp start = pair.loop().Now();
  ASSERT_TRUE(
      pair.loop().RunUntil([&] { return pair.received(1).size() == 8; }, TimeDelta::Seconds(60)));
  const TimeDelta took = pair.loop().Now() - start;
  // 2 MB of payload is 8.0 s at 2 Mbit/s; headers add 7 % (8.6 s), and the last packet takes
  // 0.3 s to arrive.
  EXPECT_LT(took, TimeDelta::Seconds(9) + TimeDelta::Millis(300)) << took;
  EXPECT_EQ(pair.end(0).stats().retransmissions, 0u);
}

// A minute's outage in the middle of a transfer: the sender probes every couple of seconds (not
// the window each time), and the transfer goes on within a probe interval and a round trip of
// the link's return.
TEST(ReliableChannelTest, ResumesWithinAProbeIntervalAfterAnOutage) {
  const Timestamp outage_start = Timestamp::Seconds(1'002);
  const Timestamp outage_end = outage_start + TimeDelta::Seconds(60);
  ChannelPair pair({.outage_start = outage_start, .outage_end = outage_end}, 1);
  std::vector<std::vector<uint8_t>> sent;
  for (uint32_t i = 0; i < 100; ++i) {
    sent.push_back(MessageBytes(i, 4000));
    ASSERT_TRUE(pair.end(0).Send(Lane::kSessionData, sent.back()).ok());
  }
  pair.loop().RunUntil([&] { return pair.loop().Now() >= outage_end; });
  const uint64_t timeouts = pair.end(0).stats().timeouts;
  EXPECT_LE(timeouts, 35u);  // About one probe each 2 s.
  const size_t before = pair.received(1).size();
  EXPECT_LT(before, sent.size());
  ASSERT_TRUE(pair.loop().RunUntil([&] { return pair.received(1).size() > before; },
                                   TimeDelta::Seconds(10)));
  EXPECT_LT(pair.loop().Now() - outage_end, TimeDelta::Millis(2000 + 700));
  ASSERT_TRUE(pair.loop().RunUntil([&] { return pair.end(0).idle(); }, TimeDelta::Seconds(30)));
  std::vector<std::vector<uint8_t>> got;
  for (auto& message : pair.received(1)) got.push_back(message.data);
  EXPECT_EQ(got, sent);
}

// Bulk and session data are separate streams: a session message is not held behind a bulk
// message waiting for its repairs.
TEST(ReliableChannelTest, SessionDataIsNotHeldBehindALostBulkPiece) {
  ChannelPair pair({}, 1);
  ASSERT_TRUE(pair.end(0).Send(Lane::kBulk, MessageBytes(1, 50'000)).ok());
  pair.DropNext(0, 1);  // The bulk message's first piece.
  pair.loop().RunFor(TimeDelta::Millis(100));
  ASSERT_TRUE(pair.end(0).Send(Lane::kSessionData, MessageBytes(2, 100)).ok());
  ASSERT_TRUE(
      pair.loop().RunUntil([&] { return !pair.received(1).empty(); }, TimeDelta::Seconds(5)));
  EXPECT_EQ(pair.received(1)[0].lane, Lane::kSessionData);
  ASSERT_TRUE(
      pair.loop().RunUntil([&] { return pair.received(1).size() == 2; }, TimeDelta::Seconds(5)));
  EXPECT_EQ(pair.received(1)[1].data, MessageBytes(1, 50'000));
}

// The receiving process restarts mid-transfer: the sender sees the new incarnation, numbers
// afresh, and everything the old process had not acknowledged reaches the new one whole.
TEST(ReliableChannelTest, AfterThePeerRestartsEveryUnacknowledgedMessageArrives) {
  ChannelPair pair({.loss = 0.02}, 3);
  std::vector<std::vector<uint8_t>> sent;
  for (uint32_t i = 0; i < 40; ++i) {
    sent.push_back(MessageBytes(i, 20'000));
    ASSERT_TRUE(pair.end(0).Send(Lane::kBulk, sent.back()).ok());
  }
  ASSERT_TRUE(
      pair.loop().RunUntil([&] { return pair.received(1).size() >= 10; }, TimeDelta::Seconds(30)));
  const size_t delivered_before = pair.received(1).size();
  pair.Restart(1, 555);
  // The new process speaks first (say, a hello of its own).
  ASSERT_TRUE(pair.end(1).Send(Lane::kSessionData, MessageBytes(9, 10)).ok());
  ASSERT_TRUE(pair.loop().RunUntil([&] { return pair.end(0).idle() && pair.end(1).idle(); },
                                   TimeDelta::Seconds(60)));
  EXPECT_EQ(pair.end(0).stats().peer_restarts, 1u);
  EXPECT_EQ(pair.end(0).epoch(), 2u);
  // The new process got, in order, every message the old one had not delivered, after those of
  // the delivered ones whose acknowledgement had not reached the sender (each whole).
  const auto& got = pair.received(1);
  std::vector<size_t> indices;
  for (size_t i = delivered_before; i < got.size(); ++i) {
    const auto it = std::find(sent.begin(), sent.end(), got[i].data);
    ASSERT_NE(it, sent.end()) << "message " << i << " is none of those sent";
    indices.push_back(static_cast<size_t>(it - sent.begin()));
  }
  ASSERT_TRUE(std::is_sorted(indices.begin(), indices.end()));
  ASSERT_TRUE(std::adjacent_find(indices.begin(), indices.end()) == indices.end());
  std::vector<size_t> never_delivered(indices.begin(), indices.end());
  std::erase_if(never_delivered, [&](size_t i) { return i < delivered_before; });
  ASSERT_EQ(never_delivered.size(), sent.size() - delivered_before);
  EXPECT_EQ(never_delivered.front(), delivered_before);
}

// One packet lost early in a long epoch: its number never comes (its piece went again under a
// new one), and the receiver's cumulative acknowledgement moves past it by the sender's floor;
// 100 000 packets later the channel still takes every packet.
TEST(ReliableChannelTest, ALostNumberDoesNotStopTheChannelManyPacketsLater) {
  ChannelPair pair({.one_way = TimeDelta::Millis(20), .rate = DataRate::KilobitsPerSec(100'000)}, 1,
                   /*max_packet_size=*/300);
  std::vector<std::vector<uint8_t>> sent;
  for (uint32_t i = 0; i < 22; ++i) sent.push_back(MessageBytes(i, 1'000'000));
  ASSERT_TRUE(pair.end(0).Send(Lane::kBulk, sent[0]).ok());
  pair.loop().RunFor(TimeDelta::Millis(50));
  pair.DropNext(0, 1);
  for (uint32_t i = 1; i < sent.size(); ++i)
    ASSERT_TRUE(pair.end(0).Send(Lane::kBulk, sent[i]).ok());
  ASSERT_TRUE(pair.loop().RunUntil([&] { return pair.received(1).size() == sent.size(); },
                                   TimeDelta::Seconds(120)));
  EXPECT_GT(pair.end(0).stats().packets_sent, 100'000u);
  EXPECT_EQ(pair.end(1).stats().refused, 0u);
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(pair.received(1)[i].data, sent[i]) << i;
}

// The receive buffer is full of later messages when the first one's pieces come again: it is
// taken anyway, or the lane would never deliver again.
TEST(ReliableChannelTest, TheNextMessageIsTakenWhenLaterOnesFillTheBuffer) {
  ReliableChannel channel({.incarnation = 7, .receive_window = 10'000});
  const Timestamp now = Timestamp::Seconds(10);
  const std::vector<uint8_t> first(8'000, 1);
  const std::vector<uint8_t> second(8'000, 2);
  DataPacket packet;
  packet.incarnation = 50;
  packet.epoch = 1;
  // Message 1 (packet 1) was lost; message 2 came and holds 8 000 of the 10 000 bytes.
  packet.fragment = DataFragment{2, 1, Lane::kBulk, 2, 8'000, 0, second};
  ASSERT_TRUE(channel.OnPacket(packet.Serialize(), now).ok());
  packet.fragment = DataFragment{3, 1, Lane::kBulk, 1, 8'000, 0, first};
  ASSERT_TRUE(channel.OnPacket(packet.Serialize(), now).ok());
  const std::vector<ReliableChannel::Message> delivered = channel.TakeMessages();
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[0].data, first);
  EXPECT_EQ(delivered[1].data, second);
  EXPECT_EQ(channel.stats().refused, 0u);
}

// Malformed, stale or overlapping input is refused and counted and changes nothing.
TEST(ReliableChannelTest, RefusesMalformedAndStalePackets) {
  ReliableChannel channel({.incarnation = 7});
  const Timestamp now = Timestamp::Seconds(10);
  EXPECT_FALSE(channel.OnPacket(std::vector<uint8_t>{1, 2, 3}, now).ok());
  EXPECT_EQ(channel.stats().refused, 1u);

  std::vector<uint8_t> data(100, 3);
  DataPacket packet;
  packet.incarnation = 50;
  packet.epoch = 1;
  packet.fragment = DataFragment{1, 1, Lane::kSessionData, 1, 200, 0, data};
  ASSERT_TRUE(channel.OnPacket(packet.Serialize(), now).ok());
  // A piece that overlaps the one held.
  packet.fragment = DataFragment{2, 1, Lane::kSessionData, 1, 200, 50, data};
  ASSERT_TRUE(channel.OnPacket(packet.Serialize(), now).ok());
  EXPECT_EQ(channel.stats().refused, 2u);
  // The sender's next epoch starts afresh; its old epoch is left behind.
  packet.epoch = 2;
  packet.fragment = DataFragment{1, 1, Lane::kSessionData, 1, 100, 0, data};
  ASSERT_TRUE(channel.OnPacket(packet.Serialize(), now).ok());
  ASSERT_EQ(channel.TakeMessages().size(), 1u);
  packet.epoch = 1;
  Status stale = channel.OnPacket(packet.Serialize(), now);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kReplayed);
  EXPECT_EQ(channel.stats().stale_incarnation, 1u);
  EXPECT_TRUE(channel.TakeMessages().empty());
  EXPECT_FALSE(channel.Send(Lane::kBulk, {}).ok());
  EXPECT_FALSE(channel.Send(Lane::kBulk, std::vector<uint8_t>((1 << 20) + 1)).ok());
}

}  // namespace
}  // namespace comodal::datachannel
