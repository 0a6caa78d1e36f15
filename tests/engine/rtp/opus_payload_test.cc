#include "engine/rtp/opus_payload.h"

#include <gtest/gtest.h>

#include <vector>

namespace comodal::engine {
namespace {

uint8_t Toc(int config, bool stereo, int code) {
  return static_cast<uint8_t>(config << 3 | (stereo ? 4 : 0) | code);
}

// RFC 6716 Table 2: mode, bandwidth and frame size for every configuration number.
TEST(OpusPayloadTest, TocConfigurationsFollowTheTable) {
  struct Row {
    int config;
    OpusMode mode;
    OpusBandwidth bandwidth;
    int64_t frame_us;
  };
  const Row rows[] = {
      {0, OpusMode::kSilk, OpusBandwidth::kNarrow, 10'000},
      {3, OpusMode::kSilk, OpusBandwidth::kNarrow, 60'000},
      {5, OpusMode::kSilk, OpusBandwidth::kMedium, 20'000},
      {9, OpusMode::kSilk, OpusBandwidth::kWide, 20'000},
      {12, OpusMode::kHybrid, OpusBandwidth::kSuperWide, 10'000},
      {15, OpusMode::kHybrid, OpusBandwidth::kFull, 20'000},
      {16, OpusMode::kCelt, OpusBandwidth::kNarrow, 2'500},
      {21, OpusMode::kCelt, OpusBandwidth::kWide, 5'000},
      {26, OpusMode::kCelt, OpusBandwidth::kSuperWide, 10'000},
      {31, OpusMode::kCelt, OpusBandwidth::kFull, 20'000},
  };
  for (const Row& row : rows) {
    const std::vector<uint8_t> packet = {Toc(row.config, true, 0), 0xAB, 0xCD};
    auto info = ParseOpusPacket(packet);
    ASSERT_TRUE(info.ok()) << row.config;
    EXPECT_EQ(info->mode, row.mode) << row.config;
    EXPECT_EQ(info->bandwidth, row.bandwidth) << row.config;
    EXPECT_EQ(info->frame_duration, TimeDelta::Micros(row.frame_us)) << row.config;
    EXPECT_TRUE(info->stereo);
    EXPECT_EQ(info->frame_count, 1);
    EXPECT_EQ(info->frame_bytes, 2u);
    EXPECT_EQ(info->first_frame_offset, 1u);
  }
}

TEST(OpusPayloadTest, FramingCodesAndTheirRules) {
  // Code 1: two equal frames (R3: even length).
  auto two = ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 1), 1, 2, 3, 4});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->frame_count, 2);
  EXPECT_EQ(two->duration, TimeDelta::Millis(40));
  EXPECT_EQ(ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 1), 1, 2, 3}).error().detail,
            "code 1 packet with an odd payload length");

  // Code 2: first length in one byte, or two bytes (252 + 4 x second).
  auto coded = ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 2), 2, 9, 9, 7, 7, 7});
  ASSERT_TRUE(coded.ok());
  EXPECT_EQ(coded->first_frame_offset, 2u);
  EXPECT_EQ(coded->frame_bytes, 5u);
  std::vector<uint8_t> long_first = {Toc(1, false, 2), 252, 1};  // 252 + 4 = 256 bytes.
  long_first.resize(3 + 256 + 10, 0);
  auto two_byte = ParseOpusPacket(long_first);
  ASSERT_TRUE(two_byte.ok());
  EXPECT_EQ(two_byte->first_frame_offset, 3u);
  EXPECT_EQ(ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 2), 9, 1}).error().detail,
            "code 2 first frame longer than the packet");  // R4
  EXPECT_EQ(ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 2), 253}).error().code,
            ErrorCode::kTruncated);

  // Code 3 CBR: three 20 ms frames of 2 bytes, with 3 bytes of padding.
  auto cbr = ParseOpusPacket(
      std::vector<uint8_t>{Toc(1, false, 3), 0x40 | 3, 3, 1, 1, 2, 2, 3, 3, 0, 0, 0});
  ASSERT_TRUE(cbr.ok()) << cbr.error().ToString();
  EXPECT_EQ(cbr->frame_count, 3);
  EXPECT_EQ(cbr->duration, TimeDelta::Millis(60));
  EXPECT_EQ(cbr->frame_bytes, 6u);
  EXPECT_EQ(cbr->first_frame_offset, 3u);
  // R6: CBR bytes not a multiple of the count.
  EXPECT_EQ(
      ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 3), 3, 1, 1, 2, 2, 3}).error().detail,
      "code 3 CBR length not a multiple of the count");
  // Code 3 VBR: two lengths coded for three frames.
  auto vbr = ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 3), 0x80 | 3, 1, 2, 9, 8, 8, 7});
  ASSERT_TRUE(vbr.ok());
  EXPECT_EQ(vbr->first_frame_offset, 4u);
  EXPECT_EQ(vbr->frame_bytes, 4u);
  // R7: coded lengths beyond the packet.
  EXPECT_EQ(
      ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 3), 0x80 | 3, 5, 5, 1}).error().detail,
      "code 3 VBR frame lengths exceed the packet");
  // R5: no frames, or more than 120 ms (seven 20 ms frames).
  EXPECT_EQ(ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 3), 0}).error().detail,
            "code 3 with zero frames");
  EXPECT_EQ(ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 3), 7}).error().detail,
            "code 3 packet longer than 120 ms");
  // Padding of 254 + 1 bytes announced by 255, 1: longer than the packet.
  EXPECT_EQ(
      ParseOpusPacket(std::vector<uint8_t>{Toc(1, false, 3), 0x40 | 1, 255, 1, 0}).error().code,
      ErrorCode::kBadPadding);
  // R1 and R2.
  EXPECT_EQ(ParseOpusPacket({}).error().code, ErrorCode::kTruncated);
  std::vector<uint8_t> huge(1 + 1276, 0);
  huge[0] = Toc(1, false, 0);
  EXPECT_EQ(ParseOpusPacket(huge).error().detail, "frame over 1275 bytes");
}

