#include "transport/rtp/red.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/result_matchers.h"

#include <array>
#include <vector>

namespace comodal {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

std::vector<uint8_t> Bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

// RFC 2198 §3: one redundant block (PT 0, offset 960, 3 bytes), then the primary (PT 111, 2 bytes).
//   F=1 PT=0 | offset 960 = 0b00001111000000 | length 3 -> 0x80, 0x0F, 0x00, 0x03
const std::vector<uint8_t> kOneRedundant = {0x80, 0x0F, 0x00, 0x03, 0x6F,  // Headers.
                                            0xA1, 0xA2, 0xA3,              // Redundant data.
                                            0xB1, 0xB2};                   // Primary data.

TEST(RedTest, ParsesRfc2198Layout) {
  auto red = RedPayload::Parse(kOneRedundant, 10000);
  ASSERT_TRUE(red.ok()) << red.error().ToString();
  ASSERT_EQ(red->blocks().size(), 2u);
  const RedBlock& redundant = red->blocks()[0];
  EXPECT_EQ(redundant.payload_type, 0);
  EXPECT_EQ(redundant.timestamp, 10000u - 960u);
  EXPECT_THAT(Bytes(redundant.payload), ElementsAre(0xA1, 0xA2, 0xA3));
  EXPECT_EQ(red->primary().payload_type, 111);
  EXPECT_EQ(red->primary().timestamp, 10000u);
  EXPECT_THAT(Bytes(red->primary().payload), ElementsAre(0xB1, 0xB2));
}

TEST(RedTest, PrimaryOnly) {
  const std::vector<uint8_t> bytes = {0x6F, 1, 2, 3};
  auto red = RedPayload::Parse(bytes, 5);
  ASSERT_TRUE(red.ok());
  ASSERT_EQ(red->blocks().size(), 1u);
  EXPECT_THAT(Bytes(red->primary().payload), ElementsAre(1, 2, 3));
}

TEST(RedTest, BuildsWhatItParses) {
  const std::vector<uint8_t> a = {1, 1, 1}, b = {2, 2}, c = {3, 3, 3, 3};
  const RedBlock redundant[] = {{111, 1000, a}, {111, 1960, b}};
  const RedBlock primary{111, 2920, c};
  std::array<uint8_t, 64> out{};
  auto built = BuildRedPayload(primary, redundant, out);
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  EXPECT_EQ(built->redundant_blocks, 2u);
  EXPECT_EQ(built->size, 4u + 4u + 1u + 3u + 2u + 4u);

  auto red = RedPayload::Parse(std::span(out.data(), built->size), 2920);
  ASSERT_TRUE(red.ok()) << red.error().ToString();
  ASSERT_EQ(red->blocks().size(), 3u);
  EXPECT_EQ(red->blocks()[0].timestamp, 1000u);
  EXPECT_EQ(red->blocks()[1].timestamp, 1960u);
  EXPECT_THAT(Bytes(red->blocks()[0].payload), ElementsAreArray(a));
  EXPECT_THAT(Bytes(red->blocks()[1].payload), ElementsAreArray(b));
  EXPECT_THAT(Bytes(red->primary().payload), ElementsAreArray(c));
}

TEST(RedTest, TimestampOffsetWraps) {
  const std::vector<uint8_t> a = {9}, p = {8};
  const RedBlock redundant[] = {{0, 0xFFFFFF00u, a}};
  std::array<uint8_t, 16> out{};
  auto built = BuildRedPayload({0, 100, p}, redundant, out);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built->redundant_blocks, 1u);
  auto red = RedPayload::Parse(std::span(out.data(), built->size), 100);
  ASSERT_TRUE(red.ok());
  EXPECT_EQ(red->blocks()[0].timestamp, 0xFFFFFF00u);
}

TEST(RedTest, SkipsRedundancyOutsideTheLimits) {
  const std::vector<uint8_t> small = {1, 2}, big(1024, 7), p = {5};
  const RedBlock redundant[] = {
      {111, 100000 - 16384, small},  // Offset needs 15 bits.
      {111, 100000 - 16383, small},  // Largest offset: kept.
      {111, 100000 - 10, big},       // 1024 bytes: needs 11 bits.
      {111, 100000, small},          // Same time as the primary: not earlier.
      {111, 100005, small},          // Later than the primary.
      {200, 100000 - 20, small},     // Not a payload type.
  };
  std::array<uint8_t, 2048> out{};
  auto built = BuildRedPayload({111, 100000, p}, redundant, out);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built->redundant_blocks, 1u);
  auto red = RedPayload::Parse(std::span(out.data(), built->size), 100000);
  ASSERT_TRUE(red.ok());
  ASSERT_EQ(red->blocks().size(), 2u);
  EXPECT_EQ(red->blocks()[0].timestamp, 100000u - 16383u);
}

