#include "transport/rtp/sequence_number.h"

#include <gtest/gtest.h>

namespace comodal {
namespace {

TEST(SequenceNumberTest, NewerAcrossTheWrap) {
  EXPECT_TRUE(IsNewerSequenceNumber<uint16_t>(1, 0));
  EXPECT_TRUE(IsNewerSequenceNumber<uint16_t>(0, 65535));
  EXPECT_TRUE(IsNewerSequenceNumber<uint16_t>(100, 65000));
  EXPECT_FALSE(IsNewerSequenceNumber<uint16_t>(65535, 0));
  EXPECT_FALSE(IsNewerSequenceNumber<uint16_t>(5, 5));
  EXPECT_TRUE(SeqNumLessThan<uint16_t>(65530, 3));
  EXPECT_FALSE(SeqNumLessThan<uint16_t>(3, 65530));
}

TEST(SequenceNumberTest, HalfWayIsAntisymmetric) {
  // Exactly half the space apart: exactly one of the two is newer.
  EXPECT_NE(IsNewerSequenceNumber<uint16_t>(0x8000, 0), IsNewerSequenceNumber<uint16_t>(0, 0x8000));
  EXPECT_NE(IsNewerSequenceNumber<uint32_t>(0x80000000u, 0),
            IsNewerSequenceNumber<uint32_t>(0, 0x80000000u));
}

TEST(SequenceNumberTest, DiffIsSigned) {
  EXPECT_EQ(SeqNumDiff<uint16_t>(2, 65534), 4);
  EXPECT_EQ(SeqNumDiff<uint16_t>(65534, 2), -4);
  EXPECT_EQ(SeqNumDiff<uint32_t>(5, 0xFFFFFFFFu), 6);
}

TEST(SeqNumUnwrapperTest, ForwardThroughManyWraps) {
  SeqNumUnwrapper<uint16_t> unwrapper;
  int64_t expected = 65000;
  EXPECT_EQ(unwrapper.Unwrap(65000), expected);
  // Advance by 1000 at a time through three wraps.
  for (int i = 0; i < 200; ++i) {
    expected += 1000;
    EXPECT_EQ(unwrapper.Unwrap(static_cast<uint16_t>(expected)), expected);
  }
  EXPECT_GT(expected, 3 * 65536);
}

TEST(SeqNumUnwrapperTest, ReorderingAroundTheWrap) {
  SeqNumUnwrapper<uint16_t> unwrapper;
  EXPECT_EQ(unwrapper.Unwrap(65534), 65534);
  EXPECT_EQ(unwrapper.Unwrap(1), 65537);
  EXPECT_EQ(unwrapper.Unwrap(65535), 65535);  // Late packet from before the wrap.
  EXPECT_EQ(unwrapper.Unwrap(0), 65536);
  EXPECT_EQ(unwrapper.PeekUnwrap(2), 65538);
  EXPECT_EQ(unwrapper.Unwrap(2), 65538);
}

TEST(SeqNumUnwrapperTest, BackwardsBelowZeroGoesNegative) {
  SeqNumUnwrapper<uint16_t> unwrapper;
  EXPECT_EQ(unwrapper.Unwrap(1), 1);
  EXPECT_EQ(unwrapper.Unwrap(65535), -1);
}

TEST(SeqNumUnwrapperTest, RtpTimestamps) {
  SeqNumUnwrapper<uint32_t> unwrapper;
  EXPECT_EQ(unwrapper.Unwrap(0xFFFFFF00u), 0xFFFFFF00ll);
  EXPECT_EQ(unwrapper.Unwrap(0x00000100u), 0x100000100ll);
}

}  // namespace
}  // namespace comodal
