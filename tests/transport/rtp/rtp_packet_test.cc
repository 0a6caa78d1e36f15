#include "transport/rtp/rtp_packet.h"

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

// RFC 3550 §5.1 fixed header: V=2 P=0 X=0 CC=0 | M=1 PT=96 | seq 0x1234 | ts 0xDEADBEEF |
// SSRC 0x11223344, then a 3-byte payload.
constexpr std::array<uint8_t, 15> kMinimalPacket = {0x80, 0xE0, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF,
                                                    0x11, 0x22, 0x33, 0x44, 0xAA, 0xBB, 0xCC};

TEST(RtpPacketTest, ParsesFixedHeaderFields) {
  auto packet = RtpPacket::Parse(kMinimalPacket);
  ASSERT_TRUE(packet.ok()) << packet.error().ToString();
  EXPECT_TRUE(packet->marker());
  EXPECT_EQ(packet->payload_type(), 96);
  EXPECT_EQ(packet->sequence_number(), 0x1234);
  EXPECT_EQ(packet->timestamp(), 0xDEADBEEFu);
  EXPECT_EQ(packet->ssrc(), 0x11223344u);
  EXPECT_EQ(packet->csrc_count(), 0u);
  EXPECT_EQ(packet->extension_format(), RtpPacket::ExtensionFormat::kNone);
  EXPECT_EQ(packet->header_size(), 12u);
  EXPECT_THAT(Bytes(packet->payload()), ElementsAre(0xAA, 0xBB, 0xCC));
  EXPECT_EQ(packet->padding_size(), 0u);
}

TEST(RtpPacketTest, ParsesCsrcsAndPadding) {
  // CC=2, P=1: two CSRCs, a 2-byte payload and 3 bytes of padding ending in the count 3.
  const std::vector<uint8_t> bytes = {0xA2, 0x6F, 0x00, 0x01, 0,    0,    0,    160,  0,
                                      0,    0,    1,    0x00, 0x00, 0x00, 0x0A, 0x00, 0x00,
                                      0x00, 0x0B, 0x55, 0x66, 0x00, 0x00, 0x03};
  auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet.ok()) << packet.error().ToString();
  EXPECT_FALSE(packet->marker());
  EXPECT_EQ(packet->payload_type(), 111);
  ASSERT_EQ(packet->csrc_count(), 2u);
  EXPECT_EQ(packet->csrc(0), 10u);
  EXPECT_EQ(packet->csrc(1), 11u);
  EXPECT_THAT(Bytes(packet->payload()), ElementsAre(0x55, 0x66));
  EXPECT_EQ(packet->padding_size(), 3u);
}

// RFC 8285 §4.2 figure: one-byte header, length=3 words: ID=1 L=0 (1 byte), ID=2 L=1
// (2 bytes), two padding bytes, ID=3 L=3 (4 bytes).
const std::vector<uint8_t> kRfc8285OneByteExample = {
    0x90, 0x60, 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0, 9,  // X=1, PT=96, seq 7, ts 0, SSRC 9
    0xBE, 0xDE, 0x00, 0x03,                          // profile 0xBEDE, length 3
    0x10, 0xA1, 0x21, 0xB1,                          // ID1 L0 data | ID2 L1 data...
    0xB2, 0x00, 0x00, 0x33,                          // ...data | pad | pad | ID3 L3
    0xC1, 0xC2, 0xC3, 0xC4,                          // data
    0xFF};                                           // payload

// RFC 8285 §4.3 figure: two-byte header (0x1000), length=3: ID=1 L=0, ID=2 L=1, pad,
// ID=3 L=4.
const std::vector<uint8_t> kRfc8285TwoByteExample = {
    0x90, 0x60, 0x00, 0x07, 0,    0,    0,    0,    0,    0,
    0,    9,    0x10, 0x00, 0x00, 0x03, 0x01, 0x00, 0x02, 0x01,  // ID1 L0 | ID2 L1
    0xB1, 0x00, 0x03, 0x04,                                      // data | pad | ID3 L4
    0xC1, 0xC2, 0xC3, 0xC4, 0xFF};

