#include "transport/rtcp/extended_reports.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rtcp_test_util.h"

#include <span>
#include <vector>

#include "transport/rtcp/common_header.h"
#include "transport/time/ntp_time.h"
#include "transport/units/time_delta.h"

namespace comodal::rtcp {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// RFC 3611 §2 header, a §4.4 RRTR block and a §4.5 DLRR block with two sub-blocks:
const std::vector<uint8_t> kXr = {
    0x80, 0xCF, 0x00, 0x0B,  // V=2 P=0 reserved=0 | PT=207 | length=11
    0x01, 0x02, 0x03, 0x04,  // SSRC of the reporter
    0x04, 0x00, 0x00, 0x02,  // BT=4 (RRTR) | reserved | block length=2
    0xE0, 0x00, 0x00, 0x01,  //   NTP timestamp, most significant word
    0x80, 0x00, 0x00, 0x00,  //   NTP timestamp, least significant word (0.5 s)
    0x05, 0x00, 0x00, 0x06,  // BT=5 (DLRR) | reserved | block length=6 (2 sub-blocks)
    0xAA, 0xBB, 0xCC, 0xDD,  //   SSRC_1
    0x00, 0x01, 0x80, 0x00,  //   last RR (LRR)_1: compact NTP 1.5 s
    0x00, 0x00, 0x80, 0x00,  //   delay since last RR (DLRR)_1: 0.5 s
    0x11, 0x22, 0x33, 0x44,  //   SSRC_2
    0x00, 0x00, 0x00, 0x00,  //   LRR_2: no RRTR received
    0x00, 0x00, 0x00, 0x00,  //   DLRR_2
};

ExtendedReports KnownXr() {
  ExtendedReports xr;
  xr.sender_ssrc = 0x01020304;
  xr.rrtr = Rrtr{NtpTime(0xE0000001, 0x80000000)};
  xr.dlrr = {{0xAABBCCDD, 0x00018000, 0x00008000}, {0x11223344, 0, 0}};
  return xr;
}

TEST(ExtendedReportsTest, KnownBytesParseAndRebuild) {
  auto xr = testing::ParseRtcp<ExtendedReports>(kXr);
  ASSERT_TRUE(xr.ok()) << xr.error().ToString();
  EXPECT_EQ(*xr, KnownXr());
  EXPECT_EQ(xr->Size(), kXr.size());
  EXPECT_THAT(testing::BuildRtcp(KnownXr()), ElementsAreArray(kXr));
}

TEST(ExtendedReportsTest, RoundTripFromDlrr) {
  // The RRTR went out at compact NTP 1.5 s (LRR), sat 0.5 s at the media sender (DLRR), and
  // the DLRR came back at NTP 0xE0000002.A0000000: compact 2.625 s. RTT = 2.625 - 1.5 - 0.5.
  const DlrrSubBlock answered = KnownXr().dlrr[0];
  EXPECT_EQ(answered.RoundTrip(NtpTime(0xE0000002, 0xA0000000)), TimeDelta::Millis(625));
  // A clock that went backwards gives zero, not a negative RTT.
  EXPECT_EQ(answered.RoundTrip(NtpTime(0xE0000001, 0xC0000000)), TimeDelta::Zero());
  // LRR 0: no RRTR was received, nothing to measure.
  EXPECT_EQ(KnownXr().dlrr[1].RoundTrip(NtpTime(0xE0000002, 0xA0000000)), std::nullopt);
}

TEST(ExtendedReportsTest, RoundTrips) {
  ExtendedReports xr;
  xr.sender_ssrc = 0xFEEDFACE;
  auto parsed = testing::ParseRtcp<ExtendedReports>(testing::BuildRtcp(xr));  // No block at all.
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, xr);

  xr.rrtr = Rrtr{NtpTime(0xFFFFFFFFFFFFFFFFull)};
  parsed = testing::ParseRtcp<ExtendedReports>(testing::BuildRtcp(xr));  // RRTR only.
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, xr);

  xr.rrtr.reset();
  for (uint32_t i = 0; i < 50; ++i) xr.dlrr.push_back({i, i * 65536, ~i});
  parsed = testing::ParseRtcp<ExtendedReports>(testing::BuildRtcp(xr));  // DLRR only.
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, xr);
}