TEST(OpusPayloadTest, LbrrFlagIsReadFromTheFirstSilkHeaderBits) {
  // 20 ms SILK mono: bit 7 VAD, bit 6 LBRR.
  const std::vector<uint8_t> with = {Toc(9, false, 0), 0b1100'0000, 0};
  const std::vector<uint8_t> without = {Toc(9, false, 0), 0b1000'0000, 0};
  EXPECT_TRUE(OpusPacketHasLbrr(with, *ParseOpusPacket(with)));
  EXPECT_FALSE(OpusPacketHasLbrr(without, *ParseOpusPacket(without)));
  // 60 ms SILK (three SILK frames): three VAD bits, then LBRR at bit 4.
  const std::vector<uint8_t> long_frame = {Toc(11, false, 0), 0b0001'0000};
  EXPECT_TRUE(OpusPacketHasLbrr(long_frame, *ParseOpusPacket(long_frame)));
  // Stereo 20 ms: mid VAD, mid LBRR, side VAD, then the side LBRR flag at bit 4.
  const std::vector<uint8_t> side = {Toc(9, true, 0), 0b0001'0000};
  EXPECT_TRUE(OpusPacketHasLbrr(side, *ParseOpusPacket(side)));
  // The first bit is the first SILK frame's VAD flag.
  EXPECT_TRUE(OpusPacketHasVoiceActivity(with, *ParseOpusPacket(with)));
  EXPECT_FALSE(OpusPacketHasVoiceActivity(long_frame, *ParseOpusPacket(long_frame)));
  const std::vector<uint8_t> dtx = {Toc(9, false, 0)};
  EXPECT_FALSE(OpusPacketHasVoiceActivity(dtx, *ParseOpusPacket(dtx)));
  // CELT never carries LBRR.
  const std::vector<uint8_t> celt = {Toc(31, false, 0), 0xFF};
  EXPECT_FALSE(OpusPacketHasLbrr(celt, *ParseOpusPacket(celt)));
}

}  // namespace
}  // namespace comodal::engine
