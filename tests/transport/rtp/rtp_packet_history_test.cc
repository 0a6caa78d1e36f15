#include "transport/rtp/rtp_packet_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace comodal {
namespace {

using ::testing::ElementsAre;

constexpr Timestamp kT0 = Timestamp::Seconds(100);
constexpr TimeDelta kRtt = TimeDelta::Millis(600);

Timestamp At(int ms) { return kT0 + TimeDelta::Millis(ms); }

// A 3-byte stand-in for packet `seq`.
std::vector<uint8_t> Packet(uint16_t seq) {
  return {static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0xAB};
}

// Puts packets first..first+count-1, one every 20 ms from kT0.
void PutPackets(RtpPacketHistory& history, uint16_t first, int count) {
  for (int i = 0; i < count; ++i) {
    const uint16_t seq = static_cast<uint16_t>(first + i);
    history.Put(seq, Packet(seq), At(20 * i));
  }
}

TEST(RtpPacketHistoryTest, ReturnsTheStoredBytes) {
  RtpPacketHistory history;
  PutPackets(history, 1000, 10);
  EXPECT_EQ(history.size(), 10u);
  auto packet = history.TakeForRetransmission(1004, At(700), kRtt);
  ASSERT_TRUE(packet.has_value());
  EXPECT_THAT(*packet, ElementsAre(0x03, 0xEC, 0xAB));
  EXPECT_FALSE(history.TakeForRetransmission(999, At(700), kRtt).has_value());
  EXPECT_FALSE(history.TakeForRetransmission(1010, At(700), kRtt).has_value());
  EXPECT_EQ(history.stats().retransmitted, 1u);
  EXPECT_EQ(history.stats().not_found, 2u);
}

TEST(RtpPacketHistoryTest, RepeatedNackWithinOneRttIsRefused) {
  RtpPacketHistory history;
  PutPackets(history, 1, 5);
  // The first repair is not limited by the original send, even under one RTT after it.
  EXPECT_TRUE(history.TakeForRetransmission(3, At(440), kRtt).has_value());
  EXPECT_FALSE(history.TakeForRetransmission(3, At(700), kRtt).has_value());
  EXPECT_FALSE(history.TakeForRetransmission(3, At(1039), kRtt).has_value());
  EXPECT_TRUE(history.TakeForRetransmission(3, At(1040), kRtt).has_value());
  // The interval counts from the last resend.
  EXPECT_FALSE(history.TakeForRetransmission(3, At(1500), kRtt).has_value());
  EXPECT_EQ(history.stats().retransmitted, 2u);
  EXPECT_EQ(history.stats().too_soon, 3u);
  // Other packets are not affected.
  EXPECT_TRUE(history.TakeForRetransmission(4, At(1500), kRtt).has_value());
}

TEST(RtpPacketHistoryTest, EvictsByAge) {
  RtpPacketHistory history(TimeDelta::Seconds(3));
  PutPackets(history, 0, 200);  // The last one sent at 3980 ms.
  // Sent 3 s or less before the newest: from 980 ms on, packets 49..199.
  EXPECT_EQ(history.size(), 151u);
  EXPECT_FALSE(history.TakeForRetransmission(48, At(3980), kRtt).has_value());
  EXPECT_TRUE(history.TakeForRetransmission(49, At(3980), kRtt).has_value());
  // Time passes without sending: a NACK's time evicts too.
  EXPECT_FALSE(history.TakeForRetransmission(60, At(5201), kRtt).has_value());
  EXPECT_EQ(history.size(), 199u - 110u);  // 111..199 were sent at or after 2201 ms.
}

TEST(RtpPacketHistoryTest, EvictsByCount) {
  RtpPacketHistory history(TimeDelta::Seconds(3), 100);
  PutPackets(history, 0, 150);
  EXPECT_EQ(history.size(), 100u);
  EXPECT_FALSE(history.TakeForRetransmission(49, At(3000), kRtt).has_value());
  EXPECT_TRUE(history.TakeForRetransmission(50, At(3000), kRtt).has_value());
}

TEST(RtpPacketHistoryTest, SequenceNumbersWrap) {
  RtpPacketHistory history;
  PutPackets(history, 65530, 12);  // 65530..65535, 0..5.
  EXPECT_EQ(history.size(), 12u);
  auto before = history.TakeForRetransmission(65534, At(300), kRtt);
  ASSERT_TRUE(before.has_value());
  EXPECT_THAT(*before, ElementsAre(0xFF, 0xFE, 0xAB));
  auto after = history.TakeForRetransmission(3, At(300), kRtt);
  ASSERT_TRUE(after.has_value());
  EXPECT_THAT(*after, ElementsAre(0x00, 0x03, 0xAB));
}

TEST(RtpPacketHistoryTest, PacketsAreCopies) {
  RtpPacketHistory history;
  std::vector<uint8_t> buffer = {1, 2, 3, 4};
  history.Put(7, buffer, kT0);
  buffer.assign({9, 9, 9, 9});  // The caller reuses its buffer for the next packet.
  auto packet = history.TakeForRetransmission(7, At(10), kRtt);
  ASSERT_TRUE(packet.has_value());
  EXPECT_THAT(*packet, ElementsAre(1, 2, 3, 4));
}

}  // namespace
}  // namespace comodal