TEST(RtpPacketTest, ReadsRfc8285OneByteExample) {
  auto packet = RtpPacket::Parse(kRfc8285OneByteExample);
  ASSERT_TRUE(packet.ok()) << packet.error().ToString();
  EXPECT_EQ(packet->extension_format(), RtpPacket::ExtensionFormat::kOneByte);
  EXPECT_THAT(Bytes(*packet->FindExtension(1)), ElementsAre(0xA1));
  EXPECT_THAT(Bytes(*packet->FindExtension(2)), ElementsAre(0xB1, 0xB2));
  EXPECT_THAT(Bytes(*packet->FindExtension(3)), ElementsAre(0xC1, 0xC2, 0xC3, 0xC4));
  EXPECT_FALSE(packet->FindExtension(4).has_value());
  EXPECT_THAT(Bytes(packet->payload()), ElementsAre(0xFF));
  std::vector<uint8_t> ids;
  packet->ForEachExtension([&](uint8_t id, std::span<const uint8_t>) { ids.push_back(id); });
  EXPECT_THAT(ids, ElementsAre(1, 2, 3));
}

TEST(RtpPacketTest, ReadsRfc8285TwoByteExample) {
  auto packet = RtpPacket::Parse(kRfc8285TwoByteExample);
  ASSERT_TRUE(packet.ok()) << packet.error().ToString();
  EXPECT_EQ(packet->extension_format(), RtpPacket::ExtensionFormat::kTwoByte);
  ASSERT_TRUE(packet->FindExtension(1).has_value());
  EXPECT_TRUE(packet->FindExtension(1)->empty());  // Two-byte form allows zero-length data.
  EXPECT_THAT(Bytes(*packet->FindExtension(2)), ElementsAre(0xB1));
  EXPECT_THAT(Bytes(*packet->FindExtension(3)), ElementsAre(0xC1, 0xC2, 0xC3, 0xC4));
}

TEST(RtpPacketTest, OneByteId15StopsProcessing) {
  // RFC 8285 §4.2: elements after ID 15 are ignored, whatever its length field says.
  const std::vector<uint8_t> bytes = {0x90, 0x60, 0,    1,    0,    0,    0,    0,    0,    0,
                                      0,    1,    0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0xFF, 0x20};
  auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet.ok()) << packet.error().ToString();
  EXPECT_TRUE(packet->FindExtension(1).has_value());
  EXPECT_FALSE(packet->FindExtension(2).has_value());
}

TEST(RtpPacketTest, UnknownProfileIsOpaque) {
  const std::vector<uint8_t> bytes = {0x90, 0x60, 0,    1,    0,    0,    0,    0,    0,    0,
                                      0,    1,    0xAB, 0xCD, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78};
  auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(packet->extension_format(), RtpPacket::ExtensionFormat::kOther);
  EXPECT_EQ(packet->extension_profile(), 0xABCD);
  EXPECT_THAT(Bytes(packet->extension_block()), ElementsAre(0x12, 0x34, 0x56, 0x78));
  EXPECT_FALSE(packet->FindExtension(1).has_value());
  EXPECT_TRUE(packet->payload().empty());
}

TEST(RtpPacketTest, RejectsEveryTruncation) {
  for (const auto* vector : {&kRfc8285OneByteExample, &kRfc8285TwoByteExample}) {
    // Cut right after the extension block: valid (empty payload). Shorter: always an error.
    const size_t header_end = vector->size() - 1;
    for (size_t size = 0; size < header_end; ++size) {
      auto packet = RtpPacket::Parse(std::span(vector->data(), size));
      EXPECT_FALSE(packet.ok()) << "size " << size;
    }
    EXPECT_TRUE(RtpPacket::Parse(std::span(vector->data(), header_end)).ok());
  }
}

