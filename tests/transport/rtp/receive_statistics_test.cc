#include "transport/rtp/receive_statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace comodal {
namespace {

constexpr uint32_t kSsrc = 0x1234ABCD;
constexpr int kVideoRate = 90'000;
constexpr Timestamp kStart = Timestamp::Seconds(5000);
constexpr TimeDelta kSpacing = TimeDelta::Millis(20);
constexpr uint32_t kTicksPerPacket = 1800;  // 20 ms at 90 kHz.

// A stream sending a 100-byte packet every 20 ms; `Receive(i)` delivers packet i on time
// unless told otherwise.
class Stream {
 public:
  explicit Stream(uint16_t first_sequence = 1000, uint32_t first_timestamp = 7777)
      : stats(kSsrc, kVideoRate),
        first_sequence_(first_sequence),
        first_timestamp_(first_timestamp) {}

  void Receive(int i, TimeDelta late = TimeDelta::Zero(), bool retransmission = false) {
    stats.OnRtpPacket(static_cast<uint16_t>(first_sequence_ + i),
                      first_timestamp_ + kTicksPerPacket * static_cast<uint32_t>(i), 100,
                      Sent(i) + late, retransmission);
  }
  static Timestamp Sent(int i) { return kStart + kSpacing * i; }

  StreamReceiveStatistics stats;

 private:
  uint16_t first_sequence_;
  uint32_t first_timestamp_;
};

TEST(StreamReceiveStatisticsTest, InOrderStreamHasNoLoss) {
  Stream s;
  for (int i = 0; i < 100; ++i) s.Receive(i);
  EXPECT_EQ(s.stats.packets_received(), 100u);
  EXPECT_EQ(s.stats.bytes_received(), 10'000u);
  EXPECT_EQ(s.stats.cumulative_lost(), 0);
  EXPECT_EQ(s.stats.jitter(), TimeDelta::Zero());
  EXPECT_EQ(s.stats.ssrc(), kSsrc);
  const rtcp::ReportBlock block = s.stats.MakeReportBlock(Stream::Sent(100));
  EXPECT_EQ(block.source_ssrc, kSsrc);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.extended_highest_sequence, 1099u);
  EXPECT_EQ(block.jitter, 0u);
  EXPECT_EQ(block.last_sr, 0u);
  EXPECT_EQ(block.delay_since_last_sr, 0u);
}

TEST(StreamReceiveStatisticsTest, FractionLostIsPerReportInterval) {
  Stream s;
  // One packet in four lost: 25 % is 64/256 (RFC 3550 §6.4.1 fixed point).
  for (int i = 0; i < 400; ++i) {
    if (i % 4 != 1) s.Receive(i);
  }
  rtcp::ReportBlock block = s.stats.MakeReportBlock(Stream::Sent(400));
  EXPECT_EQ(block.fraction_lost, 64);
  EXPECT_EQ(block.cumulative_lost, 100);
  EXPECT_EQ(s.stats.cumulative_lost(), 100);
  EXPECT_EQ(s.stats.packets_received(), 300u);

  // A clean interval: the fraction drops to 0, the cumulative count stays.
  for (int i = 400; i < 500; ++i) s.Receive(i);
  block = s.stats.MakeReportBlock(Stream::Sent(500));
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 100);

  // One in ten lost: 25.6 -> 25 (truncated, as RFC 3550 §A.3 computes it).
  for (int i = 500; i < 600; ++i) {
    if (i % 10 != 5) s.Receive(i);
  }
  block = s.stats.MakeReportBlock(Stream::Sent(600));
  EXPECT_EQ(block.fraction_lost, 25);
  EXPECT_EQ(block.cumulative_lost, 110);

  // Nothing received: no interval to report on.
  EXPECT_FALSE(s.stats.received_since_last_report());
  block = s.stats.MakeReportBlock(Stream::Sent(650));
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 110);
}

