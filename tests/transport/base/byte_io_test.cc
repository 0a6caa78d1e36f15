#include "transport/base/byte_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

namespace comodal {
namespace {

using ::testing::ElementsAre;

TEST(ByteIoTest, BigEndianLoadsAndStores) {
  const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(LoadBE16(bytes), 0x0102);
  EXPECT_EQ(LoadBE24(bytes), 0x010203u);
  EXPECT_EQ(LoadBE32(bytes), 0x01020304u);
  EXPECT_EQ(LoadBE64(bytes), 0x0102030405060708ull);
  const uint8_t negative[] = {0xFF, 0xFF, 0xFE};
  EXPECT_EQ(LoadBE24Signed(negative), -2);
  const uint8_t positive[] = {0x7F, 0xFF, 0xFF};
  EXPECT_EQ(LoadBE24Signed(positive), 0x7FFFFF);
}

TEST(ByteIoTest, ReaderFailsStickilyInsteadOfOverreading) {
  const uint8_t bytes[] = {0xAB, 0xCD, 0xEF};
  ByteReader reader(bytes);
  EXPECT_EQ(reader.U16(), 0xABCD);
  EXPECT_TRUE(reader.ok());
  EXPECT_EQ(reader.U16(), 0);  // Only one byte left.
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(reader.U8(), 0);  // Stays failed even though a byte remains.
  EXPECT_TRUE(reader.Bytes(1).empty());
}

TEST(ByteIoTest, WriterStopsAtTheEndOfItsBuffer) {
  std::array<uint8_t, 5> out{};
  ByteWriter writer(out);
  writer.U32(0x11223344);
  EXPECT_TRUE(writer.ok());
  writer.U16(0x5566);  // Does not fit.
  EXPECT_FALSE(writer.ok());
  EXPECT_EQ(writer.size(), 4u);
  EXPECT_THAT(out, ElementsAre(0x11, 0x22, 0x33, 0x44, 0x00));
}

}  // namespace
}  // namespace comodal
