#include "transport/rtcp/nack.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rtcp_test_util.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <span>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// RFC 4585 §6.1 and §6.2.1 layout, two Generic NACK items:
const std::vector<uint8_t> kNack = {
    0x81, 0xCD, 0x00, 0x04,  // V=2 P=0 FMT=1 | PT=205 (RTPFB) | length=4
    0x12, 0x34, 0x56, 0x78,  // SSRC of packet sender
    0x9A, 0xBC, 0xDE, 0xF0,  // SSRC of media source
    0x00, 0x64, 0x80, 0x05,  // PID=100 | BLP bits 0, 2, 15: 101, 103, 116 lost
    0x00, 0xC8, 0x00, 0x00,  // PID=200 | BLP=0
};

Nack KnownNack() {
  Nack nack;
  nack.sender_ssrc = 0x12345678;
  nack.media_ssrc = 0x9ABCDEF0;
  nack.lost_sequence_numbers = {100, 101, 103, 116, 200};
  return nack;
}

std::vector<Nack::Item> Pack(std::vector<uint16_t> lost) { return Nack::Pack(lost); }

// The fewest items by brute force: an optimal packing has an item starting at some lost number,
// and from there greedy is optimal; try every start.
size_t FewestItems(std::vector<uint16_t> lost) {
  std::sort(lost.begin(), lost.end());
  lost.erase(std::unique(lost.begin(), lost.end()), lost.end());
  size_t fewest = lost.size();
  for (size_t start = 0; start < lost.size(); ++start) {
    size_t items = 0;
    uint16_t packet_id = 0;
    for (size_t i = 0; i < lost.size(); ++i) {
      const uint16_t seq = lost[(start + i) % lost.size()];
      if (items == 0 || static_cast<uint16_t>(seq - packet_id) > 16) {
        ++items;
        packet_id = seq;
      }
    }
    fewest = std::min(fewest, items);
  }
  return fewest;
}

std::vector<uint16_t> Expand(const std::vector<Nack::Item>& items) {
  std::vector<uint8_t> bytes = {0x81, 0xCD, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
  for (const Nack::Item& item : items) {
    bytes.insert(
        bytes.end(),
        {static_cast<uint8_t>(item.packet_id >> 8), static_cast<uint8_t>(item.packet_id),
         static_cast<uint8_t>(item.lost_bitmask >> 8), static_cast<uint8_t>(item.lost_bitmask)});
  }
  StoreBE16(&bytes[2], static_cast<uint16_t>(bytes.size() / 4 - 1));
  auto parsed = testing::ParseRtcp<Nack>(bytes);
  if (!parsed.ok()) return {};
  return parsed->lost_sequence_numbers;
}

std::vector<uint16_t> SortedUnique(std::vector<uint16_t> seqs) {
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  return seqs;
}

TEST(NackTest, KnownBytesParseAndRebuild) {
  auto nack = testing::ParseRtcp<Nack>(kNack);
  ASSERT_TRUE(nack.ok()) << nack.error().ToString();
  EXPECT_EQ(*nack, KnownNack());
  EXPECT_EQ(nack->Size(), kNack.size());
  EXPECT_THAT(testing::BuildRtcp(KnownNack()), ElementsAreArray(kNack));
  EXPECT_THAT(Pack({100, 101, 103, 116, 200}),
              ElementsAre(Nack::Item{100, 0x8005}, Nack::Item{200, 0}));
}

TEST(NackTest, ParseListsEachLostNumberOnceInPackingOrder) {
  const std::vector<uint8_t> bytes = {
      0x81, 0xCD, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 2, 0x00, 0xC8, 0x00, 0x00,  // PID=200
      0xFF, 0xFF, 0x00, 0x03,  // PID=65535 | BLP bits 0, 1: 0 and 1 lost
      0x00, 0x00, 0x00, 0x00,  // PID=0 again (a sender may repeat itself)
  };
  auto nack = testing::ParseRtcp<Nack>(bytes);
  ASSERT_TRUE(nack.ok()) << nack.error().ToString();
  // The set {65535, 0, 1, 200}, from the first number after the widest gap, as Pack() orders it,
  // so that writing it back and parsing again gives the same list.
  EXPECT_THAT(nack->lost_sequence_numbers, ElementsAre(65535, 0, 1, 200));
  auto reparsed = testing::ParseRtcp<Nack>(testing::BuildRtcp(*nack));
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(*reparsed, *nack);
}

TEST(NackTest, BuildSortsAndCollapsesDuplicates) {
  Nack nack = KnownNack();
  nack.lost_sequence_numbers = {200, 116, 100, 103, 100, 101, 200, 116, 103};
  EXPECT_THAT(testing::BuildRtcp(nack), ElementsAreArray(kNack));
  EXPECT_THAT(Pack({5, 5, 5, 6, 5}), ElementsAre(Nack::Item{5, 0x0001}));
}

TEST(NackTest, PacksAcrossTheWrap) {
  EXPECT_THAT(Pack({0, 65535, 1, 65534}), ElementsAre(Nack::Item{65534, 0x0007}));
  EXPECT_THAT(Pack({10, 65530}), ElementsAre(Nack::Item{65530, 0x8000}));
  // 65535 and 0 share an item; 20 does not fit in it.
  EXPECT_THAT(Pack({0, 20, 65535}), ElementsAre(Nack::Item{65535, 0x0001}, Nack::Item{20, 0}));

  Nack nack = KnownNack();
  nack.lost_sequence_numbers = {65534, 65535, 0, 1};
  const std::vector<uint8_t> expected = {0x81, 0xCD, 0x00, 0x03, 0x12, 0x34, 0x56, 0x78,
                                         0x9A, 0xBC, 0xDE, 0xF0, 0xFF, 0xFE, 0x00, 0x07};
  EXPECT_THAT(testing::BuildRtcp(nack), ElementsAreArray(expected));
  auto parsed = testing::ParseRtcp<Nack>(expected);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_THAT(parsed->lost_sequence_numbers, ElementsAre(65534, 65535, 0, 1));
}

TEST(NackTest, ConsecutiveLossesFillItems) {
  // An item covers its PID and the 16 numbers after it: 17 consecutive losses fit in one item,
  // the 18th needs a second.
  std::vector<uint16_t> lost(17);
  std::iota(lost.begin(), lost.end(), uint16_t{1000});
  EXPECT_THAT(Pack(lost), ElementsAre(Nack::Item{1000, 0xFFFF}));
  lost.push_back(1017);
  EXPECT_THAT(Pack(lost), ElementsAre(Nack::Item{1000, 0xFFFF}, Nack::Item{1017, 0}));
  lost.push_back(1018);
  EXPECT_THAT(Pack(lost), ElementsAre(Nack::Item{1000, 0xFFFF}, Nack::Item{1017, 0x0001}));

  // Every sequence number lost: ceil(65536 / 17) items.
  std::vector<uint16_t> all(65536);
  std::iota(all.begin(), all.end(), uint16_t{0});
  EXPECT_EQ(Pack(all).size(), 3856u);
  EXPECT_EQ(SortedUnique(Expand(Pack(all))), all);
}

TEST(NackTest, PacksOptimallyAndExactly) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    // A burst of losses near a random point, often across the wrap.
    std::vector<uint16_t> lost;
    const uint16_t base = static_cast<uint16_t>(65536 - 40 + rng() % 80);
    const size_t count = 1 + rng() % 40;
    for (size_t i = 0; i < count; ++i) lost.push_back(static_cast<uint16_t>(base + rng() % 90));
    const std::vector<Nack::Item> items = Pack(lost);
    EXPECT_EQ(items.size(), FewestItems(lost));
    EXPECT_EQ(SortedUnique(Expand(items)), SortedUnique(lost));
  }
  for (int round = 0; round < 3; ++round) {
    // Gaps of at most 16 all around the circle: no gap cuts it into a line.
    std::vector<uint16_t> lost;
    for (uint32_t seq = rng() % 16; seq < 65536; seq += 10 + rng() % 7) {
      lost.push_back(static_cast<uint16_t>(seq));
    }
    const std::vector<Nack::Item> items = Pack(lost);
    EXPECT_EQ(items.size(), FewestItems(lost));
    EXPECT_EQ(SortedUnique(Expand(items)), SortedUnique(lost));
  }
}