TEST(RtpPacketTest, RejectsCorruptHeaders) {
  std::vector<uint8_t> bad_version(kMinimalPacket.begin(), kMinimalPacket.end());
  bad_version[0] = 0x40;
  EXPECT_EQ(testing::ErrorCodeOf(RtpPacket::Parse(bad_version)), ErrorCode::kBadVersion);

  std::vector<uint8_t> csrc_overrun(kMinimalPacket.begin(), kMinimalPacket.end());
  csrc_overrun[0] = 0x81;  // One CSRC claimed, 3 bytes left.
  EXPECT_EQ(testing::ErrorCodeOf(RtpPacket::Parse(csrc_overrun)), ErrorCode::kTruncated);

  std::vector<uint8_t> zero_padding(kMinimalPacket.begin(), kMinimalPacket.end());
  zero_padding[0] |= 0x20;
  zero_padding.back() = 0;
  EXPECT_EQ(testing::ErrorCodeOf(RtpPacket::Parse(zero_padding)), ErrorCode::kBadPadding);

  std::vector<uint8_t> padding_overrun(kMinimalPacket.begin(), kMinimalPacket.end());
  padding_overrun[0] |= 0x20;
  padding_overrun.back() = 4;  // Payload is only 3 bytes.
  EXPECT_EQ(testing::ErrorCodeOf(RtpPacket::Parse(padding_overrun)), ErrorCode::kBadPadding);

  std::vector<uint8_t> element_overrun = kRfc8285OneByteExample;
  element_overrun[23] = 0x3F;  // ID3 claims 16 bytes in a 4-byte remainder.
  EXPECT_EQ(testing::ErrorCodeOf(RtpPacket::Parse(element_overrun)), ErrorCode::kMalformed);

  std::vector<uint8_t> length_overrun = kRfc8285OneByteExample;
  length_overrun[15] = 0x09;  // 9 words of extension, fewer in the packet.
  EXPECT_EQ(testing::ErrorCodeOf(RtpPacket::Parse(length_overrun)), ErrorCode::kTruncated);
}

TEST(RtpPacketBuilderTest, RebuildsRfc8285ExamplesByteForByte) {
  // The builder packs elements without inner padding, so compare after re-parsing; and the
  // one-byte example's elements fit the one-byte form.
  RtpPacketBuilder builder;
  builder.set_payload_type(96).set_sequence_number(7).set_ssrc(9);
  const uint8_t d1[] = {0xA1};
  const uint8_t d2[] = {0xB1, 0xB2};
  const uint8_t d3[] = {0xC1, 0xC2, 0xC3, 0xC4};
  ASSERT_TRUE(builder.SetRawExtension(1, d1));
  ASSERT_TRUE(builder.SetRawExtension(2, d2));
  ASSERT_TRUE(builder.SetRawExtension(3, d3));
  std::array<uint8_t, kMaxPacketBufferSize> out{};
  const uint8_t payload[] = {0xFF};
  auto size = builder.Build(payload, out);
  ASSERT_TRUE(size.ok());
  // 12 + 4 + (1+1 + 1+2 + 1+4 = 10 -> 12) + 1
  EXPECT_EQ(*size, 29u);
  const std::vector<uint8_t> expected = {0x90, 0x60, 0x00, 0x07, 0,    0,    0,    0,    0,    0,
                                         0,    9,    0xBE, 0xDE, 0x00, 0x03, 0x10, 0xA1, 0x21, 0xB1,
                                         0xB2, 0x33, 0xC1, 0xC2, 0xC3, 0xC4, 0x00, 0x00, 0xFF};
  EXPECT_THAT(std::vector<uint8_t>(out.begin(), out.begin() + *size), ElementsAreArray(expected));
}