TEST(ExtendedReportsTest, SkipsUnknownBlocksAndGathersDlrr) {
  const std::vector<uint8_t> bytes = {
      0x80, 0xCF, 0x00, 0x0B,  // V=2 P=0 | PT=207 | length=11
      0x01, 0x02, 0x03, 0x04,  // SSRC
      0x05, 0x00, 0x00, 0x03,  // DLRR, one sub-block
      0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x00, 0x0C,
      0x01, 0x07, 0x00, 0x01,  // BT=1 (loss RLE, RFC 3611 §4.1) | type-specific | length=1
      0xFF, 0xFF, 0xFF, 0xFF,  //   its contents, skipped
      0x05, 0x00, 0x00, 0x03,  // A second DLRR block
      0x00, 0x00, 0x00, 0x0D, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x0F,
  };
  auto xr = testing::ParseRtcp<ExtendedReports>(bytes);
  ASSERT_TRUE(xr.ok()) << xr.error().ToString();
  EXPECT_EQ(xr->rrtr, std::nullopt);
  EXPECT_THAT(xr->dlrr, ElementsAre(DlrrSubBlock{10, 11, 12}, DlrrSubBlock{13, 14, 15}));

  // Two RRTR blocks: the first one counts.
  const std::vector<uint8_t> two_rrtr = {
      0x80, 0xCF, 0x00, 0x07, 0, 0, 0, 9,              //
      0x04, 0x00, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2,  //
      0x04, 0x00, 0x00, 0x02, 0, 0, 0, 3, 0, 0, 0, 4,
  };
  xr = testing::ParseRtcp<ExtendedReports>(two_rrtr);
  ASSERT_TRUE(xr.ok()) << xr.error().ToString();
  EXPECT_EQ(xr->rrtr, Rrtr{NtpTime(1, 2)});
}

TEST(ExtendedReportsTest, EveryTruncationFailsButWholeBlocks) {
  auto header = RtcpCommonHeader::Parse(kXr);
  ASSERT_TRUE(header.ok());
  for (size_t size = 0; size < header->payload.size(); ++size) {
    RtcpCommonHeader truncated = *header;
    truncated.payload = header->payload.first(size);
    auto xr = ExtendedReports::Parse(truncated);
    if (size == 4 || size == 16) {
      // Cut after the SSRC or after the RRTR block: a valid XR of what is left.
      ASSERT_TRUE(xr.ok()) << xr.error().ToString();
      EXPECT_EQ(xr->rrtr.has_value(), size == 16);
      EXPECT_TRUE(xr->dlrr.empty());
      continue;
    }
    ASSERT_FALSE(xr.ok()) << "payload of " << size << " bytes parsed";
    EXPECT_EQ(xr.error().code, ErrorCode::kTruncated) << size;
  }
}

TEST(ExtendedReportsTest, RejectsCorruptedFields) {
  std::vector<uint8_t> bad = kXr;
  bad[11] = 0x03;  // RRTR block length 3 instead of 2 (and the DLRR read from the wrong place).
  EXPECT_EQ(testing::ParseRtcp<ExtendedReports>(bad).error().code, ErrorCode::kBadLength);

  bad = kXr;
  bad[23] = 0x04;  // DLRR block length 4: not a whole number of 3-word sub-blocks...
  bad[3] = 0x09;   // ...in a packet shortened to match.
  bad.resize(40);
  EXPECT_EQ(testing::ParseRtcp<ExtendedReports>(bad).error().code, ErrorCode::kBadLength);

  bad = kXr;
  bad[23] = 0x09;  // DLRR block length 9 runs past the packet.
  EXPECT_EQ(testing::ParseRtcp<ExtendedReports>(bad).error().code, ErrorCode::kTruncated);

  // An unknown block whose length runs past the packet is not skipped blindly.
  const std::vector<uint8_t> long_unknown = {0x80, 0xCF, 0x00, 0x03, 0, 0, 0, 1,
                                             0x07, 0x00, 0x00, 0x05, 0, 0, 0, 0};
  EXPECT_EQ(testing::ParseRtcp<ExtendedReports>(long_unknown).error().code, ErrorCode::kTruncated);

  // A P-bit padding count of 2 leaves half a block header.
  const std::vector<uint8_t> half_header = {0xA0, 0xCF, 0x00, 0x02, 0,    0,
                                            0,    1,    0x04, 0x00, 0x00, 0x02};
  EXPECT_EQ(testing::ParseRtcp<ExtendedReports>(half_header).error().code, ErrorCode::kTruncated);
}

TEST(ExtendedReportsTest, RejectsWhatTheFormatCannotCarry) {
  ExtendedReports xr;
  xr.dlrr.resize(21845);  // 4 + 4 + 4 + 12 * 21845 bytes: two words over the 16-bit length.
  std::vector<uint8_t> out(xr.Size());
  EXPECT_EQ(SerializeRtcp(xr, out).error().code, ErrorCode::kInvalidArgument);
  xr.dlrr.pop_back();
  EXPECT_TRUE(SerializeRtcp(xr, out).ok());

  std::vector<uint8_t> small(kXr.size() - 1);
  EXPECT_EQ(SerializeRtcp(KnownXr(), small).error().code, ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::rtcp
