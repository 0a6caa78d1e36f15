#include "transport/rtcp/app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rtcp_test_util.h"

#include <span>
#include <vector>

#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {
namespace {

using ::testing::ElementsAreArray;

// RFC 3550 §6.7 layout:
const std::vector<uint8_t> kApp = {
    0x85, 0xCC, 0x00, 0x04,  // V=2 P=0 subtype=5 | PT=204 | length=4
    0xDE, 0xAD, 0xBE, 0xEF,  // SSRC/CSRC
    'C',  'M',  'D',  'L',   // name (ASCII)
    0x01, 0x02, 0x03, 0x04,  // application-dependent data, two words
    0x05, 0x06, 0x07, 0x08,
};

App KnownApp() {
  App app;
  app.subtype = 5;
  app.ssrc = 0xDEADBEEF;
  app.name = {'C', 'M', 'D', 'L'};
  app.data = {1, 2, 3, 4, 5, 6, 7, 8};
  return app;
}

TEST(AppTest, KnownBytesParseAndRebuild) {
  auto app = testing::ParseRtcp<App>(kApp);
  ASSERT_TRUE(app.ok()) << app.error().ToString();
  EXPECT_EQ(*app, KnownApp());
  EXPECT_EQ(app->Size(), kApp.size());
  EXPECT_THAT(testing::BuildRtcp(KnownApp()), ElementsAreArray(kApp));
}

TEST(AppTest, RoundTrips) {
  App app;
  app.name = {'q', 'u', 'i', 'z'};
  for (uint8_t subtype = 0; subtype <= App::kMaxSubtype; ++subtype) {
    app.subtype = subtype;
    app.ssrc = subtype * 0x01010101u;
    app.data.assign(size_t{subtype} * 4, subtype);
    auto parsed = testing::ParseRtcp<App>(testing::BuildRtcp(app));
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    EXPECT_EQ(*parsed, app);
  }
}

TEST(AppTest, EveryTruncationFailsButWholeWords) {
  auto header = RtcpCommonHeader::Parse(kApp);
  ASSERT_TRUE(header.ok());
  for (size_t size = 0; size < header->payload.size(); ++size) {
    RtcpCommonHeader truncated = *header;
    truncated.payload = header->payload.first(size);
    auto app = App::Parse(truncated);
    if (size >= 8 && size % 4 == 0) {
      // The length field frames the data: fewer whole words is a valid, shorter APP.
      ASSERT_TRUE(app.ok()) << app.error().ToString();
      EXPECT_EQ(app->data.size(), size - 8);
      continue;
    }
    ASSERT_FALSE(app.ok()) << "payload of " << size << " bytes parsed";
    EXPECT_EQ(app.error().code, size < 8 ? ErrorCode::kTruncated : ErrorCode::kBadLength) << size;
  }
}

TEST(AppTest, RejectsCorruptedFields) {
  std::vector<uint8_t> bad = kApp;
  bad[9] = 0xC3;  // Not ASCII.
  EXPECT_EQ(testing::ParseRtcp<App>(bad).error().code, ErrorCode::kMalformed);

  // A P-bit padding count of 1 leaves 3 octets of data: not a whole word.
  const std::vector<uint8_t> odd_data = {0xA5, 0xCC, 0x00, 0x03, 0xDE, 0xAD, 0xBE, 0xEF,
                                         'C',  'M',  'D',  'L',  0xAA, 0xBB, 0xCC, 0x01};
  EXPECT_EQ(testing::ParseRtcp<App>(odd_data).error().code, ErrorCode::kBadLength);

  bad = kApp;
  bad[3] = 0x05;  // Length claims a word more than the datagram holds.
  EXPECT_FALSE(testing::ParseRtcp<App>(bad).ok());
}

TEST(AppTest, RejectsWhatTheFormatCannotCarry) {
  std::vector<uint8_t> out(64);
  App app = KnownApp();
  app.subtype = 32;
  EXPECT_EQ(SerializeRtcp(app, out).error().code, ErrorCode::kInvalidArgument);

  app = KnownApp();
  app.data.push_back(9);
  EXPECT_EQ(SerializeRtcp(app, out).error().code, ErrorCode::kInvalidArgument);

  app = KnownApp();
  app.name[0] = static_cast<char>(0xE9);
  EXPECT_EQ(SerializeRtcp(app, out).error().code, ErrorCode::kInvalidArgument);

  std::vector<uint8_t> small(kApp.size() - 1);
  EXPECT_EQ(SerializeRtcp(KnownApp(), small).error().code, ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::rtcp
