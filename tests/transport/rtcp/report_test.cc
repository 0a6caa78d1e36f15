#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/result_matchers.h"

#include <array>
#include <vector>

#include "transport/rtcp/common_header.h"
#include "transport/rtcp/receiver_report.h"
#include "transport/rtcp/sender_report.h"

namespace comodal::rtcp {
namespace {

using ::testing::ElementsAreArray;

// RFC 3550 §6.4.1 layout, one report block:
const std::vector<uint8_t> kSenderReport = {
    0x81, 0xC8, 0x00, 0x0C,  // V=2 P=0 RC=1 | PT=200 | length=12 (52 bytes)
    0x11, 0x22, 0x33, 0x44,  // SSRC of sender
    0xE9, 0x8B, 0x0A, 0x00,  // NTP timestamp, most significant word
    0x80, 0x00, 0x00, 0x00,  // NTP timestamp, least significant word (0.5 s)
    0x00, 0x01, 0xE2, 0x40,  // RTP timestamp 123456
    0x00, 0x00, 0x03, 0xE8,  // sender's packet count 1000
    0x00, 0x0F, 0x42, 0x40,  // sender's octet count 1000000
    0x55, 0x66, 0x77, 0x88,  // SSRC_1 (source being reported on)
    0x19, 0xFF, 0xFF, 0xFE,  // fraction lost 25/256 | cumulative lost -2 (24-bit signed)
    0x00, 0x01, 0x00, 0x05,  // extended highest sequence: 1 cycle, seq 5
    0x00, 0x00, 0x00, 0x2A,  // interarrival jitter 42
    0xB7, 0x05, 0x20, 0x00,  // LSR
    0x00, 0x05, 0x40, 0x00,  // DLSR 5.25 s
};

TEST(CommonHeaderTest, ParsesAndChecksLengthsAndPadding) {
  auto header = RtcpCommonHeader::Parse(kSenderReport);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->count, 1);
  EXPECT_EQ(header->packet_type, 200);
  EXPECT_EQ(header->packet_size, 52u);
  EXPECT_EQ(header->payload.size(), 48u);
  EXPECT_FALSE(header->has_padding);

  // Padding: 4 bytes of payload then 4 bytes of padding ending in the count 4.
  const std::vector<uint8_t> padded = {0xA0, 0xC9, 0x00, 0x02, 1, 2, 3, 4, 0, 0, 0, 4};
  auto with_padding = RtcpCommonHeader::Parse(padded);
  ASSERT_TRUE(with_padding.ok());
  EXPECT_EQ(with_padding->payload.size(), 4u);

