#include "transport/rtcp/sdes.h"

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

// RFC 3550 §6.5 layout, three chunks showing each length of terminator:
const std::vector<uint8_t> kSdes = {
    0x83, 0xCA, 0x00, 0x0B,                      // V=2 P=0 SC=3 | PT=202 | length=11
    0x11, 0x22, 0x33, 0x44,                      // chunk 1: SSRC_1
    0x01, 0x09, 'u',  's',  'e', 'r', '@', 'h',  //   CNAME=1 | length 9 | "user@h
    'o',  's',  't',  0x00,                      //   ost" | 1 null octet (end + pad)
    0x55, 0x66, 0x77, 0x88,                      // chunk 2: SSRC_2
    0x02, 0x03, 'A',  'n',  'n',                 //   NAME=2 | length 3 | "Ann"
    0x07, 0x03, 'x',  'y',  'z',                 //   NOTE=7 | length 3 | "xyz"
    0x00, 0x00,                                  //   2 null octets
    0x99, 0xAA, 0xBB, 0xCC,                      // chunk 3: SSRC_3
    0x01, 0x02, 'a',  'b',                       //   CNAME=1 | length 2 | "ab"
    0x00, 0x00, 0x00, 0x00,                      //   4 null octets (items end on a word)
};

Sdes KnownSdes() {
  Sdes sdes;
  sdes.chunks = {
      {0x11223344, {{SdesItemType::kCname, "user@host"}}},
      {0x55667788, {{SdesItemType::kName, "Ann"}, {SdesItemType::kNote, "xyz"}}},
      {0x99AABBCC, {{SdesItemType::kCname, "ab"}}},
  };
  return sdes;
}

ErrorCode BuildError(const Sdes& sdes) {
  std::vector<uint8_t> out(sdes.Size() + 64);
  Result<size_t> written = SerializeRtcp(sdes, out);
  EXPECT_FALSE(written.ok());
  return written.ok() ? ErrorCode::kMalformed : written.error().code;
}

TEST(SdesTest, KnownBytesParseAndRebuild) {
  auto sdes = testing::ParseRtcp<Sdes>(kSdes);
  ASSERT_TRUE(sdes.ok()) << sdes.error().ToString();
  EXPECT_EQ(*sdes, KnownSdes());
  EXPECT_EQ(sdes->Size(), kSdes.size());
  EXPECT_THAT(testing::BuildRtcp(KnownSdes()), ElementsAreArray(kSdes));
}

TEST(SdesTest, CnameLookup) {
  const Sdes sdes = KnownSdes();
  EXPECT_EQ(sdes.Cname(0x11223344), "user@host");
  EXPECT_EQ(sdes.Cname(0x99AABBCC), "ab");
  EXPECT_EQ(sdes.Cname(0x55667788), std::nullopt);  // Chunk without a CNAME.
  EXPECT_EQ(sdes.Cname(0x01020304), std::nullopt);  // No such chunk.
}

TEST(SdesTest, CnameOnlyBuilder) {
  const std::vector<uint8_t> expected = {
      0x81, 0xCA, 0x00, 0x03,  // V=2 P=0 SC=1 | PT=202 | length=3
      0x0A, 0x0B, 0x0C, 0x0D,  // SSRC
      0x01, 0x03, 'h',  'u',   // CNAME=1 | length 3 | "hu
      'b',  0x00, 0x00, 0x00,  // b" | 3 null octets
  };
  EXPECT_THAT(testing::BuildRtcp(Sdes::WithCname(0x0A0B0C0D, "hub")), ElementsAreArray(expected));

  Sdes two = Sdes::WithCname(1, "audio@site");
  two.AddCname(2, "video@site");
  auto parsed = testing::ParseRtcp<Sdes>(testing::BuildRtcp(two));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->Cname(1), "audio@site");
  EXPECT_EQ(parsed->Cname(2), "video@site");
}