TEST(StreamReceiveStatisticsTest, ReorderedPacketIsNotLost) {
  Stream s;
  s.Receive(0);
  s.Receive(2);
  EXPECT_EQ(s.stats.cumulative_lost(), 1);
  s.Receive(1, TimeDelta::Millis(30));
  s.Receive(3);
  EXPECT_EQ(s.stats.cumulative_lost(), 0);
  EXPECT_EQ(s.stats.packets_received(), 4u);
  EXPECT_EQ(s.stats.MakeReportBlock(Stream::Sent(4)).fraction_lost, 0);
}

TEST(StreamReceiveStatisticsTest, LossFractionCountsALateArrivalInTheIntervalItCameIn) {
  Stream s;
  for (int i = 0; i < 8; ++i) {
    if (i != 5) s.Receive(i);
  }
  EXPECT_EQ(s.stats.MakeReportBlock(Stream::Sent(8)).fraction_lost, 32);  // 1 of 8.
  // Packet 5 comes after the report, with 8 new packets: 9 received for 8 expected.
  s.Receive(5, TimeDelta::Millis(200));
  for (int i = 8; i < 16; ++i) s.Receive(i);
  const rtcp::ReportBlock block = s.stats.MakeReportBlock(Stream::Sent(16));
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
}

TEST(StreamReceiveStatisticsTest, DuplicatesAreNotCountedAsReceived) {
  Stream s;
  for (int i = 0; i < 10; ++i) {
    if (i != 4) s.Receive(i);
  }
  s.Receive(9);  // Duplicate of the highest.
  s.Receive(2);  // Duplicate of an older one.
  EXPECT_EQ(s.stats.packets_duplicated(), 2u);
  EXPECT_EQ(s.stats.packets_received(), 9u);
  // RFC 3550 would count duplicates and report -1 lost; packet 4 is lost, whatever the network
  // duplicated.
  EXPECT_EQ(s.stats.cumulative_lost(), 1);
  // The retransmission of 4 counts once; a second copy (original, late) is a duplicate.
  s.Receive(4, TimeDelta::Millis(650), /*retransmission=*/true);
  s.Receive(4, TimeDelta::Millis(700));
  EXPECT_EQ(s.stats.cumulative_lost(), 0);
  EXPECT_EQ(s.stats.packets_duplicated(), 3u);
  EXPECT_EQ(s.stats.bytes_received(), 1000u);
}

TEST(StreamReceiveStatisticsTest, PacketFromBeforeTheFirstOneExtendsTheStream) {
  Stream s;
  s.Receive(5);
  s.Receive(6);
  s.Receive(3, TimeDelta::Millis(50));  // Overtaken by 5 and 6; 4 is still missing.
  EXPECT_EQ(s.stats.cumulative_lost(), 1);
  s.Receive(4, TimeDelta::Millis(60));
  EXPECT_EQ(s.stats.cumulative_lost(), 0);
  EXPECT_EQ(s.stats.packets_received(), 4u);
  EXPECT_EQ(s.stats.extended_highest_sequence(), 1006u);
}

TEST(StreamReceiveStatisticsTest, ExtendedHighestSequenceCountsCycles) {
  Stream s(/*first_sequence=*/65530);
  for (int i = 0; i < 20; ++i) {
    if (i == 8) continue;  // Sequence number 2, after the wrap, is lost.
    s.Receive(i);
  }
  s.Receive(4, TimeDelta::Millis(40));  // Duplicate of sequence number 65534.
  const rtcp::ReportBlock block = s.stats.MakeReportBlock(Stream::Sent(20));
  EXPECT_EQ(block.extended_highest_sequence, (1u << 16) + 13u);
  EXPECT_EQ(block.cumulative_lost, 1);
  EXPECT_EQ(s.stats.packets_duplicated(), 1u);

  // A packet from before the wrap arriving after it is late, not a jump.
  Stream t(/*first_sequence=*/65534);
  t.Receive(0);
  t.Receive(2);                         // Sequence number 0.
  t.Receive(1, TimeDelta::Millis(30));  // 65535.
  EXPECT_EQ(t.stats.cumulative_lost(), 0);
  EXPECT_EQ(t.stats.extended_highest_sequence(), 1u << 16);
}

