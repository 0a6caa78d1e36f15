#include "transport/cc/send_transport_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "transport/rtp/rtp_header_extensions.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/rtp/rtx.h"
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
  config.rtx_ssrc = 0xBADD;
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

// A retransmission leaves as RTX on the repair stream (RFC 4588 §4): the original sequence number
// first in its payload, the original restored byte for byte bar the transport-wide number. Padding
// and RTX share the stream's sequence numbers, one after the other (SRTP's replay protection
// drops a number seen twice). Flush sends what waits at once, whatever the pacing.
TEST(SendTransportControllerTest, RepairsLeaveAsRtxNumberedWithThePadding) {
  SimulatedLoop loop;
  std::vector<std::vector<uint8_t>> repair_stream;
  std::vector<std::vector<uint8_t>> media;
  SendTransportController::Config config;
  config.rtx_ssrc = 0xBADD;
  config.rtx_payload_type = 97;
  config.rtx_initial_sequence_number = 65530;  // Wraps during the test.
  SendTransportController transport(
      loop, config,
      [&](std::span<const uint8_t> datagram, Timestamp) {
        auto packet = RtpPacket::Parse(datagram);
        ASSERT_TRUE(packet.ok());
        (packet->ssrc() == 0xBADD ? repair_stream : media)
            .emplace_back(datagram.begin(), datagram.end());
      },
      nullptr);
  transport.Start();
  const std::vector<uint8_t> original = MediaPacket(0xB1DE, 4321, 900);
  transport.SendRtp(original, PacketPriority::kTeacherVideo, /*repair=*/false);
  loop.RunFor(TimeDelta::Millis(300));  // Start-up probes: padding on the repair stream.
  transport.SendRtp(original, PacketPriority::kTeacherVideo, /*repair=*/true);
  loop.RunFor(TimeDelta::Millis(300));
  ASSERT_EQ(transport.stats().rtx_packets, 1u);
  ASSERT_EQ(media.size(), 1u);

  size_t rtx_found = 0;
  for (size_t i = 0; i < repair_stream.size(); ++i) {
    auto packet = RtpPacket::Parse(repair_stream[i]);
    ASSERT_TRUE(packet.ok());
    EXPECT_EQ(packet->sequence_number(), static_cast<uint16_t>(65530 + i));
    EXPECT_EQ(packet->payload_type(), 97);
    if (packet->payload().empty()) continue;  // Padding.
    ++rtx_found;
    ASSERT_GE(packet->payload().size(), 2u);
    EXPECT_EQ(packet->payload()[0] << 8 | packet->payload()[1], 4321);
    std::array<uint8_t, kMaxPacketBufferSize> restored;
    auto size = RestoreFromRtx(repair_stream[i], 0xB1DE, 96, restored);
    ASSERT_TRUE(size.ok());
    auto back = RtpPacket::Parse(std::span<const uint8_t>(restored.data(), *size));
    ASSERT_TRUE(back.ok());
    auto first = RtpPacket::Parse(media[0]);
    EXPECT_EQ(back->sequence_number(), 4321);
    EXPECT_TRUE(std::equal(back->payload().begin(), back->payload().end(), first->payload().begin(),
                           first->payload().end()));
    EXPECT_NE(back->GetExtension<TransportSequenceNumber>(kExtensionId),
              first->GetExtension<TransportSequenceNumber>(kExtensionId));
  }
  EXPECT_EQ(rtx_found, 1u);
  EXPECT_GT(repair_stream.size(), 7u);  // Padding on both sides of 65535.

  // A burst far over the pacing rate: Flush sends all of it now.
  for (uint16_t i = 0; i < 100; ++i) {
    transport.SendRtp(MediaPacket(0xB1DE, 5000 + i, 1100), PacketPriority::kTeacherVideo, false);
  }
  EXPECT_LT(media.size(), 101u);
  EXPECT_GT(transport.stats().queued, DataSize::Zero());
  transport.Flush();
  EXPECT_EQ(media.size(), 101u);
  EXPECT_EQ(transport.stats().queued, DataSize::Zero());
}

constexpr uint32_t kStaleSsrc = 0xB1DE;
constexpr uint32_t kKeptSsrc = 0xC0DE;

// The transport's queue (what encoder pushback and the repair limit read) follows a discard at
// once, and what was discarded never reaches the wire.
TEST(SendTransportControllerTest, DiscardUpdatesQueuedAndDropsFromTheWire) {
  SimulatedLoop loop;
  struct Sent {
    uint32_t ssrc;
    uint16_t sequence;
  };
  std::vector<Sent> wire;
  SendTransportController::Config config;
  config.rtx_ssrc = 0xBADD;
  SendTransportController transport(
      loop, config,
      [&](std::span<const uint8_t> datagram, Timestamp) {
        auto packet = RtpPacket::Parse(datagram);
        ASSERT_TRUE(packet.ok());
        wire.push_back({packet->ssrc(), packet->sequence_number()});
      },
      nullptr);
  // Not started: no rate yet, so everything waits in the pacer.
  size_t stale_bytes = 0;
  size_t all_bytes = 0;
  for (uint16_t i = 0; i < 12; ++i) {
    const uint32_t ssrc = i % 3 == 0 ? kKeptSsrc : kStaleSsrc;
    std::vector<uint8_t> packet = MediaPacket(ssrc, i, 1000);
    all_bytes += packet.size();
    if (ssrc == kStaleSsrc) stale_bytes += packet.size();
    transport.SendRtp(std::move(packet), PacketPriority::kTeacherVideo, /*repair=*/false);
  }
  ASSERT_TRUE(wire.empty());
  ASSERT_EQ(transport.stats().queued, DataSize::Bytes(static_cast<int64_t>(all_bytes)));

  const size_t removed =
      transport.Discard(PacketPriority::kTeacherVideo, [](const Pacer::Packet& packet) {
        auto rtp = RtpPacket::Parse(packet.data);
        return rtp.ok() && rtp->ssrc() == kStaleSsrc;
      });

  EXPECT_EQ(removed, 8u);
  EXPECT_EQ(transport.stats().queued,
            DataSize::Bytes(static_cast<int64_t>(all_bytes - stale_bytes)));
  transport.Start();
  loop.RunFor(TimeDelta::Seconds(2));
  std::vector<uint16_t> media;
  for (const Sent& w : wire) {
    EXPECT_NE(w.ssrc, kStaleSsrc);
    if (w.ssrc == kKeptSsrc) media.push_back(w.sequence);
  }
  EXPECT_EQ(media, (std::vector<uint16_t>{0, 3, 6, 9}));
  EXPECT_EQ(transport.stats().queued, DataSize::Zero());
}

}  // namespace
}  // namespace comodal