TEST(NackTest, RoundTrips) {
  Nack nack = KnownNack();
  nack.lost_sequence_numbers = {7};
  auto parsed = testing::ParseRtcp<Nack>(testing::BuildRtcp(nack));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, nack);

  nack.lost_sequence_numbers = {65000, 65001, 65010, 65016, 65017, 65200, 3, 4, 5};
  parsed = testing::ParseRtcp<Nack>(testing::BuildRtcp(nack));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  // Parsing lists them in item order, from the widest gap on.
  EXPECT_THAT(parsed->lost_sequence_numbers,
              ElementsAre(65000, 65001, 65010, 65016, 65017, 65200, 3, 4, 5));
}

TEST(NackTest, EveryTruncationFailsButWholeItems) {
  auto header = RtcpCommonHeader::Parse(kNack);
  ASSERT_TRUE(header.ok());
  for (size_t size = 0; size < header->payload.size(); ++size) {
    RtcpCommonHeader truncated = *header;
    truncated.payload = header->payload.first(size);
    auto nack = Nack::Parse(truncated);
    if (size == 12) {
      // Cut after the first item: a valid NACK of that item.
      ASSERT_TRUE(nack.ok()) << nack.error().ToString();
      EXPECT_THAT(nack->lost_sequence_numbers, ElementsAre(100, 101, 103, 116));
      continue;
    }
    ASSERT_FALSE(nack.ok()) << "payload of " << size << " bytes parsed";
    const ErrorCode expected = size < 8    ? ErrorCode::kTruncated
                               : size == 8 ? ErrorCode::kMalformed
                                           : ErrorCode::kBadLength;
    EXPECT_EQ(nack.error().code, expected) << size;
  }
}

TEST(NackTest, RejectsCorruptedFields) {
  // Length 2: the two SSRCs and no FCI item, which RFC 4585 §6.2.1 requires.
  const std::vector<uint8_t> no_fci = {0x81, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_EQ(testing::ParseRtcp<Nack>(no_fci).error().code, ErrorCode::kMalformed);

  // A P-bit padding count of 2 leaves half an item.
  const std::vector<uint8_t> half_item = {0xA1, 0xCD, 0x00, 0x03, 0, 0, 0, 1,
                                          0,    0,    0,    2,    0, 5, 0, 2};
  EXPECT_EQ(testing::ParseRtcp<Nack>(half_item).error().code, ErrorCode::kBadLength);

  std::vector<uint8_t> bad = kNack;
  bad[3] = 0x05;  // A word more than the datagram holds.
  EXPECT_EQ(testing::ParseRtcp<Nack>(bad).error().code, ErrorCode::kTruncated);
}

TEST(NackTest, RejectsWhatTheFormatCannotCarry) {
  std::vector<uint8_t> out(64);
  Nack nack = KnownNack();
  nack.lost_sequence_numbers.clear();
  EXPECT_EQ(SerializeRtcp(nack, out).error().code, ErrorCode::kInvalidArgument);

  std::vector<uint8_t> small(kNack.size() - 1);
  EXPECT_EQ(SerializeRtcp(KnownNack(), small).error().code, ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::rtcp