TEST(StreamReceiveStatisticsTest, JumpIsBelievedOnlyWhenTheNextPacketFollowsIt) {
  StreamReceiveStatistics stats(kSsrc, kVideoRate);
  Timestamp t = kStart;
  auto receive = [&](uint16_t seq) {
    stats.OnRtpPacket(seq, 1000, 50, t, false);
    t += kSpacing;
  };
  for (int seq = 100; seq < 200; ++seq) receive(static_cast<uint16_t>(seq));
  receive(40000);  // A stray packet: held back, not counted.
  EXPECT_EQ(stats.packets_received(), 100u);
  for (int seq = 200; seq < 210; ++seq) receive(static_cast<uint16_t>(seq));
  EXPECT_EQ(stats.packets_received(), 110u);
  EXPECT_EQ(stats.cumulative_lost(), 0);
  EXPECT_EQ(stats.extended_highest_sequence(), 209u);

  // The sender restarts at 30000: two packets in a row confirm it.
  receive(30000);
  EXPECT_EQ(stats.packets_received(), 110u);
  receive(30001);
  EXPECT_EQ(stats.packets_received(), 112u);
  EXPECT_EQ(stats.bytes_received(), 112u * 50);
  for (int seq = 30002; seq < 30010; ++seq) {
    if (seq != 30005) receive(static_cast<uint16_t>(seq));
  }
  // Loss carries on across the restart; the highest sequence number never steps back.
  EXPECT_EQ(stats.cumulative_lost(), 1);
  EXPECT_EQ(stats.extended_highest_sequence(), 30009u);
  // An old-run packet arriving late is far from the new run: a jump that nothing confirms.
  receive(205);
  EXPECT_EQ(stats.packets_received(), 119u);

  // A restart back to a small number is a step into the next cycle.
  receive(5);
  receive(6);
  EXPECT_EQ(stats.extended_highest_sequence(), (1u << 16) + 6u);
  EXPECT_EQ(stats.cumulative_lost(), 1);
  const rtcp::ReportBlock block = stats.MakeReportBlock(t);
  EXPECT_EQ(block.cumulative_lost, 1);
  EXPECT_EQ(block.fraction_lost, 256 * 1 / 122);  // 1 lost of 122 expected: 2.
}

TEST(StreamReceiveStatisticsTest, CumulativeLostClampsTo24Bits) {
  StreamReceiveStatistics stats(kSsrc, kVideoRate);
  Timestamp t = kStart;
  // Gaps of 2999 (just inside the dropout) lose 2998 packets each.
  uint16_t seq = 0;
  for (int i = 0; i < 3000; ++i) {
    stats.OnRtpPacket(seq, 0, 100, t, false);
    seq = static_cast<uint16_t>(seq + 2999);
    t += kSpacing;
  }
  EXPECT_EQ(stats.cumulative_lost(), int64_t{2999} * 2998);
  const rtcp::ReportBlock block = stats.MakeReportBlock(t);
  EXPECT_EQ(block.cumulative_lost, rtcp::ReportBlock::kMaxCumulativeLost);
  EXPECT_EQ(block.fraction_lost, 255);  // 2998/2999 of 256 is 255.9: truncated.
  EXPECT_EQ(block.extended_highest_sequence, static_cast<uint32_t>(int64_t{2999} * 2999));
}

