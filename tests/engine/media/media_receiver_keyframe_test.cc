// A MediaReceiver that loses a run of video packets: a few are asked for again (NACK), too many
// are given up for a keyframe asked for at once (PLI), in simulated time over a GEO-like link
// (300 ms each way: frames do not wait for repairs, and a keyframe asked for a round trip plus the
// margin after the loss would come well over a second after it).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "engine/media/media_constants.h"
#include "engine/media/media_receiver.h"
#include "engine/media/media_sender.h"
#include "tests/support/zone_plate.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtcp/nack.h"
#include "transport/rtcp/pli.h"
#include "transport/rtp/packet_demux.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/time/simulated_loop.h"

namespace comodal::testing {
namespace {

using engine::MediaReceiver;
using engine::MediaSender;
using engine::RawVideoFrame;

constexpr TimeDelta kOneWay = TimeDelta::Millis(300);
constexpr double kFrameRate = 30;
// When the receiver has learnt the round trip (the sender's DLRR answers its RRTR after some
// 2.3 s), the link starts losing.
constexpr TimeDelta kLossAt = TimeDelta::Seconds(3);
constexpr TimeDelta kDuration = TimeDelta::Seconds(5);
// MediaReceiver's video tick: the longest a keyframe request waits to be sent.
constexpr TimeDelta kVideoTick = TimeDelta::Millis(50);

struct LossRun {
  engine::MediaReceiverStats receiver;
  engine::MediaSenderStats sender;
  std::vector<uint16_t> dropped;             // Video sequence numbers the link lost.
  std::optional<Timestamp> first_after_gap;  // Arrival of the first video packet after them.
  std::vector<Timestamp> plis;               // When the receiver sent each PLI.
  std::multiset<uint16_t> nacked;            // Every sequence number in the receiver's NACKs.
  std::optional<Timestamp> first_nack;
};

// A fixed-rate sender (no FEC: only NACK and PLI repair) at 320x180, 300 kbit/s, in small
// packets (120-byte payloads, some ten a frame) so that a run of lost packets spans only a few
// frames. At kLossAt the link loses the next `lost` video packets in a row.
LossRun RunWithBurstLoss(size_t lost, engine::MediaReceiverConfig receiver_config = {}) {
  SimulatedLoop loop;
  const Timestamp start = loop.Now();
  LossRun run;
  std::unique_ptr<MediaSender> sender;
  engine::MediaSenderConfig config;
  config.audio.reset();
  config.video->width = 320;
  config.video->height = 180;
  config.video->frame_rate = kFrameRate;
  config.video->target_bitrate = DataRate::KilobitsPerSec(300);
  config.congestion_control = false;
  config.video_fec = false;
  config.max_video_payload_size = 120;
  const uint32_t video_ssrc = config.video_ssrc;
  MediaReceiver receiver(
      loop, receiver_config,
      [&](std::span<const uint8_t> datagram, Timestamp now) {
        if (auto compound = rtcp::RtcpCompound::Parse(datagram); compound.ok()) {
          for (const rtcp::RtcpMessage& message : compound->messages) {
            if (std::holds_alternative<rtcp::Pli>(message)) run.plis.push_back(now);
            if (const auto* nack = std::get_if<rtcp::Nack>(&message)) {
              if (!run.first_nack) run.first_nack = now;
              run.nacked.insert(nack->lost_sequence_numbers.begin(),
                                nack->lost_sequence_numbers.end());
            }
          }
        }
        loop.PostDelayedTask(kOneWay,
                             [&, bytes = std::vector<uint8_t>(datagram.begin(), datagram.end())] {
                               sender->OnDatagram(bytes, loop.Now());
                             });
      },
      nullptr, nullptr);
  auto created =
      MediaSender::Create(loop, config, [&](std::span<const uint8_t> datagram, Timestamp now) {
        bool video = false;
        uint16_t sequence_number = 0;
        if (ClassifyPacket(datagram) == PacketKind::kRtp) {
          auto packet = RtpPacket::Parse(datagram);
          video = packet.ok() && packet->ssrc() == video_ssrc;
          if (video) sequence_number = packet->sequence_number();
        }
        const bool losing = now >= start + kLossAt && run.dropped.size() < lost;
        if (video && losing) {
          run.dropped.push_back(sequence_number);
          return;
        }
        const bool after_gap = video && run.dropped.size() == lost && lost > 0;
        loop.PostDelayedTask(
            kOneWay,
            [&, after_gap, bytes = std::vector<uint8_t>(datagram.begin(), datagram.end())] {
              if (after_gap && !run.first_after_gap) run.first_after_gap = loop.Now();
              receiver.OnDatagram(bytes, loop.Now());
            });
      });
  EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error());
  if (!created.ok()) return run;
  sender = std::move(*created);
  const ZonePlate plate(config.video->width, config.video->height);
  const auto frames = static_cast<int>(kDuration.seconds_f() * kFrameRate);
  for (int f = 0; f < frames; ++f) {
    loop.PostDelayedTask(TimeDelta::Micros(std::llround(f * 1e6 / kFrameRate)), [&, f] {
      RawVideoFrame picture = plate.Frame(f, kFrameRate);
      picture.capture_time = loop.Now();
      EXPECT_TRUE(sender->SendVideo(picture).ok());
    });
  }
  loop.RunFor(kDuration);
  run.receiver = receiver.stats();
  run.sender = sender->stats();
  sender.reset();
  return run;
}

// 25 video packets lost in a row (more than the default 20): the receiver asks for a keyframe
// as the gap shows, not a round trip plus the margin later, and asks for none of the packets.
// The keyframe arrives and is decoded.
TEST(MediaReceiverKeyframeTest, ManyMissingPacketsAskForAKeyframeAtOnceInsteadOfNacks) {
  const LossRun r = RunWithBurstLoss(25);
  ASSERT_EQ(r.dropped.size(), 25u);
  ASSERT_TRUE(r.first_after_gap.has_value());
  ASSERT_TRUE(r.receiver.rtt.has_value()) << "the loss should come once the RTT is known";
  EXPECT_EQ(r.receiver.nack_lists_given_up, 1u);
  ASSERT_EQ(r.plis.size(), 1u);
  EXPECT_GE(r.plis.front(), *r.first_after_gap);
  EXPECT_LE(r.plis.front() - *r.first_after_gap, kVideoTick);
  for (uint16_t seq : r.dropped) EXPECT_EQ(r.nacked.count(seq), 0u) << seq;
  EXPECT_EQ(r.receiver.nacks_sent, 0u);
  EXPECT_EQ(r.sender.retransmissions, 0u);
  EXPECT_EQ(r.sender.plis_received, 1u);
  EXPECT_EQ(r.receiver.video_keyframes_decoded, 2u);  // The first, and the one asked for.
}

// 10 lost (fewer than 20): repairs, no keyframe. Each lost packet is asked for and resent.
TEST(MediaReceiverKeyframeTest, AFewMissingPacketsAreNackedWithoutAKeyframeRequest) {
  const LossRun r = RunWithBurstLoss(10);
  ASSERT_EQ(r.dropped.size(), 10u);
  ASSERT_TRUE(r.receiver.rtt.has_value());
  EXPECT_EQ(r.receiver.nack_lists_given_up, 0u);
  EXPECT_TRUE(r.plis.empty());
  for (uint16_t seq : r.dropped) EXPECT_GE(r.nacked.count(seq), 1u) << seq;
  EXPECT_GE(r.sender.retransmissions, 10u);
  EXPECT_EQ(r.receiver.video_keyframes_decoded, 1u);
}

// The threshold is the configuration's: the same 10 lost packets are too many at 8.
TEST(MediaReceiverKeyframeTest, TheThresholdIsConfigurable) {
  engine::MediaReceiverConfig config;
  config.keyframe_instead_of_nack_packets = 8;
  const LossRun r = RunWithBurstLoss(10, config);
  ASSERT_EQ(r.dropped.size(), 10u);
  ASSERT_TRUE(r.first_after_gap.has_value());
  EXPECT_EQ(r.receiver.nack_lists_given_up, 1u);
  ASSERT_EQ(r.plis.size(), 1u);
  EXPECT_LE(r.plis.front() - *r.first_after_gap, kVideoTick);
  for (uint16_t seq : r.dropped) EXPECT_EQ(r.nacked.count(seq), 0u) << seq;
}

}  // namespace
}  // namespace comodal::testing