TEST(RtpPacketBuilderTest, FallsBackToTwoByteFormWhenNeeded) {
  RtpPacketBuilder builder;
  builder.set_payload_type(96);
  ASSERT_TRUE(builder.SetRawExtension(1, {}));  // Zero-length: two-byte form only.
  const std::vector<uint8_t> big(17, 0x5A);     // Over 16 bytes: two-byte form only.
  ASSERT_TRUE(builder.SetRawExtension(200, big));
  std::array<uint8_t, kMaxPacketBufferSize> out{};
  auto size = builder.Build({}, out);
  ASSERT_TRUE(size.ok());
  auto packet = RtpPacket::Parse(std::span(out.data(), *size));
  ASSERT_TRUE(packet.ok()) << packet.error().ToString();
  EXPECT_EQ(packet->extension_format(), RtpPacket::ExtensionFormat::kTwoByte);
  EXPECT_TRUE(packet->FindExtension(1)->empty());
  EXPECT_EQ(Bytes(*packet->FindExtension(200)), big);
}

TEST(RtpPacketBuilderTest, RoundTripsEveryFieldAndTypedExtension) {
  RtpExtensionMap map;
  ASSERT_TRUE(map.Register<TransportSequenceNumber>(3));
  ASSERT_TRUE(map.Register<AbsoluteSendTime>(2));
  ASSERT_TRUE(map.Register<AudioLevel>(1));
  ASSERT_TRUE(map.Register<PlayoutDelay>(6));
  ASSERT_TRUE(map.Register<AbsoluteCaptureTime>(7));
  EXPECT_FALSE(map.Register<PlayoutDelay>(3));  // ID already taken.

  RtpPacketBuilder builder;
  const uint32_t csrcs[] = {0xA, 0xB, 0xC};
  ASSERT_TRUE(builder.SetCsrcs(csrcs));
  builder.set_marker(true)
      .set_payload_type(111)
      .set_sequence_number(65535)
      .set_timestamp(0xFFFFFFF0u)
      .set_ssrc(0xCAFEBABE);
  ASSERT_TRUE(builder.SetExtension<TransportSequenceNumber>(map, 0xBEEF));
  ASSERT_TRUE(builder.SetExtension<AbsoluteSendTime>(map, 0x123456));
  ASSERT_TRUE(builder.SetExtension<AudioLevel>(map, {true, 42}));
  ASSERT_TRUE(
      builder.SetExtension<PlayoutDelay>(map, {TimeDelta::Millis(100), TimeDelta::Millis(800)}));
  ASSERT_TRUE(builder.SetExtension<AbsoluteCaptureTime>(
      map, {NtpTime(0x0123456789ABCDEFull), std::nullopt}));
  ASSERT_TRUE(builder.SetExtension<TransportSequenceNumber>(map, 0xBEF0));  // Replaces.

  const std::vector<uint8_t> payload(1000, 0x42);
  std::array<uint8_t, kMaxPacketBufferSize> out{};
  auto size = builder.Build(payload, out, /*padding=*/7);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, builder.HeaderSize() + 1000 + 7);
  auto packet = RtpPacket::Parse(std::span(out.data(), *size));
  ASSERT_TRUE(packet.ok()) << packet.error().ToString();
  EXPECT_TRUE(packet->marker());
  EXPECT_EQ(packet->payload_type(), 111);
  EXPECT_EQ(packet->sequence_number(), 65535);
  EXPECT_EQ(packet->timestamp(), 0xFFFFFFF0u);
  EXPECT_EQ(packet->ssrc(), 0xCAFEBABEu);
  ASSERT_EQ(packet->csrc_count(), 3u);
  EXPECT_EQ(packet->csrc(2), 0xCu);
  EXPECT_EQ(packet->GetExtension<TransportSequenceNumber>(map), 0xBEF0);
  EXPECT_EQ(packet->GetExtension<AbsoluteSendTime>(map), 0x123456u);
  EXPECT_EQ(packet->GetExtension<AudioLevel>(map), (AudioLevel::value_type{true, 42}));
  EXPECT_EQ(packet->GetExtension<PlayoutDelay>(map),
            (PlayoutDelay::value_type{TimeDelta::Millis(100), TimeDelta::Millis(800)}));
  EXPECT_EQ(packet->GetExtension<AbsoluteCaptureTime>(map),
            (AbsoluteCaptureTime::value_type{NtpTime(0x0123456789ABCDEFull), std::nullopt}));
  EXPECT_EQ(packet->padding_size(), 7u);
  EXPECT_EQ(Bytes(packet->payload()), payload);
}

