#include "transport/rtcp/compound_packet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/result_matchers.h"

#include <algorithm>
#include <array>
#include <vector>

namespace comodal::rtcp {
namespace {

RtcpCompound MakeCompound() {
  SenderReport sr;
  sr.sender_ssrc = 0x1111;
  sr.ntp = NtpTime(0xE98B0A00, 0x80000000);
  sr.rtp_timestamp = 90000;
  sr.packet_count = 10;
  sr.octet_count = 12000;
  ReportBlock block;
  block.source_ssrc = 0x2222;
  block.fraction_lost = 3;
  sr.report_blocks = {block};

  Nack nack;
  nack.sender_ssrc = 0x1111;
  nack.media_ssrc = 0x2222;
  nack.lost_sequence_numbers = {65535, 0, 1, 20};

  TransportFeedback feedback({0x1111, 0x2222}, 7, 65530, Timestamp::Millis(1000));
  EXPECT_TRUE(feedback.AddReceivedPacket(65531, Timestamp::Millis(1005)));
  EXPECT_TRUE(feedback.AddReceivedPacket(2, Timestamp::Millis(1030)));  // 65532..1 lost.

  Pli pli;
  pli.sender_ssrc = 0x1111;
  pli.media_ssrc = 0x2222;

  RtcpCompound compound;
  compound.messages = {sr, Sdes::WithCname(0x1111, "hub@college"), nack, feedback, pli};
  return compound;
}

TEST(RtcpCompoundTest, RoundTripsEveryMessageInOrder) {
  const RtcpCompound sent = MakeCompound();
  std::array<uint8_t, 1500> out{};
  auto size = SerializeRtcp(sent, out);
  ASSERT_TRUE(size.ok()) << size.error().ToString();
  EXPECT_EQ(*size, sent.Size());
  EXPECT_EQ(*size % 4, 0u);
  auto parsed = RtcpCompound::Parse(std::span(out.data(), *size));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, sent);
  ASSERT_EQ(parsed->messages.size(), 5u);
  EXPECT_TRUE(std::holds_alternative<SenderReport>(parsed->messages[0]));
  EXPECT_TRUE(std::holds_alternative<Sdes>(parsed->messages[1]));
  EXPECT_TRUE(std::holds_alternative<Nack>(parsed->messages[2]));
  EXPECT_TRUE(std::holds_alternative<TransportFeedback>(parsed->messages[3]));
  EXPECT_TRUE(std::holds_alternative<Pli>(parsed->messages[4]));
  EXPECT_EQ(parsed->Find<Sdes>()->Cname(0x1111), "hub@college");
  EXPECT_EQ(parsed->Find<Nack>()->lost_sequence_numbers, (std::vector<uint16_t>{65535, 0, 1, 20}));
  const TransportFeedback* feedback = parsed->Find<TransportFeedback>();
  ASSERT_NE(feedback, nullptr);
  EXPECT_EQ(feedback->packet_status_count(), 9);  // 65530..2
  EXPECT_EQ(feedback->received_count(), 3u);
  EXPECT_EQ(parsed->Find<Fir>(), nullptr);
}

TEST(RtcpCompoundTest, KeepsUnknownTypesAndFormats) {
  // An RR, then PT=210 (unassigned) and an RTPFB with FMT=3 (TMMBR, not interpreted).
  const std::vector<uint8_t> bytes = {
      0x80, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05,  // RR, no blocks
      0x83, 0xD2, 0x00, 0x01, 0xAA, 0xBB, 0xCC, 0xDD,  // PT 210
      0x83, 0xCD, 0x00, 0x03, 0,    0,    0,    1,
      0,    0,    0,    2,    0x12, 0x34, 0x56, 0x78,  // RTPFB FMT 3
  };
  auto parsed = RtcpCompound::Parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  ASSERT_EQ(parsed->messages.size(), 3u);
  const auto* unknown = std::get_if<UnknownRtcpPacket>(&parsed->messages[1]);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->packet_type, 210);
  EXPECT_EQ(unknown->count, 3);
  std::array<uint8_t, 64> out{};
  auto size = SerializeRtcp(*parsed, out);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + *size), bytes);
}

TEST(RtcpCompoundTest, RejectsMalformedDatagrams) {
  const RtcpCompound sent = MakeCompound();
  std::array<uint8_t, 1500> out{};
  const size_t size = SerializeRtcp(sent, out).value();
  const std::vector<uint8_t> good(out.begin(), out.begin() + size);

  // Every truncation inside a packet fails (lengths must add up exactly to the datagram); a
  // cut at a packet boundary is a shorter valid compound.
  std::vector<size_t> boundaries;
  size_t boundary = 0;
  for (const RtcpMessage& message : sent.messages) {
    boundary += std::visit([](const auto& m) { return m.Size(); }, message);
    boundaries.push_back(boundary);
  }
  for (size_t cut = 1; cut < good.size(); ++cut) {
    const bool at_boundary =
        std::find(boundaries.begin(), boundaries.end(), cut) != boundaries.end();
    EXPECT_EQ(RtcpCompound::Parse(std::span(good.data(), cut)).ok(), at_boundary) << "cut " << cut;
  }
  // Trailing bytes after the last packet.
  std::vector<uint8_t> trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(RtcpCompound::Parse(trailing).ok());
  // Padding on the first packet of a compound.
  std::vector<uint8_t> early_padding = good;
  early_padding[0] |= 0x20;
  EXPECT_EQ(testing::ErrorCodeOf(RtcpCompound::Parse(early_padding)), ErrorCode::kBadPadding);
  // A malformed packet inside (SR with RC=31 and no room for the blocks) rejects all of it.
  std::vector<uint8_t> bad_inner = good;
  bad_inner[0] = 0x80 | 31;
  EXPECT_EQ(testing::ErrorCodeOf(RtcpCompound::Parse(bad_inner)), ErrorCode::kTruncated);
  EXPECT_FALSE(RtcpCompound::Parse({}).ok());
}

TEST(RtcpCompoundTest, WriteRefusesEmptyAndTooSmall) {
  RtcpCompound empty;
  std::array<uint8_t, 64> out{};
  EXPECT_EQ(testing::ErrorCodeOf(SerializeRtcp(empty, out)), ErrorCode::kInvalidArgument);
  std::array<uint8_t, 40> small{};
  EXPECT_EQ(testing::ErrorCodeOf(SerializeRtcp(MakeCompound(), small)), ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::rtcp