  std::vector<uint8_t> bad = padded;
  bad.back() = 0;
  EXPECT_EQ(testing::ErrorCodeOf(RtcpCommonHeader::Parse(bad)), ErrorCode::kBadPadding);
  bad.back() = 9;  // More than the 8 bytes after the header.
  EXPECT_EQ(testing::ErrorCodeOf(RtcpCommonHeader::Parse(bad)), ErrorCode::kBadPadding);
  bad = padded;
  bad[0] = 0x60;
  EXPECT_EQ(testing::ErrorCodeOf(RtcpCommonHeader::Parse(bad)), ErrorCode::kBadVersion);
  bad = padded;
  bad[3] = 0x03;  // 16 bytes claimed, 12 present.
  EXPECT_EQ(testing::ErrorCodeOf(RtcpCommonHeader::Parse(bad)), ErrorCode::kTruncated);
  for (size_t size = 0; size < 4; ++size) {
    EXPECT_EQ(RtcpCommonHeader::Parse(std::span(padded.data(), size)).error().code,
              ErrorCode::kTruncated);
  }
}

TEST(SenderReportTest, KnownBytesParseAndRebuild) {
  auto header = RtcpCommonHeader::Parse(kSenderReport);
  ASSERT_TRUE(header.ok());
  auto sr = SenderReport::Parse(*header);
  ASSERT_TRUE(sr.ok()) << sr.error().ToString();
  EXPECT_EQ(sr->sender_ssrc, 0x11223344u);
  EXPECT_EQ(sr->ntp.seconds(), 0xE98B0A00u);
  EXPECT_EQ(sr->ntp.fractions(), 0x80000000u);
  EXPECT_EQ(sr->rtp_timestamp, 123456u);
  EXPECT_EQ(sr->packet_count, 1000u);
  EXPECT_EQ(sr->octet_count, 1000000u);
  ASSERT_EQ(sr->report_blocks.size(), 1u);
  const ReportBlock& block = sr->report_blocks[0];
  EXPECT_EQ(block.source_ssrc, 0x55667788u);
  EXPECT_EQ(block.fraction_lost, 25);
  EXPECT_EQ(block.cumulative_lost, -2);
  EXPECT_EQ(block.extended_highest_sequence, 0x00010005u);
  EXPECT_EQ(block.jitter, 42u);
  EXPECT_EQ(block.last_sr, 0xB7052000u);
  EXPECT_EQ(block.delay_since_last_sr, 0x00054000u);

  EXPECT_EQ(sr->Size(), kSenderReport.size());
  std::array<uint8_t, 64> out{};
  auto written = SerializeRtcp(*sr, out);
  ASSERT_TRUE(written.ok());
  EXPECT_THAT(std::vector<uint8_t>(out.begin(), out.begin() + *written),
              ElementsAreArray(kSenderReport));
}

TEST(SenderReportTest, RejectsTruncationAndTooManyBlocks) {
  // A length field that promises a block the payload does not hold.
  std::vector<uint8_t> short_sr(kSenderReport.begin(), kSenderReport.begin() + 28);
  short_sr[3] = 0x06;  // 28 bytes: sender info only, but RC=1.
  auto header = RtcpCommonHeader::Parse(short_sr);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(testing::ErrorCodeOf(SenderReport::Parse(*header)), ErrorCode::kTruncated);
  for (size_t words = 0; words < 6; ++words) {
    std::vector<uint8_t> cut(kSenderReport.begin(), kSenderReport.begin() + 4 + 4 * words);
    cut[3] = static_cast<uint8_t>(words);
    cut[0] = 0x80;  // RC=0
    auto h = RtcpCommonHeader::Parse(cut);
    ASSERT_TRUE(h.ok());
    EXPECT_FALSE(SenderReport::Parse(*h).ok()) << words;
  }

  SenderReport sr;
  sr.report_blocks.resize(32);
  std::array<uint8_t, 1024> out{};
  EXPECT_EQ(testing::ErrorCodeOf(SerializeRtcp(sr, out)), ErrorCode::kInvalidArgument);
  sr.report_blocks.resize(1);
  std::array<uint8_t, 20> small{};
  EXPECT_EQ(testing::ErrorCodeOf(SerializeRtcp(sr, small)), ErrorCode::kBufferTooSmall);
}

TEST(ReceiverReportTest, RoundTripWithClampedLoss) {
  ReceiverReport rr;
  rr.sender_ssrc = 7;
  ReportBlock a;
  a.source_ssrc = 1;
  a.cumulative_lost = 10'000'000;  // Beyond 24 bits: clamped to 0x7FFFFF.
  ReportBlock b;
  b.source_ssrc = 2;
  b.cumulative_lost = -5;
  rr.report_blocks = {a, b};
  std::array<uint8_t, 128> out{};
  auto written = SerializeRtcp(rr, out);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, 4u + 4 + 2 * 24);
  auto header = RtcpCommonHeader::Parse(std::span(out.data(), *written));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->packet_type, 201);
  auto parsed = ReceiverReport::Parse(*header);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->sender_ssrc, 7u);
  ASSERT_EQ(parsed->report_blocks.size(), 2u);
  EXPECT_EQ(parsed->report_blocks[0].cumulative_lost, ReportBlock::kMaxCumulativeLost);
  EXPECT_EQ(parsed->report_blocks[1].cumulative_lost, -5);
}

}  // namespace
}  // namespace comodal::rtcp
