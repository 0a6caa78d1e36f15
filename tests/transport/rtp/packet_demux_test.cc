#include "transport/rtp/packet_demux.h"

#include <gtest/gtest.h>

#include <vector>

namespace comodal {
namespace {

PacketKind Classify(std::vector<uint8_t> bytes) { return ClassifyPacket(bytes); }

TEST(PacketDemuxTest, Rfc7983FirstByteRanges) {
  EXPECT_EQ(Classify({0x00, 0x01}), PacketKind::kStun);  // Binding request.
  EXPECT_EQ(Classify({3}), PacketKind::kStun);
  EXPECT_EQ(Classify({16}), PacketKind::kZrtp);
  EXPECT_EQ(Classify({19}), PacketKind::kZrtp);
  EXPECT_EQ(Classify({20}), PacketKind::kDtls);              // change_cipher_spec
  EXPECT_EQ(Classify({22, 0xFE, 0xFD}), PacketKind::kDtls);  // handshake, DTLS 1.2
  EXPECT_EQ(Classify({63}), PacketKind::kDtls);
  EXPECT_EQ(Classify({64}), PacketKind::kTurnChannel);
  EXPECT_EQ(Classify({79}), PacketKind::kTurnChannel);
  for (uint8_t b : {4, 15, 80, 127, 192, 255}) EXPECT_EQ(Classify({b, 0}), PacketKind::kUnknown);
  EXPECT_EQ(Classify({}), PacketKind::kUnknown);
}

TEST(PacketDemuxTest, Rfc5761RtpOrRtcpBySecondByte) {
  EXPECT_EQ(Classify({0x80, 96}), PacketKind::kRtp);
  EXPECT_EQ(Classify({0x80, 0x80 | 96}), PacketKind::kRtp);  // Marker set.
  EXPECT_EQ(Classify({0x80, 200}), PacketKind::kRtcp);       // SR
  EXPECT_EQ(Classify({0x81, 205}), PacketKind::kRtcp);       // RTPFB
  EXPECT_EQ(Classify({0x80, 207}), PacketKind::kRtcp);       // XR
  EXPECT_EQ(Classify({0x80, 192}), PacketKind::kRtcp);
  EXPECT_EQ(Classify({0x80, 223}), PacketKind::kRtcp);
  EXPECT_EQ(Classify({0x80, 224}), PacketKind::kRtp);  // PT 96 with marker.
  EXPECT_EQ(Classify({0x80}), PacketKind::kUnknown);
}

TEST(PacketDemuxTest, MuxSafePayloadTypes) {
  EXPECT_TRUE(IsRtcpMuxSafePayloadType(96));
  EXPECT_TRUE(IsRtcpMuxSafePayloadType(111));
  EXPECT_TRUE(IsRtcpMuxSafePayloadType(0));
  EXPECT_FALSE(IsRtcpMuxSafePayloadType(72));  // Would look like RTCP SR with marker.
  EXPECT_FALSE(IsRtcpMuxSafePayloadType(128));
}

}  // namespace
}  // namespace comodal