TEST(RedTest, DropsOldestRedundancyFirstWhenOutOfRoom) {
  const std::vector<uint8_t> old_frame(10, 1), new_frame(10, 2), p(10, 3);
  const RedBlock redundant[] = {{111, 40, old_frame}, {111, 80, new_frame}};
  // Room for the primary (11) and one redundant block (14), not two.
  std::array<uint8_t, 30> out{};
  auto built = BuildRedPayload({111, 120, p}, redundant, out);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built->redundant_blocks, 1u);
  auto red = RedPayload::Parse(std::span(out.data(), built->size), 120);
  ASSERT_TRUE(red.ok());
  EXPECT_EQ(red->blocks()[0].timestamp, 80u);

  std::array<uint8_t, 10> tiny{};
  EXPECT_EQ(testing::ErrorCodeOf(BuildRedPayload({111, 120, p}, redundant, tiny)),
            ErrorCode::kBufferTooSmall);
  EXPECT_EQ(testing::ErrorCodeOf(BuildRedPayload({128, 120, p}, redundant, out)),
            ErrorCode::kInvalidArgument);
}

TEST(RedTest, RejectsEveryTruncationOfTheHeadersAndRedundantData) {
  // Headers end at 5, redundant data at 8: shorter inputs are errors, longer ones parse (the
  // primary takes what is left, possibly nothing).
  EXPECT_EQ(testing::ErrorCodeOf(RedPayload::Parse({}, 0)), ErrorCode::kTruncated);
  for (size_t size = 1; size < 4; ++size) {
    EXPECT_EQ(testing::ErrorCodeOf(RedPayload::Parse(std::span(kOneRedundant.data(), size), 0)),
              ErrorCode::kTruncated)
        << size;
  }
  EXPECT_EQ(testing::ErrorCodeOf(RedPayload::Parse(std::span(kOneRedundant.data(), 4), 0)),
            ErrorCode::kTruncated);
  for (size_t size = 5; size < 8; ++size) {
    EXPECT_EQ(testing::ErrorCodeOf(RedPayload::Parse(std::span(kOneRedundant.data(), size), 0)),
              ErrorCode::kBadLength)
        << size;
  }
  for (size_t size = 8; size <= kOneRedundant.size(); ++size) {
    EXPECT_TRUE(RedPayload::Parse(std::span(kOneRedundant.data(), size), 0).ok()) << size;
  }
  // Only redundant headers, no primary header.
  const std::vector<uint8_t> no_primary = {0x80, 0, 0, 0, 0x80, 0, 0, 0};
  EXPECT_EQ(testing::ErrorCodeOf(RedPayload::Parse(no_primary, 0)), ErrorCode::kTruncated);
}

TEST(RedEncoderTest, CarriesTheLastFrames) {
  RedEncoder encoder(/*max_redundant_blocks=*/2);
  std::array<uint8_t, 256> out{};
  std::vector<std::vector<uint8_t>> frames;
  for (uint8_t i = 0; i < 4; ++i) frames.push_back(std::vector<uint8_t>(5 + i, i));
  size_t size = 0;
  for (uint32_t i = 0; i < 4; ++i) {
    auto built = encoder.Encode({111, 960 * i, frames[i]}, out);
    ASSERT_TRUE(built.ok());
    EXPECT_EQ(built->redundant_blocks, std::min<size_t>(i, 2));
    size = built->size;
  }
  auto red = RedPayload::Parse(std::span(out.data(), size), 960 * 3);
  ASSERT_TRUE(red.ok());
  ASSERT_EQ(red->blocks().size(), 3u);
  EXPECT_EQ(red->blocks()[0].timestamp, 960u);
  EXPECT_THAT(Bytes(red->blocks()[0].payload), ElementsAreArray(frames[1]));
  EXPECT_THAT(Bytes(red->blocks()[1].payload), ElementsAreArray(frames[2]));
  EXPECT_THAT(Bytes(red->primary().payload), ElementsAreArray(frames[3]));

  encoder.Reset();
  auto after_reset = encoder.Encode({111, 960 * 4, frames[0]}, out);
  ASSERT_TRUE(after_reset.ok());
  EXPECT_EQ(after_reset->redundant_blocks, 0u);
}

}  // namespace
}  // namespace comodal
