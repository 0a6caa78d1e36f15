#include "transport/rtp/rtp_rtcp_demuxer.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace comodal {
namespace {

TEST(RtpRtcpDemuxerTest, ParsesRtpAndRtcpAndPassesOthersThrough) {
  RtpRtcpDemuxer demuxer;
  const Timestamp now = Timestamp::Seconds(1);

  RtpPacketBuilder builder;
  builder.set_payload_type(111).set_sequence_number(7).set_ssrc(9);
  std::array<uint8_t, 64> rtp{};
  const size_t rtp_size = builder.Build({}, rtp).value();
  auto demuxed = demuxer.Demux(std::span(rtp.data(), rtp_size), now);
  ASSERT_TRUE(demuxed.has_value());
  EXPECT_EQ(demuxed->kind, PacketKind::kRtp);
  ASSERT_TRUE(std::holds_alternative<RtpPacket>(demuxed->parsed));
  EXPECT_EQ(std::get<RtpPacket>(demuxed->parsed).sequence_number(), 7);

  const std::vector<uint8_t> rr = {0x80, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05};
  demuxed = demuxer.Demux(rr, now);
  ASSERT_TRUE(demuxed.has_value());
  EXPECT_EQ(demuxed->kind, PacketKind::kRtcp);
  EXPECT_NE(std::get<rtcp::RtcpCompound>(demuxed->parsed).Find<rtcp::ReceiverReport>(), nullptr);

  const std::vector<uint8_t> dtls = {22, 0xFE, 0xFD, 0, 0};
  demuxed = demuxer.Demux(dtls, now);
  ASSERT_TRUE(demuxed.has_value());
  EXPECT_EQ(demuxed->kind, PacketKind::kDtls);
  EXPECT_EQ(demuxed->raw.size(), dtls.size());
  EXPECT_EQ(demuxer.total_drops(), 0u);
}

TEST(RtpRtcpDemuxerTest, DropsAndCountsMalformedInput) {
  RtpRtcpDemuxer demuxer;
  const Timestamp now = Timestamp::Seconds(1);
  const std::vector<uint8_t> short_rtp = {0x80, 0x60, 0x00};
  const std::vector<uint8_t> bad_rtcp = {0x80, 0xC8, 0x00, 0x09};  // Length past the end.
  const std::vector<uint8_t> garbage = {0xFF, 0x00};
  EXPECT_FALSE(demuxer.Demux(short_rtp, now).has_value());
  EXPECT_FALSE(demuxer.Demux(bad_rtcp, now).has_value());
  EXPECT_FALSE(demuxer.Demux(bad_rtcp, now).has_value());
  EXPECT_FALSE(demuxer.Demux(garbage, now).has_value());
  EXPECT_EQ(demuxer.rtp_drops().count(ErrorCode::kTruncated), 1u);
  EXPECT_EQ(demuxer.rtcp_drops().count(ErrorCode::kTruncated), 2u);
  EXPECT_EQ(demuxer.unknown_drops().count(ErrorCode::kUnsupported), 1u);
  EXPECT_EQ(demuxer.total_drops(), 4u);
}

}  // namespace
}  // namespace comodal
