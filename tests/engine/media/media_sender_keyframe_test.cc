// A MediaSender with congestion control, driven in simulated time, answering a receiver's
// keyframe requests (RFC 4585 §6.3.1 PLI) and repair requests (§6.2.1 NACK): what is on the wire
// after them, packet by packet.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "engine/media/media_sender.h"
#include "engine/media/rtcp_io.h"
#include "engine/rtp/vp8_payload.h"
#include "tests/support/zone_plate.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtcp/nack.h"
#include "transport/rtcp/pli.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/time/simulated_loop.h"

namespace comodal::testing {
namespace {

using engine::MediaSender;
using engine::MediaSenderConfig;
using engine::RawVideoFrame;

constexpr double kFrameRate = 30;
constexpr TimeDelta kFrameInterval = TimeDelta::Micros(33'333);
constexpr uint32_t kReceiverSsrc = 0x5EC0FEED;

// One packet as it left the sender, parsed.
struct WirePacket {
  Timestamp at = Timestamp::MinusInfinity();
  uint32_t ssrc = 0;
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  bool keyframe_start = false;        // Video: the first packet of a VP8 keyframe.
  std::optional<uint16_t> repair_of;  // RTX: the original sequence number (RFC 4588 §4).
};

// A sender whose every datagram is recorded as it leaves, fed the zone plate at 30 frames/s
// (capture time = now) by the test, and RTCP written by the test as a receiver would.
class SenderOnWire {
 public:
  explicit SenderOnWire(MediaSenderConfig config)
      : plate_(config.video->width, config.video->height) {
    config_ = config;
    auto created = MediaSender::Create(
        loop_, std::move(config),
        [this](std::span<const uint8_t> datagram, Timestamp now) { Record(datagram, now); });
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error());
    if (created.ok()) sender_ = std::move(*created);
  }

  MediaSender& sender() { return *sender_; }
  const engine::MediaSenderStats& stats() const { return sender_->stats(); }
  SimulatedLoop& loop() { return loop_; }
  const std::vector<WirePacket>& wire() const { return wire_; }

  // One frame captured now, handed to the sender; the clock does not move.
  void SendFrame() {
    RawVideoFrame frame = plate_.Frame(frame_index_++, kFrameRate);
    frame.capture_time = loop_.Now();
    const Status sent = sender_->SendVideo(frame);
    EXPECT_TRUE(sent.ok()) << sent.error().ToString();
  }
  // `frames` frames at 30 frames/s: each sent, then a frame interval of simulated time.
  void RunFrames(int frames) {
    for (int i = 0; i < frames; ++i) {
      SendFrame();
      loop_.RunFor(kFrameInterval);
    }
  }

  void ReceivePli() {
    rtcp::Pli pli;
    pli.sender_ssrc = kReceiverSsrc;
    pli.media_ssrc = config_.video_ssrc;
    Receive(pli);
  }
  void ReceiveNack(std::vector<uint16_t> lost) {
    rtcp::Nack nack;
    nack.sender_ssrc = kReceiverSsrc;
    nack.media_ssrc = config_.video_ssrc;
    nack.lost_sequence_numbers = std::move(lost);
    Receive(nack);
  }

  // Video media packets on the wire (no FEC, no RTX).
  std::vector<WirePacket> VideoPackets() const {
    std::vector<WirePacket> video;
    for (const WirePacket& p : wire_) {
      if (p.ssrc == config_.video_ssrc) video.push_back(p);
    }
    return video;
  }
  // When the last packet of the keyframe starting with `first` left.
  std::optional<Timestamp> KeyframeEnd(const WirePacket& first) const {
    for (const WirePacket& p : wire_) {
      if (p.ssrc == config_.video_ssrc && p.timestamp == first.timestamp && p.marker) return p.at;
    }
    return std::nullopt;
  }
  bool IsVideoStream(const WirePacket& p) const {
    return p.ssrc == config_.video_ssrc || p.ssrc == config_.video_fec_ssrc ||
           (p.ssrc == config_.video_rtx_ssrc && p.repair_of.has_value());
  }

 private:
  template <typename M>
  void Receive(const M& message) {
    rtcp::RtcpCompound compound;
    compound.messages.push_back(message);
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(engine::SerializeRtcp(compound, bytes));
    sender_->OnDatagram(bytes, loop_.Now());
  }

  void Record(std::span<const uint8_t> datagram, Timestamp now) {
    auto packet = RtpPacket::Parse(datagram);
    if (!packet.ok()) return;  // RTCP.
    WirePacket p;
    p.at = now;
    p.ssrc = packet->ssrc();
    p.sequence_number = packet->sequence_number();
    p.timestamp = packet->timestamp();
    p.marker = packet->marker();
    const std::span<const uint8_t> payload = packet->payload();
    if (p.ssrc == config_.video_ssrc) {
      size_t descriptor_size = 0;
      auto descriptor = engine::Vp8PayloadDescriptor::Parse(payload, &descriptor_size);
      if (descriptor.ok() && descriptor->start_of_partition && descriptor->partition_index == 0) {
        auto header = engine::Vp8PayloadHeader::Parse(payload.subspan(descriptor_size));
        p.keyframe_start = header.ok() && header->keyframe;
      }
    } else if (p.ssrc == config_.video_rtx_ssrc && payload.size() >= 2) {
      p.repair_of = static_cast<uint16_t>(payload[0] << 8 | payload[1]);
    }
    wire_.push_back(p);
  }

  SimulatedLoop loop_;
  MediaSenderConfig config_;
  ZonePlate plate_;
  int frame_index_ = 0;
  std::unique_ptr<MediaSender> sender_;
  std::vector<WirePacket> wire_;
};

// Congestion control on (its start rate, 300 kbit/s), video only, the encoder at one rung so
// that only the keyframe logic is at work.
MediaSenderConfig KeyframeConfig() {
  MediaSenderConfig config;
  config.audio.reset();
  config.video->width = 640;
  config.video->height = 360;
  config.video->frame_rate = kFrameRate;
  config.adaptive_ladder = false;
  return config;
}

// A PLI accepted while delta frames (and a repair) still wait in the pacer: they are dropped, so
// that the keyframe it asks for is the next thing of the video stream on the wire, not queued
// behind packets the receiver can no longer decode.
TEST(MediaSenderKeyframeTest, AcceptedPliDropsTheStaleVideoWaitingInThePacer) {
  SenderOnWire s(KeyframeConfig());
  s.RunFrames(18);  // 0.6 s: the first keyframe left long ago.
  const std::vector<WirePacket> before = s.VideoPackets();
  ASSERT_FALSE(before.empty());
  ASSERT_TRUE(before.front().keyframe_start);
  const std::optional<Timestamp> first_keyframe_end = s.KeyframeEnd(before.front());
  ASSERT_TRUE(first_keyframe_end.has_value());
  // Beyond the default round trip (200 ms) plus 100 ms: the PLI is not one the first keyframe
  // already answers.
  ASSERT_GT(s.loop().Now() - *first_keyframe_end, TimeDelta::Millis(300));

  // A frame is handed over, and a repair asked for; both wait behind the pacing.
  s.SendFrame();
  s.ReceiveNack({before.back().sequence_number});
  ASSERT_EQ(s.stats().retransmissions, 1u);
  ASSERT_GT(s.sender().transport().stats().queued, DataSize::Zero());
  const size_t wire_at_pli = s.wire().size();
  for (const WirePacket& p : s.wire()) ASSERT_FALSE(p.repair_of.has_value());  // Still queued.
  const uint64_t keyframes_before = s.stats().keyframes;

  s.ReceivePli();

  EXPECT_EQ(s.stats().plis_received, 1u);
  EXPECT_EQ(s.stats().plis_ignored, 0u);
  EXPECT_GT(s.stats().video_packets_discarded, 0u);
  EXPECT_EQ(s.sender().transport().stats().queued, DataSize::Zero());  // Only video waited.
  s.SendFrame();  // The next frame is the keyframe.
  EXPECT_EQ(s.stats().keyframes, keyframes_before + 1);
  s.loop().RunFor(kFrameInterval);
  s.RunFrames(10);

  // After the PLI, the first packet of the video stream (media, FEC or repair) to leave is the
  // keyframe's first; the repair that waited never leaves.
  const std::vector<WirePacket>& wire = s.wire();
  std::optional<WirePacket> first_video;
  for (size_t i = wire_at_pli; i < wire.size(); ++i) {
    EXPECT_FALSE(wire[i].repair_of.has_value()) << "a repair left after the PLI";
    if (!first_video && s.IsVideoStream(wire[i])) first_video = wire[i];
  }
  ASSERT_TRUE(first_video.has_value());
  EXPECT_EQ(first_video->ssrc, s.sender().config().video_ssrc);
  EXPECT_TRUE(first_video->keyframe_start);
}

// A NACK after a keyframe: a packet from before the keyframe is of no use to the receiver, which
// decodes from the keyframe on, and is not resent; a packet of the keyframe is.
TEST(MediaSenderKeyframeTest, NacksFromBeforeTheNewestKeyframeAreNotAnswered) {
  SenderOnWire s(KeyframeConfig());
  s.RunFrames(18);
  const std::vector<WirePacket> before = s.VideoPackets();
  ASSERT_GE(before.size(), 3u);
  s.ReceivePli();
  ASSERT_EQ(s.stats().plis_ignored, 0u);
  s.RunFrames(12);  // The keyframe, and delta frames after it.
  const std::vector<WirePacket> video = s.VideoPackets();
  auto keyframe = std::find_if(video.begin() + static_cast<std::ptrdiff_t>(before.size()),
                               video.end(), [](const WirePacket& p) { return p.keyframe_start; });
  ASSERT_NE(keyframe, video.end());
  // Well below max_pacer_queue_for_repair (250 ms): no repair is skipped for the queue.
  ASSERT_LE(s.sender().transport().queue_time(), TimeDelta::Millis(200));
  const uint16_t old_packet = before[before.size() - 2].sequence_number;  // Sent before the PLI.
  const uint16_t keyframe_packet = keyframe->sequence_number;
  const size_t wire_at_nack = s.wire().size();

  s.ReceiveNack({old_packet, keyframe_packet});
  s.RunFrames(3);

  EXPECT_EQ(s.stats().nacks_received, 1u);
  EXPECT_EQ(s.stats().retransmissions_superseded, 1u);
  EXPECT_EQ(s.stats().retransmissions, 1u);
  std::vector<uint16_t> repaired;
  for (size_t i = wire_at_nack; i < s.wire().size(); ++i) {
    if (s.wire()[i].repair_of) repaired.push_back(*s.wire()[i].repair_of);
  }
  EXPECT_EQ(repaired, std::vector<uint16_t>{keyframe_packet});
}

// A PLI while a keyframe is still leaving the pacer, even one made longer than a round trip
// plus 100 ms ago: that keyframe is on its way, and a second one would only queue behind it.
// Nothing is dropped and no keyframe made.
TEST(MediaSenderKeyframeTest, PliWhileAKeyframeIsStillInThePacerIsIgnored) {
  MediaSenderConfig config = KeyframeConfig();
  // A larger picture: at 300 kbit/s its first keyframe takes some 700 ms to leave.
  config.video->width = 960;
  config.video->height = 540;
  SenderOnWire s(config);
  const Timestamp keyframe_made = s.loop().Now();
  s.RunFrames(12);
  ASSERT_EQ(s.stats().keyframes, 1u);
  // Beyond the default round trip (200 ms, none measured yet) plus 100 ms.
  ASSERT_GT(s.loop().Now() - keyframe_made, TimeDelta::Millis(300));
  const std::vector<WirePacket> video = s.VideoPackets();
  ASSERT_FALSE(video.empty());
  ASSERT_TRUE(video.front().keyframe_start);
  ASSERT_FALSE(s.KeyframeEnd(video.front()).has_value()) << "the keyframe already left";

  s.ReceivePli();

  EXPECT_EQ(s.stats().plis_received, 1u);
  EXPECT_EQ(s.stats().plis_ignored, 1u);
  EXPECT_EQ(s.stats().video_packets_discarded, 0u);
  s.RunFrames(18);  // 1 s in all.
  EXPECT_EQ(s.stats().keyframes, 1u);
  EXPECT_TRUE(s.KeyframeEnd(video.front()).has_value());  // All of it left.
  const std::vector<WirePacket> after = s.VideoPackets();
  EXPECT_EQ(std::count_if(after.begin(), after.end(),
                          [](const WirePacket& p) { return p.keyframe_start; }),
            1);
}

// With congestion control the receiver asks for what it lacks: the encoder makes no keyframe
// unasked (each crosses a GEO link late, a stall). At a fixed rate, or when told to, the
// encoder's interval stands, for receivers that may never ask.
TEST(MediaSenderKeyframeTest, WithCongestionControlKeyframesComeOnlyWhenAsked) {
  auto keyframes_in_3s = [](bool congestion_control, bool only_on_request) {
    MediaSenderConfig config = KeyframeConfig();
    config.video->width = 320;
    config.video->height = 180;
    config.video->max_keyframe_interval = TimeDelta::Seconds(1);
    config.congestion_control = congestion_control;
    config.keyframes_only_on_request = only_on_request;
    SenderOnWire s(config);
    s.RunFrames(90);
    return s.stats().keyframes;
  };
  EXPECT_EQ(keyframes_in_3s(true, true), 1u);
  EXPECT_EQ(keyframes_in_3s(true, false), 3u);
  EXPECT_EQ(keyframes_in_3s(false, true), 3u);
}

}  // namespace
}  // namespace comodal::testing
