// Transport-wide feedback end to end: the receiver's generator reports arrivals, the message
// crosses the wire (serialised and parsed), the sender's adapter matches it to what was sent.
#include "transport/cc/transport_feedback_adapter.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "transport/cc/transport_feedback_generator.h"

namespace comodal {
namespace {

constexpr uint32_t kReceiverSsrc = 0x1111;
constexpr uint32_t kMediaSsrc = 0x2222;

rtcp::TransportFeedback OverTheWire(const rtcp::TransportFeedback& feedback) {
  std::vector<uint8_t> bytes(feedback.Size());
  EXPECT_TRUE(rtcp::SerializeRtcp(feedback, bytes).ok());
  auto header = rtcp::RtcpCommonHeader::Parse(bytes);
  EXPECT_TRUE(header.ok());
  auto parsed = rtcp::TransportFeedback::Parse(*header);
  EXPECT_TRUE(parsed.ok());
  return *parsed;
}

struct Link {
  TransportFeedbackAdapter adapter;
  TransportFeedbackGenerator generator{kReceiverSsrc, kMediaSsrc};
  std::vector<PacketResult> results;

  void DeliverFeedback(Timestamp now, bool lose_it = false) {
    for (const auto& message : generator.Build(now)) {
      if (lose_it) continue;
      auto feedback = adapter.OnTransportFeedback(OverTheWire(message), now);
      if (feedback)
        results.insert(results.end(), feedback->packets.begin(), feedback->packets.end());
    }
  }
};

// 1 000 packets of 1 200 bytes, one every 10 ms (960 kbit/s), sequence numbers wrapping, with a
// one-way delay that grows by 1 ms per packet for a while (a queue building) and every 7th
// packet lost. Every packet is reported once, with the right fate; receive times keep the
// arrival spacing exactly (to the 250 us tick), across messages.
TEST(TransportFeedbackAdapterTest, EveryPacketReportedOnceWithItsFateAndArrivalSpacing) {
  Link link;
  const Timestamp start = Timestamp::Seconds(50);
  std::map<int64_t, Timestamp> arrival_of;
  Timestamp next_feedback = Timestamp::PlusInfinity();
  for (int i = 0; i < 1000; ++i) {
    const Timestamp sent = start + TimeDelta::Millis(10) * i;
    const auto sequence = static_cast<uint16_t>(65'000 + i);
    link.adapter.OnPacketSent({sequence, DataSize::Bytes(1200), sent, std::nullopt});
    const Timestamp arrival = sent + TimeDelta::Millis(300) + TimeDelta::Millis(std::min(i, 200));
    if (i % 7 != 3) {
      link.generator.OnPacket(sequence, DataSize::Bytes(1200), arrival);
      arrival_of.emplace(i, arrival);
    }
    next_feedback = link.generator.NextSendTime();
    if (next_feedback <= arrival) link.DeliverFeedback(arrival);
  }
  link.DeliverFeedback(start + TimeDelta::Seconds(20));
  ASSERT_EQ(link.results.size(), 1000u);
  std::set<int64_t> seen;
  const PacketResult* first_received = nullptr;
  for (const PacketResult& r : link.results) {
    EXPECT_TRUE(seen.insert(r.sequence_number).second) << "reported twice: " << r.sequence_number;
    const int i = static_cast<int>(r.sequence_number - 65'000);
    EXPECT_EQ(r.send_time, start + TimeDelta::Millis(10) * i);
    EXPECT_EQ(r.size, DataSize::Bytes(1200));
    EXPECT_EQ(r.received(), i % 7 != 3) << i;
    if (!r.received()) continue;
    if (first_received == nullptr) {
      first_received = &r;
      continue;
    }
    const int first = static_cast<int>(first_received->sequence_number - 65'000);
    const TimeDelta expected = arrival_of.at(i) - arrival_of.at(first);
    const TimeDelta measured = r.receive_time - first_received->receive_time;
    EXPECT_LE((measured - expected).Abs(), TimeDelta::Micros(250)) << i;
  }
  // The losses right at the start of a feedback interval are reported too.
  int lost = 0;
  for (const PacketResult& r : link.results) lost += !r.received();
  EXPECT_EQ(lost, 143);  // i = 3, 10, ..., 997.
  EXPECT_EQ(link.adapter.data_in_flight(), DataSize::Zero());
  EXPECT_EQ(link.adapter.stats().packets_unknown, 0u);
}

// At about 1 Mbit/s the receiver reports every 50 ms; at 200 kbit/s every 160 ms (feedback within
// 3 % of the rate); on an audio-only trickle every 250 ms.
TEST(TransportFeedbackGeneratorTest, IntervalFollowsTheIncomingRate) {
  auto interval_at = [](DataSize packet, TimeDelta spacing) {
    TransportFeedbackGenerator generator(kReceiverSsrc, kMediaSsrc);
    Timestamp now = Timestamp::Seconds(1);
    for (int i = 0; i < 300; ++i) {
      generator.OnPacket(static_cast<uint16_t>(i), packet, now);
      now += spacing;
    }
    return generator.interval();
  };
  EXPECT_EQ(interval_at(DataSize::Bytes(1200), TimeDelta::Millis(10)), TimeDelta::Millis(50));
  EXPECT_NEAR(interval_at(DataSize::Bytes(1000), TimeDelta::Millis(40)).ms_f(), 160.0, 1.0);
  EXPECT_EQ(interval_at(DataSize::Bytes(100), TimeDelta::Millis(20)), TimeDelta::Millis(250));
}

// Through an hour's outage the sender kept numbering (audio goes on at 50 packets a second:
// 180 000 numbers, wraps of 16 bits); whatever the jump modulo 2^16, the first packets after it
// are reported, not taken for packets already reported (the controller would never hear again),
// and no gap of thousands is reported lost.
TEST(TransportFeedbackAdapterTest, FeedbackResumesAfterTheNumbersWrappedThroughAnOutage) {
  // Landing far behind, far ahead, a little ahead, and just behind where reporting stood.
  for (const int jump : {180'000, 180'000 + 40'000, 3 * 65'536 + 300, 3 * 65'536 - 200}) {
    Link link;
    const Timestamp start = Timestamp::Seconds(10);
    for (int i = 0; i < 100; ++i) {
      const Timestamp sent = start + TimeDelta::Millis(20) * i;
      link.adapter.OnPacketSent(
          {static_cast<uint16_t>(i), DataSize::Bytes(200), sent, std::nullopt});
      link.generator.OnPacket(static_cast<uint16_t>(i), DataSize::Bytes(200),
                              sent + TimeDelta::Millis(300));
    }
    link.DeliverFeedback(start + TimeDelta::Seconds(3));
    // Sent into the outage: none arrives.
    for (int i = 100; i < 100 + jump; ++i) {
      link.adapter.OnPacketSent({static_cast<uint16_t>(i), DataSize::Bytes(200),
                                 start + TimeDelta::Millis(20) * i, std::nullopt});
    }
    const Timestamp back = start + TimeDelta::Millis(20) * (100 + jump);
    for (int i = 0; i < 50; ++i) {
      const auto number = static_cast<uint16_t>(100 + jump + i);
      const Timestamp sent = back + TimeDelta::Millis(20) * i;
      link.adapter.OnPacketSent({number, DataSize::Bytes(200), sent, std::nullopt});
      link.generator.OnPacket(number, DataSize::Bytes(200), sent + TimeDelta::Millis(300));
    }
    link.results.clear();
    link.DeliverFeedback(back + TimeDelta::Seconds(2));
    ASSERT_EQ(link.results.size(), 50u) << "jump " << jump;
    for (const PacketResult& r : link.results) EXPECT_TRUE(r.received()) << "jump " << jump;
  }
}

// A lost feedback message: the packets it covered are no longer counted in flight once the next
// message arrives, and what the next message reports is matched as usual.
TEST(TransportFeedbackAdapterTest, LostFeedbackDoesNotLeaveDataInFlightForever) {
  Link link;
  const Timestamp start = Timestamp::Seconds(10);
  for (int i = 0; i < 40; ++i) {
    const Timestamp sent = start + TimeDelta::Millis(20) * i;
    link.adapter.OnPacketSent({static_cast<uint16_t>(i), DataSize::Bytes(500), sent, std::nullopt});
    link.generator.OnPacket(static_cast<uint16_t>(i), DataSize::Bytes(500),
                            sent + TimeDelta::Millis(300));
    if (i == 19) link.DeliverFeedback(sent + TimeDelta::Millis(300), /*lose_it=*/true);
  }
  EXPECT_EQ(link.adapter.data_in_flight(), DataSize::Bytes(500 * 40));
  link.DeliverFeedback(start + TimeDelta::Seconds(2));
  EXPECT_EQ(link.adapter.data_in_flight(), DataSize::Zero());
  // 19..39: 0..18 went with the lost message; 19, its last packet, starts the next message
  // again (that is how the losses just before a message's first arrival are reported).
  ASSERT_EQ(link.results.size(), 21u);
  EXPECT_EQ(link.results.front().sequence_number, 19);
  for (const PacketResult& r : link.results) EXPECT_TRUE(r.received());
}

// The feedback reference time wraps every 2^24 x 64 ms (about 12.4 days of receiver clock):
// receive times stay continuous across the wrap.
TEST(TransportFeedbackAdapterTest, ReceiveTimesStayContinuousAcrossTheReferenceTimeWrap) {
  Link link;
  const Timestamp wrap = Timestamp::Zero() + rtcp::TransportFeedback::kReferenceTimeWrapPeriod;
  const Timestamp receiver_start = wrap - TimeDelta::Seconds(1);
  const Timestamp sender_start = Timestamp::Seconds(5);
  for (int i = 0; i < 200; ++i) {
    link.adapter.OnPacketSent({static_cast<uint16_t>(i), DataSize::Bytes(800),
                               sender_start + TimeDelta::Millis(10) * i, std::nullopt});
    const Timestamp arrival = receiver_start + TimeDelta::Millis(10) * i;
    link.generator.OnPacket(static_cast<uint16_t>(i), DataSize::Bytes(800), arrival);
    if (link.generator.NextSendTime() <= arrival) link.DeliverFeedback(arrival);
  }
  link.DeliverFeedback(receiver_start + TimeDelta::Seconds(3));
  ASSERT_EQ(link.results.size(), 200u);
  for (size_t i = 1; i < link.results.size(); ++i) {
    EXPECT_LE(
        (link.results[i].receive_time - link.results[i - 1].receive_time - TimeDelta::Millis(10))
            .Abs(),
        TimeDelta::Micros(250))
        << i;
  }
}

}  // namespace
}  // namespace comodal
