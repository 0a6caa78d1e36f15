#include "transport/cc/send_transport_controller.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "transport/rtp/rtp_header_extensions.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/time/simulated_loop.h"

namespace comodal {
namespace {

constexpr uint8_t kExtensionId = 2;

std::vector<uint8_t> MediaPacket(uint32_t ssrc, uint16_t sequence, size_t payload) {
  RtpPacketBuilder builder;
  builder.set_ssrc(ssrc).set_payload_type(96).set_sequence_number(sequence).set_timestamp(1);
  builder.SetExtension<TransportSequenceNumber>(kExtensionId, 0);
  std::vector<uint8_t> data(payload, 0xAB);
  std::array<uint8_t, kMaxPacketBufferSize> buffer;
  auto size = builder.Build(data, buffer);
  EXPECT_TRUE(size.ok());
  return {buffer.begin(), buffer.begin() + *size};
}

struct Wire {
  uint32_t ssrc;
  uint16_t transport_sequence;
  size_t padding;
  Timestamp at;
};

// Every packet, media or probe padding, leaves with the next transport-wide sequence number, in
// the order it leaves; audio is not held behind video; padding fills the start-up probes.
TEST(SendTransportControllerTest, NumbersPacketsInWireOrderAndPadsProbes) {
  SimulatedLoop loop;
  std::vector<Wire> wire;
  std::vector<NetworkControlUpdate> updates;
  SendTransportController::Config config;
  config.padding_ssrc = 0xBADD;
  SendTransportController transport(
      loop, config,
      [&](std::span<const uint8_t> datagram, Timestamp now) {
        auto packet = RtpPacket::Parse(datagram);
        ASSERT_TRUE(packet.ok());
        auto sequence = packet->GetExtension<TransportSequenceNumber>(kExtensionId);
        ASSERT_TRUE(sequence.has_value());
        wire.push_back({packet->ssrc(), *sequence, packet->padding_size(), now});
      },
      [&](const NetworkControlUpdate& update) { updates.push_back(update); });
  transport.Start();
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(updates.front().changed, RateChangeReason::kStart);
  EXPECT_EQ(updates.front().probes.size(), 2u);
  // A burst of video, then an audio packet behind it.
  for (uint16_t i = 0; i < 30; ++i) {
    transport.SendRtp(MediaPacket(0xB1DE, i, 1100), PacketPriority::kTeacherVideo, false);
  }
  transport.SendRtp(MediaPacket(0xA0D1, 7, 80), PacketPriority::kAudio, false);
  loop.RunFor(TimeDelta::Seconds(1));

  ASSERT_GT(wire.size(), 31u);
  for (size_t i = 0; i < wire.size(); ++i) {
    EXPECT_EQ(wire[i].transport_sequence, static_cast<uint16_t>(i + 1));
  }
  // The audio packet left before most of the video burst.
  size_t audio_index = 0;
  for (size_t i = 0; i < wire.size(); ++i) {
    if (wire[i].ssrc == 0xA0D1) audio_index = i;
  }
  EXPECT_LT(audio_index, 10u);
  size_t padding_packets = 0;
  for (const Wire& w : wire) {
    if (w.ssrc == 0xBADD) {
      ++padding_packets;
      EXPECT_GT(w.padding, 0u);
    }
  }
  EXPECT_GT(padding_packets, 10u);
  EXPECT_EQ(transport.stats().padding_packets, padding_packets);
}

// A fixed rate: packets leave the moment they are handed over, and no probes are sent.
TEST(SendTransportControllerTest, FixedRateSendsAtOnceWithoutProbes) {
  SimulatedLoop loop;
  std::vector<Wire> wire;
  SendTransportController::Config config;
  config.adaptive = false;
  SendTransportController transport(
      loop, config,
      [&](std::span<const uint8_t> datagram, Timestamp now) {
        auto packet = RtpPacket::Parse(datagram);
        ASSERT_TRUE(packet.ok());
        wire.push_back({packet->ssrc(), 0, packet->padding_size(), now});
      },
      nullptr);
  transport.Start();
  for (uint16_t i = 0; i < 30; ++i) {
    transport.SendRtp(MediaPacket(0xB1DE, i, 1100), PacketPriority::kTeacherVideo, false);
  }
  EXPECT_EQ(wire.size(), 30u);
  loop.RunFor(TimeDelta::Seconds(2));
  EXPECT_EQ(wire.size(), 30u);
  EXPECT_EQ(transport.stats().padding_packets, 0u);
}

}  // namespace
}  // namespace comodal