TEST(RtpHeaderExtensionsTest, AbsoluteCaptureTimeReadsTheOptionalClockOffset) {
  const uint8_t with_offset[16] = {0,    0,    0,    5,    0x80, 0, 0, 0,   // 5.5 s
                                   0xFF, 0xFF, 0xFF, 0xFF, 0xC0, 0, 0, 0};  // -0.25 s
  auto value = AbsoluteCaptureTime::Parse(with_offset);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->capture_time.ToTimeSinceEpoch(), TimeDelta::Millis(5'500));
  EXPECT_EQ(value->capture_clock_offset, -(int64_t{1} << 30));
  EXPECT_FALSE(AbsoluteCaptureTime::Parse(std::span(with_offset, 12)).has_value());
  std::array<uint8_t, 8> out{};
  EXPECT_FALSE(AbsoluteCaptureTime::Write(out, *value));  // The offset is never written.
  EXPECT_EQ(TimestampFromNtp(NtpFromTimestamp(Timestamp::Millis(123'456))),
            Timestamp::Millis(123'456));
}

TEST(RtpPacketBuilderTest, RejectsWhatTheFormatCannotCarry) {
  RtpPacketBuilder builder;
  std::array<uint8_t, 64> small{};
  const std::vector<uint8_t> payload(100, 0);
  EXPECT_EQ(testing::ErrorCodeOf(builder.Build(payload, small)), ErrorCode::kBufferTooSmall);
  EXPECT_EQ(testing::ErrorCodeOf(builder.Build({}, small, 256)), ErrorCode::kInvalidArgument);
  builder.set_payload_type(128);
  EXPECT_EQ(testing::ErrorCodeOf(builder.Build({}, small)), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(builder.SetRawExtension(0, {}));
  const std::vector<uint32_t> too_many_csrcs(16, 1);
  EXPECT_FALSE(builder.SetCsrcs(too_many_csrcs));
  EXPECT_FALSE(builder.SetExtension<AudioLevel>(1, {false, 128}));
  EXPECT_FALSE(builder.SetExtension<PlayoutDelay>(
      1, {TimeDelta::Millis(50), TimeDelta::Millis(40)}));  // min > max
}

TEST(RtpHeaderExtensionsTest, AbsoluteSendTimeIsSixPointEighteenSeconds) {
  // 1.5 s = 1.5 * 2^18 = 0x060000; the value wraps every 64 s.
  EXPECT_EQ(AbsoluteSendTime::FromTimestamp(Timestamp::Millis(1500)), 0x060000u);
  EXPECT_EQ(AbsoluteSendTime::FromTimestamp(Timestamp::Millis(65'500)), 0x060000u);
  EXPECT_EQ(AbsoluteSendTime::ToTimeDelta(0x060000), TimeDelta::Millis(1500));
}

TEST(RtpHeaderExtensionsTest, PlayoutDelayKnownBytes) {
  // min 100 ms = 10 units, max 800 ms = 80 units: 0x00A 0x050 -> 00 A0 50.
  std::array<uint8_t, 3> bytes{};
  ASSERT_TRUE(PlayoutDelay::Write(bytes, {TimeDelta::Millis(100), TimeDelta::Millis(800)}));
  EXPECT_THAT(bytes, ElementsAre(0x00, 0xA0, 0x50));
  const uint8_t wrong_size[] = {0x00, 0xA0};
  EXPECT_FALSE(PlayoutDelay::Parse(wrong_size).has_value());
}

TEST(RtpHeaderExtensionsTest, AudioLevelKnownBytes) {
  const uint8_t loud_voice[] = {0x80 | 10};
  EXPECT_EQ(AudioLevel::Parse(loud_voice), (AudioLevel::value_type{true, 10}));
  const uint8_t silence[] = {127};
  EXPECT_EQ(AudioLevel::Parse(silence), (AudioLevel::value_type{false, 127}));
}

}  // namespace
}  // namespace comodal
