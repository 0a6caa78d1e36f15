#include "transport/fec/fec_encoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/transport/fec/fec_test_util.h"

#include <vector>

namespace comodal {
namespace {

using namespace fec_test;  // NOLINT(google-build-using-namespace): test constants.
using link::Random;

struct ParsedRepair {
  uint16_t sequence_number;
  uint32_t timestamp;
  uint16_t base;
  std::vector<size_t> protected_offsets;  // Mask bits set.
};

ParsedRepair ParseRepair(const std::vector<uint8_t>& bytes) {
  auto rtp = RtpPacket::Parse(bytes);
  EXPECT_TRUE(rtp.ok());
  EXPECT_EQ(rtp->ssrc(), kFecSsrc);
  EXPECT_EQ(rtp->payload_type(), kFecPt);
  EXPECT_FALSE(rtp->marker());
  EXPECT_EQ(rtp->csrc_count(), 1u);
  EXPECT_EQ(rtp->csrc(0), kMediaSsrc);
  auto header = FlexfecHeader::Parse(*rtp);
  EXPECT_TRUE(header.ok());
  ParsedRepair parsed{
      rtp->sequence_number(), rtp->timestamp(), header->streams[0].sequence_number_base, {}};
  for (size_t j = 0; j < FlexfecHeader::kMaxMaskBits; ++j) {
    if (header->streams[0].mask.test(j)) parsed.protected_offsets.push_back(j);
  }
  return parsed;
}

TEST(FlexfecSenderTest, KeyframeGetsInterleavedMasksAtTheKeyRate) {
  Random random(1);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(0.1, 0.5);
  const auto frame = Frame(65530, 20, 3000, random);  // Wraps at packet 6.
  // Nothing before the frame ends.
  for (size_t i = 0; i + 1 < frame.size(); ++i) {
    EXPECT_TRUE(sender.OnMediaPacket(frame[i], false, true).empty());
  }
  const auto repair = sender.OnMediaPacket(frame.back(), true, true);
  ASSERT_EQ(repair.size(), 10u);
  for (size_t k = 0; k < repair.size(); ++k) {
    const ParsedRepair parsed = ParseRepair(repair[k]);
    EXPECT_EQ(parsed.sequence_number, 7000 + k);
    EXPECT_EQ(parsed.timestamp, 3000u);
    // Repair packet k protects packets k and k + 10: any burst of up to 10 losses is repairable.
    EXPECT_EQ(parsed.base, static_cast<uint16_t>(65530 + k));
    EXPECT_THAT(parsed.protected_offsets, ::testing::ElementsAre(0, 10));
  }
  EXPECT_EQ(sender.next_sequence_number(), 7010);
  EXPECT_EQ(sender.stats().media_packets, 20u);
  EXPECT_EQ(sender.stats().protected_packets, 20u);
  EXPECT_EQ(sender.stats().fec_packets, 10u);
}

// At a delta rate of 0.4 (heavy loss), five frames of five packets make one 5 x 5 grid: a repair
// packet per row (five consecutive packets) and one per column (every fifth packet), emitted
// with the fifth frame; ten repairs for 25 packets, the overhead asked.
TEST(FlexfecSenderTest, HeavyLossLaysDeltaGroupsOutAsAGrid) {
  Random random(3);
  FlexfecSender sender(SenderConfig(/*max_frames_per_group=*/3, /*two_d_from_rate=*/0.25));
  sender.SetProtection(0.4, 0.8);
  std::vector<std::vector<uint8_t>> repair;
  for (size_t f = 0; f < 5; ++f) {
    const auto frame = Frame(static_cast<uint16_t>(65530 + 5 * f), 5, 3000 * (f + 1), random);
    const auto out = Protect(sender, frame, /*keyframe=*/false);
    if (f < 4) EXPECT_TRUE(out.empty()) << "frame " << f;
    repair.insert(repair.end(), out.begin(), out.end());
  }
  ASSERT_EQ(repair.size(), 10u);
  for (size_t row = 0; row < 5; ++row) {
    const ParsedRepair parsed = ParseRepair(repair[row]);
    EXPECT_EQ(parsed.base, static_cast<uint16_t>(65530 + 5 * row));
    EXPECT_THAT(parsed.protected_offsets, ::testing::ElementsAre(0, 1, 2, 3, 4));
  }
  for (size_t column = 0; column < 5; ++column) {
    const ParsedRepair parsed = ParseRepair(repair[5 + column]);
    EXPECT_EQ(parsed.base, static_cast<uint16_t>(65530 + column));
    EXPECT_THAT(parsed.protected_offsets, ::testing::ElementsAre(0, 5, 10, 15, 20));
    EXPECT_EQ(parsed.timestamp, 15000u);  // The group's last packet's.
  }
  EXPECT_EQ(sender.stats().protected_packets, 50u);  // Each packet in a row and a column.
  // Keyframes keep their own 1-D group at the key rate.
  const auto key = Protect(sender, Frame(100, 10, 90000, random), /*keyframe=*/true);
  ASSERT_EQ(key.size(), 8u);
  EXPECT_THAT(ParseRepair(key[0]).protected_offsets, ::testing::ElementsAre(0, 8));
}

TEST(FlexfecSenderTest, RepairCountRoundsAndIsAtLeastOne) {
  Random random(2);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(0.3, 0.3);
  uint16_t seq = 0;
  for (const auto& [packets, expected] :
       std::vector<std::pair<size_t, size_t>>{{10, 3}, {5, 2}, {4, 1}, {1, 1}, {48, 14}}) {
    const auto repair = Protect(sender, Frame(seq, packets, 0, random), /*keyframe=*/true);
    EXPECT_EQ(repair.size(), expected) << packets << " packets";
    seq = static_cast<uint16_t>(seq + packets);
  }
}

TEST(FlexfecSenderTest, NoRepairWithoutProtection) {
  Random random(3);
  FlexfecSender sender(SenderConfig());
  EXPECT_TRUE(Protect(sender, Frame(1, 10, 0, random), true).empty());  // Off by default.
  sender.SetProtection(0.0, 0.0);
  EXPECT_TRUE(Protect(sender, Frame(11, 10, 0, random), true).empty());
  sender.SetProtection(-1.0, 0.5);  // Clamped to 0 for delta frames.
  EXPECT_TRUE(Protect(sender, Frame(21, 10, 0, random), false).empty());
  EXPECT_EQ(Protect(sender, Frame(31, 10, 0, random), true).size(), 5u);
}

TEST(FlexfecSenderTest, SmallDeltaFramesShareAGroup) {
  Random random(4);
  FlexfecSender sender(SenderConfig(/*max_frames_per_group=*/3));
  sender.SetProtection(0.5, 1.0);
  // One-packet frames at 50 %: a repair packet is due every second frame.
  EXPECT_TRUE(Protect(sender, Frame(100, 1, 0, random), false).empty());
  auto repair = Protect(sender, Frame(101, 1, 3000, random), false);
  ASSERT_EQ(repair.size(), 1u);
  EXPECT_THAT(ParseRepair(repair[0]).protected_offsets, ::testing::ElementsAre(0, 1));

  // At 10 % the group closes at max_frames_per_group frames.
  sender.SetProtection(0.1, 1.0);
  EXPECT_TRUE(Protect(sender, Frame(102, 1, 6000, random), false).empty());
  EXPECT_TRUE(Protect(sender, Frame(103, 1, 9000, random), false).empty());
  repair = Protect(sender, Frame(104, 1, 12000, random), false);
  ASSERT_EQ(repair.size(), 1u);
  const ParsedRepair parsed = ParseRepair(repair[0]);
  EXPECT_EQ(parsed.base, 102);
  EXPECT_EQ(parsed.timestamp, 12000u);
  EXPECT_THAT(parsed.protected_offsets, ::testing::ElementsAre(0, 1, 2));
}

TEST(FlexfecSenderTest, KeyframeClosesAPendingDeltaGroup) {
  Random random(5);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(0.2, 0.5);
  EXPECT_TRUE(Protect(sender, Frame(10, 2, 0, random), false).empty());  // 2 x 0.2 < 1.
  const auto key = Frame(12, 4, 3000, random);
  // The keyframe's first packet flushes the delta group's repair.
  auto repair = sender.OnMediaPacket(key[0], false, true);
  ASSERT_EQ(repair.size(), 1u);
  EXPECT_EQ(ParseRepair(repair[0]).base, 10);
  EXPECT_THAT(ParseRepair(repair[0]).protected_offsets, ::testing::ElementsAre(0, 1));
  for (size_t i = 1; i < 3; ++i) EXPECT_TRUE(sender.OnMediaPacket(key[i], false, true).empty());
  repair = sender.OnMediaPacket(key[3], true, true);
  ASSERT_EQ(repair.size(), 2u);
  EXPECT_EQ(ParseRepair(repair[0]).base, 12);
}

TEST(FlexfecSenderTest, LargeFramesAreCutIntoGroups) {
  Random random(6);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(0.25, 0.25);
  const auto repair = Protect(sender, Frame(60000, 100, 0, random), true);
  // 48 + 48 + 4 packets: 12 + 12 + 1 repair packets.
  ASSERT_EQ(repair.size(), 25u);
  EXPECT_EQ(ParseRepair(repair[0]).base, 60000);
  EXPECT_EQ(ParseRepair(repair[12]).base, 60048);
  EXPECT_EQ(ParseRepair(repair[24]).base, 60096);
  EXPECT_THAT(ParseRepair(repair[24]).protected_offsets, ::testing::ElementsAre(0, 1, 2, 3));
}

TEST(FlexfecSenderTest, RepairStaysWithinTheStatedOverhead) {
  Random random(7);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(1.0, 1.0);
  const auto frame = Frame(0, 30, 0, random);
  size_t longest = 0;
  for (const auto& packet : frame) longest = std::max(longest, packet.size());
  for (const auto& repair : Protect(sender, frame, true)) {
    EXPECT_LE(repair.size(), longest + FlexfecSender::kMaxOverhead);
  }
}

TEST(FlexfecSenderTest, IgnoresOtherStreamsAndGarbage) {
  Random random(8);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(1.0, 1.0);
  std::vector<uint8_t> other = MediaPacket(1, 0, true, random);
  StoreBE32(&other[8], 0xBAD);
  EXPECT_TRUE(sender.OnMediaPacket(other, true, true).empty());
  const std::vector<uint8_t> garbage = {1, 2, 3};
  EXPECT_TRUE(sender.OnMediaPacket(garbage, true, true).empty());
  EXPECT_EQ(sender.stats().rejected, 2u);
  EXPECT_EQ(sender.stats().media_packets, 0u);
}

// A retransmission leaves the sender after newer packets: it was protected when first sent, so
// it neither joins nor closes the group being collected.
TEST(FlexfecSenderTest, ARetransmissionIsNotProtectedAgain) {
  Random random(5);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(0.5, 0.5);
  const auto frame = Frame(100, 4, 9000, random);
  for (size_t i = 0; i + 1 < frame.size(); ++i) {
    EXPECT_TRUE(sender.OnMediaPacket(frame[i], false, false).empty());
  }
  EXPECT_TRUE(sender.OnMediaPacket(frame[1], false, false).empty());  // A repair of 101.
  const auto repair = sender.OnMediaPacket(frame[3], true, false);
  ASSERT_EQ(repair.size(), 2u);
  EXPECT_EQ(ParseRepair(repair[0]).base, 100);
  EXPECT_EQ(ParseRepair(repair[0]).protected_offsets, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(sender.stats().not_newer, 1u);
  EXPECT_EQ(sender.stats().media_packets, 4u);
}

// Repair packets cross the path like media: with an ID configured they carry a transport-wide
// sequence number element (zero, for the send path to write) and still parse as FlexFEC.
TEST(FlexfecSenderTest, RepairPacketsCanCarryATransportWideSequenceNumber) {
  Random random(6);
  auto config = SenderConfig();
  config.transport_sequence_number_extension_id = 2;
  FlexfecSender sender(config);
  sender.SetProtection(1.0, 1.0);
  const auto repair = Protect(sender, Frame(200, 2, 9000, random), /*keyframe=*/false);
  ASSERT_EQ(repair.size(), 2u);
  auto rtp = RtpPacket::Parse(repair[0]);
  ASSERT_TRUE(rtp.ok());
  EXPECT_EQ(rtp->GetExtension<TransportSequenceNumber>(2), std::optional<uint16_t>(0));
  EXPECT_EQ(ParseRepair(repair[0]).protected_offsets, (std::vector<size_t>{0}));
}

}  // namespace
}  // namespace comodal
