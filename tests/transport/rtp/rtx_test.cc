#include "transport/rtp/rtx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/result_matchers.h"
#include "transport/rtp/rtp_packet.h"

#include <vector>

namespace comodal {
namespace {

using ::testing::ElementsAreArray;

constexpr uint32_t kMediaSsrc = 0x11223344;
constexpr uint32_t kRtxSsrc = 0x55667788;
constexpr uint8_t kMediaPt = 96;
constexpr uint8_t kRtxPt = 97;

std::vector<uint8_t> Bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

// A video packet with everything RFC 4588 §4 says to keep: marker, CSRCs, extensions, padding.
std::vector<uint8_t> OriginalPacket(size_t padding = 0) {
  RtpPacketBuilder builder;
  builder.set_marker(true)
      .set_payload_type(kMediaPt)
      .set_sequence_number(0xFFFE)
      .set_timestamp(0xCAFEF00D)
      .set_ssrc(kMediaSsrc);
  const uint32_t csrcs[] = {7, 8};
  EXPECT_TRUE(builder.SetCsrcs(csrcs));
  EXPECT_TRUE(builder.SetExtension<TransportSequenceNumber>(3, 4242));
  EXPECT_TRUE(builder.SetExtension<AbsoluteSendTime>(2, 0xABCDE));
  const std::vector<uint8_t> payload = {1, 2, 3, 4, 5, 6, 7};
  std::vector<uint8_t> out(kMaxPacketBufferSize);
  out.resize(builder.Build(payload, out, padding).value());
  return out;
}

std::vector<uint8_t> Rtx(std::span<const uint8_t> original, uint16_t rtx_seq = 500) {
  std::vector<uint8_t> out(kMaxPacketBufferSize);
  auto size = BuildRtxPacket(original, kRtxSsrc, kRtxPt, rtx_seq, out);
  EXPECT_TRUE(size.ok()) << size.error().ToString();
  out.resize(size.ok() ? *size : 0);
  return out;
}

TEST(RtxTest, BuildsRfc4588Packet) {
  const std::vector<uint8_t> original = OriginalPacket();
  const std::vector<uint8_t> rtx = Rtx(original);
  ASSERT_EQ(rtx.size(), original.size() + kRtxOverhead);

  auto packet = RtpPacket::Parse(rtx);
  ASSERT_TRUE(packet.ok()) << packet.error().ToString();
  auto media = RtpPacket::Parse(original);
  ASSERT_TRUE(media.ok());
  EXPECT_EQ(packet->ssrc(), kRtxSsrc);
  EXPECT_EQ(packet->payload_type(), kRtxPt);
  EXPECT_EQ(packet->sequence_number(), 500);
  // RFC 4588 §4: marker, timestamp, CSRCs and header extensions are the original's.
  EXPECT_TRUE(packet->marker());
  EXPECT_EQ(packet->timestamp(), 0xCAFEF00Du);
  ASSERT_EQ(packet->csrc_count(), 2u);
  EXPECT_EQ(packet->csrc(1), 8u);
  EXPECT_EQ(packet->GetExtension<TransportSequenceNumber>(3), 4242);
  EXPECT_THAT(Bytes(packet->extension_block()), ElementsAreArray(Bytes(media->extension_block())));
  // The payload is the OSN, then the original payload.
  std::vector<uint8_t> expected = {0xFF, 0xFE};
  expected.insert(expected.end(), media->payload().begin(), media->payload().end());
  EXPECT_THAT(Bytes(packet->payload()), ElementsAreArray(expected));
}

TEST(RtxTest, RestoresTheOriginalByteForByte) {
  for (size_t padding : {0, 1, 13}) {
    const std::vector<uint8_t> original = OriginalPacket(padding);
    const std::vector<uint8_t> rtx = Rtx(original);
    std::vector<uint8_t> restored(kMaxPacketBufferSize);
    auto size = RestoreFromRtx(rtx, kMediaSsrc, kMediaPt, restored);
    ASSERT_TRUE(size.ok()) << size.error().ToString();
    restored.resize(*size);
    EXPECT_EQ(restored, original) << "padding " << padding;
  }
}

TEST(RtxTest, RestoresWithTheAptMap) {
  RtxPayloadTypeMap map;
  ASSERT_TRUE(map.Add(kRtxPt, kMediaPt));
  ASSERT_TRUE(map.Add(99, 98));
  EXPECT_TRUE(map.Add(kRtxPt, kMediaPt));  // Same mapping again: fine.
  EXPECT_FALSE(map.Add(kRtxPt, 100));      // One apt per RTX payload type.
  EXPECT_FALSE(map.Add(128, 1));
  EXPECT_EQ(map.Associated(99), 98);
  EXPECT_FALSE(map.Associated(100).has_value());

  const std::vector<uint8_t> original = OriginalPacket();
  std::vector<uint8_t> restored(kMaxPacketBufferSize);
  auto size = RestoreFromRtx(Rtx(original), kMediaSsrc, map, restored);
  ASSERT_TRUE(size.ok());
  restored.resize(*size);
  EXPECT_EQ(restored, original);

  RtxPayloadTypeMap empty;
  EXPECT_EQ(testing::ErrorCodeOf(RestoreFromRtx(Rtx(original), kMediaSsrc, empty, restored)),
            ErrorCode::kUnsupported);
}

TEST(RtxTest, RoundTripsAcrossSequenceWrap) {
  std::vector<uint8_t> original = OriginalPacket();
  for (uint16_t seq : {0xFFFF, 0x0000, 0x0001}) {
    StoreBE16(&original[2], seq);
    const std::vector<uint8_t> rtx = Rtx(original, static_cast<uint16_t>(seq + 3));
    std::vector<uint8_t> restored(kMaxPacketBufferSize);
    restored.resize(RestoreFromRtx(rtx, kMediaSsrc, kMediaPt, restored).value());
    EXPECT_EQ(restored, original) << seq;
  }
}

TEST(RtxTest, RejectsBadInput) {
  const std::vector<uint8_t> original = OriginalPacket();
  std::vector<uint8_t> out(kMaxPacketBufferSize);

  // Not RTP.
  const std::vector<uint8_t> short_packet = {0x80, 0x60, 0, 1};
  EXPECT_EQ(testing::ErrorCodeOf(BuildRtxPacket(short_packet, kRtxSsrc, kRtxPt, 1, out)),
            ErrorCode::kTruncated);
  std::vector<uint8_t> bad_version = original;
  bad_version[0] &= 0x3F;
  EXPECT_EQ(testing::ErrorCodeOf(RestoreFromRtx(bad_version, kMediaSsrc, kMediaPt, out)),
            ErrorCode::kBadVersion);
  // Payload types are 7 bits.
  EXPECT_EQ(testing::ErrorCodeOf(BuildRtxPacket(original, kRtxSsrc, 128, 1, out)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(testing::ErrorCodeOf(RestoreFromRtx(Rtx(original), kMediaSsrc, 200, out)),
            ErrorCode::kInvalidArgument);
  // Output buffers one byte short.
  std::vector<uint8_t> small(original.size() + 1);
  EXPECT_EQ(testing::ErrorCodeOf(BuildRtxPacket(original, kRtxSsrc, kRtxPt, 1, small)),
            ErrorCode::kBufferTooSmall);
  small.resize(original.size() - 1);
  EXPECT_EQ(testing::ErrorCodeOf(RestoreFromRtx(Rtx(original), kMediaSsrc, kMediaPt, small)),
            ErrorCode::kBufferTooSmall);

  // An RTX packet whose payload cannot hold the OSN: a padding-only probe, or a cut packet.
  RtpPacketBuilder probe;
  probe.set_payload_type(kRtxPt).set_ssrc(kRtxSsrc);
  std::vector<uint8_t> padding_only(kMaxPacketBufferSize);
  padding_only.resize(probe.Build({}, padding_only, 200).value());
  EXPECT_EQ(testing::ErrorCodeOf(RestoreFromRtx(padding_only, kMediaSsrc, kMediaPt, out)),
            ErrorCode::kTruncated);
  const std::vector<uint8_t> one_byte = {0x80, kRtxPt, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA};
  EXPECT_EQ(testing::ErrorCodeOf(RestoreFromRtx(one_byte, kMediaSsrc, kMediaPt, out)),
            ErrorCode::kTruncated);
}

}  // namespace
}  // namespace comodal