TEST(StreamReceiveStatisticsTest, JitterFollowsTheRfcFormula) {
  // Every other packet 10 ms (900 ticks) late: each transit difference |D| is 900, so
  // J(n) = 900 * (1 - (15/16)^n) after n differences (RFC 3550 §6.4.1, J(0) = 0).
  Stream s;
  s.Receive(0);
  for (int n = 1; n <= 200; ++n) {
    s.Receive(n, n % 2 == 1 ? TimeDelta::Millis(10) : TimeDelta::Zero());
    if (n == 10 || n == 40) {
      const double expected = 900.0 * (1.0 - std::pow(15.0 / 16.0, n));
      EXPECT_EQ(s.stats.MakeReportBlock(Stream::Sent(n)).jitter,
                static_cast<uint32_t>(std::llround(expected)))
          << n;
    }
  }
  EXPECT_EQ(s.stats.MakeReportBlock(Stream::Sent(201)).jitter, 900u);
  EXPECT_NEAR(s.stats.jitter().us(), 10'000, 1);
}

TEST(StreamReceiveStatisticsTest, JitterAt48kHzAndAcrossTheTimestampWrap) {
  StreamReceiveStatistics stats(kSsrc, 48'000);
  // 20 ms Opus frames (960 ticks) from just below 2^32; transit alternates 0 and 5 ms (240).
  uint32_t timestamp = 0xFFFFFFFFu - 960 * 50;
  for (int i = 0; i < 300; ++i) {
    const TimeDelta late = i % 2 == 1 ? TimeDelta::Millis(5) : TimeDelta::Zero();
    stats.OnRtpPacket(static_cast<uint16_t>(i), timestamp, 80, kStart + kSpacing * i + late);
    timestamp += 960;
  }
  EXPECT_EQ(stats.MakeReportBlock(kStart).jitter, 240u);
  EXPECT_NEAR(stats.jitter().us(), 5'000, 1);
}

TEST(StreamReceiveStatisticsTest, RetransmissionsCountButDoNotMakeJitter) {
  Stream s;
  for (int i = 0; i < 100; ++i) {
    if (i % 10 == 3) continue;
    s.Receive(i);
    // Lost packets come back one RTT later, out of timing with the rest.
    if (i % 10 == 5) s.Receive(i - 2, TimeDelta::Millis(600), /*retransmission=*/true);
  }
  EXPECT_EQ(s.stats.cumulative_lost(), 0);
  EXPECT_EQ(s.stats.packets_received(), 100u);
  EXPECT_EQ(s.stats.jitter(), TimeDelta::Zero());
}

TEST(StreamReceiveStatisticsTest, TimelineJumpIsNotJitter) {
  Stream s;
  for (int i = 0; i < 50; ++i) s.Receive(i);
  // The sender's RTP clock jumps by a minute with no sequence discontinuity.
  s.stats.OnRtpPacket(1050, 7777 + 1800 * 50 + 90'000 * 60, 100, Stream::Sent(50));
  EXPECT_EQ(s.stats.jitter(), TimeDelta::Zero());
  EXPECT_EQ(s.stats.packets_received(), 51u);
}

TEST(StreamReceiveStatisticsTest, LastSenderReportAndDelaySinceIt) {
  Stream s;
  s.Receive(0);
  // NTP 0xE98B0A12.40000000 (x.25 s): compact NTP is the middle 32 bits.
  const NtpTime ntp(0xE98B0A12u, 0x40000000u);
  const Timestamp sr_arrival = kStart + TimeDelta::Millis(300);
  s.stats.OnSenderReport(ntp, sr_arrival);
  rtcp::ReportBlock block = s.stats.MakeReportBlock(sr_arrival + TimeDelta::Millis(1250));
  EXPECT_EQ(block.last_sr, 0x0A124000u);
  EXPECT_EQ(block.delay_since_last_sr, 81'920u);  // 1.25 s in 1/65536 s.
  // The sender's view: RTT = A - LSR - DLSR.
  const uint32_t arrival_at_sender = 0x0A124000u + 81'920u + 40'960u;  // + 625 ms.
  EXPECT_EQ(RoundTripFromCompactNtp(arrival_at_sender, block.last_sr, block.delay_since_last_sr),
            TimeDelta::Millis(625));

  // A newer SR replaces it.
  s.stats.OnSenderReport(NtpTime(0xE98B0A14u, 0x80000000u), sr_arrival + TimeDelta::Seconds(2));
  block = s.stats.MakeReportBlock(sr_arrival + TimeDelta::Seconds(2));
  EXPECT_EQ(block.last_sr, 0x0A148000u);
  EXPECT_EQ(block.delay_since_last_sr, 0u);
}

}  // namespace
}  // namespace comodal
