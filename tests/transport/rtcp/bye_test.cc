#include "transport/rtcp/bye.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rtcp_test_util.h"

#include <span>
#include <string>
#include <vector>

#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {
namespace {

using ::testing::ElementsAreArray;

// RFC 3550 §6.6 layout, two sources and a reason:
const std::vector<uint8_t> kBye = {
    0x82, 0xCB, 0x00, 0x04,  // V=2 P=0 SC=2 | PT=203 | length=4
    0x01, 0x02, 0x03, 0x04,  // SSRC/CSRC 1
    0x0A, 0x0B, 0x0C, 0x0D,  // SSRC/CSRC 2
    0x05, 'b',  'y',  'e',   // length 5 | "bye
    '!',  '!',  0x00, 0x00,  // !!" | null octets to the 32-bit boundary
};

Bye KnownBye() {
  Bye bye;
  bye.ssrcs = {0x01020304, 0x0A0B0C0D};
  bye.reason = "bye!!";
  return bye;
}

TEST(ByeTest, KnownBytesParseAndRebuild) {
  auto bye = testing::ParseRtcp<Bye>(kBye);
  ASSERT_TRUE(bye.ok()) << bye.error().ToString();
  EXPECT_EQ(*bye, KnownBye());
  EXPECT_EQ(bye->Size(), kBye.size());
  EXPECT_THAT(testing::BuildRtcp(KnownBye()), ElementsAreArray(kBye));
}

TEST(ByeTest, ReasonIsOptionalAndPaddedToAWord) {
  Bye bye;
  bye.ssrcs = {7};
  const std::vector<uint8_t> no_reason = {0x81, 0xCB, 0x00, 0x01, 0, 0, 0, 7};
  EXPECT_THAT(testing::BuildRtcp(bye), ElementsAreArray(no_reason));

  bye.reason = "";  // A zero length octet and three null octets: not the same as no reason.
  const std::vector<uint8_t> empty_reason = {0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 7, 0, 0, 0, 0};
  EXPECT_THAT(testing::BuildRtcp(bye), ElementsAreArray(empty_reason));

  bye.reason = "abc";  // Fills the word exactly: no null octet.
  const std::vector<uint8_t> word_reason = {0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 7, 3, 'a', 'b', 'c'};
  EXPECT_THAT(testing::BuildRtcp(bye), ElementsAreArray(word_reason));

  for (const auto* bytes : {&no_reason, &empty_reason, &word_reason}) {
    auto parsed = testing::ParseRtcp<Bye>(*bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    EXPECT_THAT(testing::BuildRtcp(*parsed), ElementsAreArray(*bytes));
  }
}

TEST(ByeTest, RoundTrips) {
  for (size_t reason_size = 0; reason_size <= Bye::kMaxReasonSize; ++reason_size) {
    Bye bye;
    for (uint32_t i = 0; i < reason_size % 32; ++i) bye.ssrcs.push_back(0xF0000000u + i);
    bye.reason = std::string(reason_size, 'r');
    auto parsed = testing::ParseRtcp<Bye>(testing::BuildRtcp(bye));
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    EXPECT_EQ(*parsed, bye);
  }
  auto empty = testing::ParseRtcp<Bye>(testing::BuildRtcp(Bye{}));  // SC=0, no reason.
  ASSERT_TRUE(empty.ok()) << empty.error().ToString();
  EXPECT_EQ(*empty, Bye{});
}

TEST(ByeTest, EveryTruncationFailsButTheOneWithoutReason) {
  auto header = RtcpCommonHeader::Parse(kBye);
  ASSERT_TRUE(header.ok());
  for (size_t size = 0; size < header->payload.size(); ++size) {
    RtcpCommonHeader truncated = *header;
    truncated.payload = header->payload.first(size);
    auto bye = Bye::Parse(truncated);
    if (size == 8) {
      // Cut right after the SSRCs: a valid BYE that gives no reason.
      ASSERT_TRUE(bye.ok()) << bye.error().ToString();
      EXPECT_EQ(bye->ssrcs, KnownBye().ssrcs);
      EXPECT_EQ(bye->reason, std::nullopt);
      continue;
    }
    ASSERT_FALSE(bye.ok()) << "payload of " << size << " bytes parsed";
    EXPECT_EQ(bye.error().code, ErrorCode::kTruncated) << size;
  }
}

TEST(ByeTest, RejectsCorruptedFields) {
  std::vector<uint8_t> bad = kBye;
  bad[0] = 0x85;  // SC=5: 20 bytes of SSRCs claimed, 16 bytes of payload.
  EXPECT_EQ(testing::ParseRtcp<Bye>(bad).error().code, ErrorCode::kTruncated);

  bad = kBye;
  bad[12] = 0x08;  // The reason claims 8 octets; 7 remain.
  EXPECT_EQ(testing::ParseRtcp<Bye>(bad).error().code, ErrorCode::kTruncated);

  bad = kBye;
  bad[19] = 'x';  // Padding after the reason is not null.
  EXPECT_EQ(testing::ParseRtcp<Bye>(bad).error().code, ErrorCode::kMalformed);

  bad = kBye;
  bad[3] = 0x05;  // A word after the padded reason.
  bad.insert(bad.end(), {0, 0, 0, 0});
  EXPECT_EQ(testing::ParseRtcp<Bye>(bad).error().code, ErrorCode::kBadLength);

  bad = kBye;
  bad[12] = 0x03;  // Reason "bye" ends on a word; "!!" and nulls follow where nothing belongs.
  EXPECT_EQ(testing::ParseRtcp<Bye>(bad).error().code, ErrorCode::kBadLength);
}

TEST(ByeTest, RejectsWhatTheFormatCannotCarry) {
  std::vector<uint8_t> out(2048);
  Bye bye;
  bye.reason = std::string(256, 'r');
  EXPECT_EQ(SerializeRtcp(bye, out).error().code, ErrorCode::kInvalidArgument);

  bye.reason.reset();
  bye.ssrcs.assign(32, 1);
  EXPECT_EQ(SerializeRtcp(bye, out).error().code, ErrorCode::kInvalidArgument);

  std::vector<uint8_t> small(kBye.size() - 1);
  EXPECT_EQ(SerializeRtcp(KnownBye(), small).error().code, ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::rtcp
