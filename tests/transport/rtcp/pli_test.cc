#include "transport/rtcp/pli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rtcp_test_util.h"

#include <span>
#include <vector>

#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {
namespace {

using ::testing::ElementsAreArray;

// RFC 4585 §6.1 layout with no FCI (§6.3.1):
const std::vector<uint8_t> kPli = {
    0x81, 0xCE, 0x00, 0x02,  // V=2 P=0 FMT=1 | PT=206 (PSFB) | length=2
    0x12, 0x34, 0x56, 0x78,  // SSRC of packet sender
    0x9A, 0xBC, 0xDE, 0xF0,  // SSRC of media source
};

Pli KnownPli() {
  Pli pli;
  pli.sender_ssrc = 0x12345678;
  pli.media_ssrc = 0x9ABCDEF0;
  return pli;
}

TEST(PliTest, KnownBytesParseAndRebuild) {
  auto pli = testing::ParseRtcp<Pli>(kPli);
  ASSERT_TRUE(pli.ok()) << pli.error().ToString();
  EXPECT_EQ(*pli, KnownPli());
  EXPECT_EQ(pli->Size(), kPli.size());

  std::vector<uint8_t> out(KnownPli().Size());
  Result<size_t> written = SerializeRtcp(KnownPli(), out);
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  EXPECT_EQ(*written, kPli.size());
  EXPECT_THAT(out, ElementsAreArray(kPli));
}

TEST(PliTest, RoundTrips) {
  for (uint32_t ssrc : {0u, 1u, 0x80000000u, 0xFFFFFFFFu}) {
    Pli pli;
    pli.sender_ssrc = ssrc;
    pli.media_ssrc = ~ssrc;
    std::vector<uint8_t> out(pli.Size());
    ASSERT_TRUE(SerializeRtcp(pli, out).ok());
    auto parsed = testing::ParseRtcp<Pli>(out);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    EXPECT_EQ(*parsed, pli);
  }
}

TEST(PliTest, EveryTruncationFails) {
  auto header = RtcpCommonHeader::Parse(kPli);
  ASSERT_TRUE(header.ok());
  for (size_t size = 0; size < header->payload.size(); ++size) {
    RtcpCommonHeader truncated = *header;
    truncated.payload = header->payload.first(size);
    auto pli = Pli::Parse(truncated);
    ASSERT_FALSE(pli.ok()) << "payload of " << size << " bytes parsed";
    EXPECT_EQ(pli.error().code, ErrorCode::kTruncated) << size;
  }
}

TEST(PliTest, RejectsCorruptedFields) {
  // RFC 4585 §6.3.1: the length field MUST be 2.
  std::vector<uint8_t> bad = kPli;
  bad[3] = 0x03;
  bad.insert(bad.end(), {0, 0, 0, 0});
  EXPECT_EQ(testing::ParseRtcp<Pli>(bad).error().code, ErrorCode::kBadLength);

  bad = kPli;
  bad[3] = 0x01;  // Only the sender SSRC.
  EXPECT_EQ(testing::ParseRtcp<Pli>(bad).error().code, ErrorCode::kTruncated);
}

TEST(PliTest, ReportsAShortBuffer) {
  std::vector<uint8_t> small(kPli.size() - 1);
  EXPECT_EQ(SerializeRtcp(KnownPli(), small).error().code, ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::rtcp