TEST(SdesTest, RoundTripsEveryItemTypeAndLength) {
  Sdes sdes;
  for (uint8_t type = 1; type <= 8; ++type) {
    SdesChunk chunk{type * 1000u, {}};
    // Every text length from 0 to 255 lands on each terminator length.
    for (size_t length = type; length <= SdesItem::kMaxTextSize; length += 37) {
      chunk.items.push_back(
          {static_cast<SdesItemType>(type), std::string(length, static_cast<char>('a' + type))});
    }
    sdes.chunks.push_back(chunk);
  }
  // A type defined after RFC 3550 (RFC 8843 MID = 12) is kept as is.
  sdes.chunks.push_back({42, {{static_cast<SdesItemType>(12), "0"}}});
  sdes.chunks.push_back({43, {{SdesItemType::kCname, std::string(255, 'x')}}});
  sdes.chunks.push_back({44, {}});  // No items: SSRC and four null octets, valid but useless.
  sdes.chunks.push_back({45, {{SdesItemType::kNote, ""}}});

  auto parsed = testing::ParseRtcp<Sdes>(testing::BuildRtcp(sdes));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, sdes);

  auto empty = testing::ParseRtcp<Sdes>(testing::BuildRtcp(Sdes{}));  // SC=0: just the header.
  ASSERT_TRUE(empty.ok()) << empty.error().ToString();
  EXPECT_TRUE(empty->chunks.empty());
}

TEST(SdesTest, EveryTruncationFails) {
  auto header = RtcpCommonHeader::Parse(kSdes);
  ASSERT_TRUE(header.ok());
  for (size_t size = 0; size < header->payload.size(); ++size) {
    RtcpCommonHeader truncated = *header;
    truncated.payload = header->payload.first(size);
    auto sdes = Sdes::Parse(truncated);
    ASSERT_FALSE(sdes.ok()) << "payload of " << size << " bytes parsed";
    EXPECT_EQ(sdes.error().code, ErrorCode::kTruncated) << size;
  }
}

TEST(SdesTest, RejectsCorruptedFields) {
  std::vector<uint8_t> bad = kSdes;
  bad[41] = 0x20;  // Chunk 3's CNAME claims 32 octets; 6 remain.
  EXPECT_EQ(testing::ParseRtcp<Sdes>(bad).error().code, ErrorCode::kTruncated);

  bad = kSdes;
  bad[35] = 0x01;  // Chunk 2's second null octet (padding) is not null.
  EXPECT_EQ(testing::ParseRtcp<Sdes>(bad).error().code, ErrorCode::kMalformed);

  bad = kSdes;
  bad[0] = 0x84;  // SC=4: one chunk more than the packet holds.
  EXPECT_EQ(testing::ParseRtcp<Sdes>(bad).error().code, ErrorCode::kTruncated);

  bad = kSdes;
  bad[0] = 0x82;  // SC=2: a third chunk follows that SC does not count.
  EXPECT_EQ(testing::ParseRtcp<Sdes>(bad).error().code, ErrorCode::kBadLength);

  // The items fill the chunk up to the word boundary and no null octet ends them.
  const std::vector<uint8_t> unterminated = {0x81, 0xCA, 0x00, 0x02, 0,   0,
                                             0,    1,    0x01, 0x02, 'a', 'b'};
  EXPECT_EQ(testing::ParseRtcp<Sdes>(unterminated).error().code, ErrorCode::kTruncated);

  // The null item type is there, but a P-bit padding count of 3 leaves no room for the null
  // octets up to the word boundary.
  const std::vector<uint8_t> short_pad = {0xA1, 0xCA, 0x00, 0x03, 0,    0,    0,    1,
                                          0x01, 0x02, 'a',  'b',  0x00, 0x00, 0x00, 0x03};
  EXPECT_EQ(testing::ParseRtcp<Sdes>(short_pad).error().code, ErrorCode::kTruncated);
}

TEST(SdesTest, RejectsWhatTheFormatCannotCarry) {
  EXPECT_EQ(BuildError(Sdes::WithCname(1, std::string(256, 'x'))), ErrorCode::kInvalidArgument);

  Sdes too_many;
  for (uint32_t ssrc = 0; ssrc < 32; ++ssrc) too_many.AddCname(ssrc, "c");
  EXPECT_EQ(BuildError(too_many), ErrorCode::kInvalidArgument);
  too_many.chunks.pop_back();  // 31 is the most SC can count.
  auto parsed = testing::ParseRtcp<Sdes>(testing::BuildRtcp(too_many));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->chunks.size(), 31u);

  Sdes end_item;
  end_item.chunks = {{1, {{static_cast<SdesItemType>(0), "x"}}}};
  EXPECT_EQ(BuildError(end_item), ErrorCode::kInvalidArgument);

  std::vector<uint8_t> small(kSdes.size() - 1);
  EXPECT_EQ(SerializeRtcp(KnownSdes(), small).error().code, ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::rtcp
