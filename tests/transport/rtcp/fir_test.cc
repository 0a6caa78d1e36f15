#include "transport/rtcp/fir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rtcp_test_util.h"

#include <span>
#include <vector>

#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// RFC 4585 §6.1 header with RFC 5104 §4.3.1.1 FCI entries:
const std::vector<uint8_t> kFir = {
    0x84, 0xCE, 0x00, 0x06,  // V=2 P=0 FMT=4 | PT=206 (PSFB) | length=6
    0x11, 0x11, 0x11, 0x11,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x00,  // SSRC of media source: unused, 0
    0x22, 0x22, 0x22, 0x22,  // FCI entry 1: SSRC
    0x07, 0x00, 0x00, 0x00,  //   Seq nr. 7 | reserved
    0x33, 0x33, 0x33, 0x33,  // FCI entry 2: SSRC
    0xFF, 0x00, 0x00, 0x00,  //   Seq nr. 255 | reserved
};

Fir KnownFir() {
  Fir fir;
  fir.sender_ssrc = 0x11111111;
  fir.entries = {{0x22222222, 7}, {0x33333333, 255}};
  return fir;
}

TEST(FirTest, KnownBytesParseAndRebuild) {
  auto fir = testing::ParseRtcp<Fir>(kFir);
  ASSERT_TRUE(fir.ok()) << fir.error().ToString();
  EXPECT_EQ(*fir, KnownFir());
  EXPECT_EQ(fir->Size(), kFir.size());
  EXPECT_THAT(testing::BuildRtcp(KnownFir()), ElementsAreArray(kFir));
}

TEST(FirTest, IgnoresMediaSsrcAndReservedBits) {
  // RFC 5104 §4.3.1.1: receivers ignore both; the FCI names the streams to refresh.
  std::vector<uint8_t> bytes = kFir;
  bytes[11] = 0x99;
  bytes[17] = 0xAB;
  bytes[27] = 0x01;
  auto fir = testing::ParseRtcp<Fir>(bytes);
  ASSERT_TRUE(fir.ok()) << fir.error().ToString();
  EXPECT_EQ(*fir, KnownFir());
}

TEST(FirTest, RoundTrips) {
  Fir fir;
  fir.sender_ssrc = 0xCAFEBABE;
  for (uint32_t i = 0; i < 40; ++i) {
    fir.entries.push_back({0x01000000u * i + i, static_cast<uint8_t>(i * 7)});
    auto parsed = testing::ParseRtcp<Fir>(testing::BuildRtcp(fir));
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    EXPECT_EQ(*parsed, fir);
  }
}

TEST(FirTest, EveryTruncationFailsButWholeEntries) {
  auto header = RtcpCommonHeader::Parse(kFir);
  ASSERT_TRUE(header.ok());
  for (size_t size = 0; size < header->payload.size(); ++size) {
    RtcpCommonHeader truncated = *header;
    truncated.payload = header->payload.first(size);
    auto fir = Fir::Parse(truncated);
    if (size == 16) {
      // Cut after the first entry: a valid FIR for that entry.
      ASSERT_TRUE(fir.ok()) << fir.error().ToString();
      EXPECT_THAT(fir->entries, ElementsAre(Fir::Entry{0x22222222, 7}));
      continue;
    }
    ASSERT_FALSE(fir.ok()) << "payload of " << size << " bytes parsed";
    const ErrorCode expected = size < 8    ? ErrorCode::kTruncated
                               : size == 8 ? ErrorCode::kMalformed
                                           : ErrorCode::kBadLength;
    EXPECT_EQ(fir.error().code, expected) << size;
  }
}

TEST(FirTest, RejectsCorruptedFields) {
  const std::vector<uint8_t> no_fci = {0x84, 0xCE, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(testing::ParseRtcp<Fir>(no_fci).error().code, ErrorCode::kMalformed);

  std::vector<uint8_t> bad = kFir;
  bad[3] = 0x05;  // Length 5: an entry and a half.
  bad.resize(24);
  EXPECT_EQ(testing::ParseRtcp<Fir>(bad).error().code, ErrorCode::kBadLength);

  bad = kFir;
  bad[3] = 0x07;  // A word more than the datagram holds.
  EXPECT_EQ(testing::ParseRtcp<Fir>(bad).error().code, ErrorCode::kTruncated);
}

TEST(FirTest, RejectsWhatTheFormatCannotCarry) {
  std::vector<uint8_t> out(64);
  Fir fir = KnownFir();
  fir.entries.clear();
  EXPECT_EQ(SerializeRtcp(fir, out).error().code, ErrorCode::kInvalidArgument);

  std::vector<uint8_t> small(kFir.size() - 1);
  EXPECT_EQ(SerializeRtcp(KnownFir(), small).error().code, ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::rtcp
