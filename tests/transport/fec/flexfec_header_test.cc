#include "transport/fec/flexfec_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/result_matchers.h"

#include <vector>

namespace comodal {
namespace {

using ::testing::ElementsAre;

// A repair packet: RTP header with the protected SSRCs as CSRCs, then `fec_payload`.
std::vector<uint8_t> RepairPacket(std::span<const uint32_t> protected_ssrcs,
                                  std::span<const uint8_t> fec_payload) {
  RtpPacketBuilder builder;
  builder.set_payload_type(118).set_sequence_number(1).set_ssrc(0xFEC);
  EXPECT_TRUE(builder.SetCsrcs(protected_ssrcs));
  std::vector<uint8_t> out(kMaxPacketBufferSize);
  out.resize(builder.Build(fec_payload, out).value());
  return out;
}

Result<FlexfecHeader> ParseRepair(const std::vector<uint8_t>& packet) {
  auto rtp = RtpPacket::Parse(packet);
  EXPECT_TRUE(rtp.ok());
  return FlexfecHeader::Parse(*rtp);
}

std::vector<uint8_t> Written(const FlexfecHeader& header) {
  std::vector<uint8_t> out(header.Size());
  ByteWriter writer(out);
  EXPECT_TRUE(header.Write(writer).ok());
  EXPECT_EQ(writer.size(), out.size());
  return out;
}

TEST(FlexfecHeaderTest, WritesTheRfc8627Layout) {
  FlexfecHeader header;
  header.p_x_cc_recovery = 0x25;  // P=1, CC=5.
  header.m_pt_recovery = 0xE0;
  header.length_recovery = 0x1234;
  header.timestamp_recovery = 0xDEADBEEF;
  FlexfecHeader::ProtectedStream stream;
  stream.sequence_number_base = 0xABCD;
  stream.mask.set(0).set(14);  // The first and last bit of the 15-bit mask.
  header.streams.push_back(stream);
  // k=1 (the mask ends after 15 bits), bit 0 right after it, bit 14 last.
  EXPECT_THAT(Written(header), ElementsAre(0x25, 0xE0, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF,  //
                                           0xAB, 0xCD, 0xC0, 0x01));
}

TEST(FlexfecHeaderTest, KBitsSelectTheMaskLength) {
  struct Case {
    size_t highest_bit;
    size_t mask_size;
  };
  for (const Case& c :
       {Case{0, 2}, Case{14, 2}, Case{15, 6}, Case{45, 6}, Case{46, 14}, Case{109, 14}}) {
    FlexfecHeader header;
    FlexfecHeader::ProtectedStream stream;
    stream.ssrc = 77;
    stream.sequence_number_base = 65500;
    stream.mask.set(c.highest_bit).set(0);
    header.streams.push_back(stream);
    EXPECT_EQ(FlexfecHeader::MaskSize(stream.mask), c.mask_size);
    const std::vector<uint8_t> bytes = Written(header);
    ASSERT_EQ(bytes.size(), FlexfecHeader::kBaseSize + 2 + c.mask_size);
    // The k bits: the first is set iff the mask is 2 bytes, the second iff it is 6.
    EXPECT_EQ((bytes[10] & 0x80) != 0, c.mask_size == 2);
    if (c.mask_size > 2) EXPECT_EQ((bytes[12] & 0x80) != 0, c.mask_size == 6);

    std::vector<uint8_t> payload = bytes;
    payload.insert(payload.end(), {1, 2, 3});
    const uint32_t ssrc = 77;
    const std::vector<uint8_t> packet = RepairPacket(std::span(&ssrc, 1), payload);
    auto parsed = ParseRepair(packet);  // Views `packet`.
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    ASSERT_EQ(parsed->streams.size(), 1u);
    EXPECT_EQ(parsed->streams[0], stream);
    EXPECT_TRUE(parsed->streams[0].Protects(65500));
    EXPECT_TRUE(parsed->streams[0].Protects(static_cast<uint16_t>(65500 + c.highest_bit)));
    EXPECT_THAT(std::vector<uint8_t>(parsed->repair_payload.begin(), parsed->repair_payload.end()),
                ElementsAre(1, 2, 3));
  }
}

TEST(FlexfecHeaderTest, ParsesOneMaskPerProtectedSsrc) {
  FlexfecHeader header;
  header.timestamp_recovery = 9;
  for (uint32_t i = 0; i < 3; ++i) {
    FlexfecHeader::ProtectedStream stream;
    stream.ssrc = 100 + i;
    stream.sequence_number_base = static_cast<uint16_t>(1000 * i);
    stream.mask.set(10 + 40 * i);  // Mask sizes 2, 14 and 14 bytes.
    header.streams.push_back(stream);
  }
  const uint32_t ssrcs[] = {100, 101, 102};
  auto parsed = ParseRepair(RepairPacket(ssrcs, Written(header)));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->streams, header.streams);
  EXPECT_EQ(parsed->timestamp_recovery, 9u);
  EXPECT_TRUE(parsed->repair_payload.empty());
}

TEST(FlexfecHeaderTest, RejectsVariantsItDoesNotSupport) {
  const uint32_t ssrc = 1;
  std::vector<uint8_t> payload = {0x00, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0x01};
  EXPECT_TRUE(ParseRepair(RepairPacket(std::span(&ssrc, 1), payload)).ok());
  payload[0] = 0x80;  // R=1: retransmission.
  EXPECT_EQ(testing::ErrorCodeOf(ParseRepair(RepairPacket(std::span(&ssrc, 1), payload))),
            ErrorCode::kUnsupported);
  payload[0] = 0x40;  // F=1: fixed L x D masks.
  EXPECT_EQ(testing::ErrorCodeOf(ParseRepair(RepairPacket(std::span(&ssrc, 1), payload))),
            ErrorCode::kUnsupported);
  payload[0] = 0xC0;  // Reserved.
  EXPECT_EQ(testing::ErrorCodeOf(ParseRepair(RepairPacket(std::span(&ssrc, 1), payload))),
            ErrorCode::kMalformed);
  payload[0] = 0x00;  // No CSRC: nothing protected.
  EXPECT_EQ(testing::ErrorCodeOf(ParseRepair(RepairPacket({}, payload))), ErrorCode::kMalformed);
}

TEST(FlexfecHeaderTest, RejectsEveryTruncation) {
  FlexfecHeader header;
  FlexfecHeader::ProtectedStream stream;
  stream.mask.set(100);
  header.streams.push_back(stream);
  header.streams.push_back(stream);
  const std::vector<uint8_t> bytes = Written(header);
  const uint32_t ssrcs[] = {1, 2};
  for (size_t size = 0; size < bytes.size(); ++size) {
    auto parsed = ParseRepair(RepairPacket(ssrcs, std::span(bytes.data(), size)));
    EXPECT_EQ(testing::ErrorCodeOf(parsed), ErrorCode::kTruncated) << size;
  }
  EXPECT_TRUE(ParseRepair(RepairPacket(ssrcs, bytes)).ok());
}

TEST(FlexfecHeaderTest, WriteRefusesNoStreamOrNoRoom) {
  FlexfecHeader header;
  std::vector<uint8_t> out(64);
  ByteWriter writer(out);
  EXPECT_EQ(header.Write(writer).error().code, ErrorCode::kInvalidArgument);
  header.streams.emplace_back();
  std::vector<uint8_t> small(header.Size() - 1);
  ByteWriter small_writer(small);
  EXPECT_EQ(header.Write(small_writer).error().code, ErrorCode::kBufferTooSmall);
}

TEST(FlexfecHeaderTest, XorOfAPacketTwiceCancels) {
  const std::vector<uint8_t> a = {0xB1, 0xE0, 0, 1, 0, 0, 0, 90, 0, 0, 0, 7, 1, 2, 3, 4, 5};
  const std::vector<uint8_t> b = {0x80, 0x60, 0, 2, 0, 0, 1, 0, 0, 0, 0, 7, 9};
  FlexfecHeader header;
  std::vector<uint8_t> repair;
  header.XorSourcePacket(a, repair);
  header.XorSourcePacket(b, repair);
  EXPECT_EQ(header.p_x_cc_recovery, 0x31);  // Version bits left out.
  EXPECT_EQ(header.m_pt_recovery, 0xE0 ^ 0x60);
  EXPECT_EQ(header.length_recovery, 5 ^ 1);
  EXPECT_EQ(header.timestamp_recovery, 90u ^ 256u);
  EXPECT_THAT(repair, ElementsAre(1 ^ 9, 2, 3, 4, 5));
  header.XorSourcePacket(b, repair);
  EXPECT_EQ(header.length_recovery, 5);
  EXPECT_THAT(repair, ElementsAre(1, 2, 3, 4, 5));
}

}  // namespace
}  // namespace comodal
