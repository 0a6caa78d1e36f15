// MediaSender with the adaptive encoding ladder: at the congestion controller's start rate the
// video's share picks a lower frame rate (input frames decimated) and, for a large camera
// picture, a smaller size (input frames scaled before the encoder). In simulated time, before
// any feedback: the target is the start rate throughout.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "engine/media/media_sender.h"
#include "engine/rtp/vp8_payload.h"
#include "tests/support/zone_plate.h"
#include "transport/rtp/packet_demux.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/time/simulated_loop.h"

namespace comodal::testing {
namespace {

using engine::MediaSender;
using engine::MediaSenderConfig;
using engine::RawVideoFrame;

constexpr double kFrameRate = 30;
constexpr int kFrames = 30;  // One second: well before a feedback timeout would move the rate.

struct LadderRun {
  engine::MediaSenderStats stats;
  int encoder_width = 0;
  int encoder_height = 0;
  double encoder_frame_rate = 0;
  // The coded size of the keyframes on the wire (from the VP8 keyframe header, RFC 6386 §9.2).
  std::vector<std::pair<int, int>> keyframe_sizes;
  // Distinct RTP timestamps of the video packets: one per encoded frame.
  std::set<uint32_t> frame_timestamps;
};

MediaSenderConfig LadderConfig(int width, int height) {
  MediaSenderConfig config;  // Congestion control on, audio on, start rate 300 kbit/s.
  config.video->width = width;
  config.video->height = height;
  config.video->frame_rate = kFrameRate;
  return config;
}

// Feeds one second of the camera's frames (the configured size, 30 frames/s) and no audio.
LadderRun FeedOneSecond(const MediaSenderConfig& config) {
  SimulatedLoop loop;
  LadderRun run;
  const uint32_t video_ssrc = config.video_ssrc;
  auto created =
      MediaSender::Create(loop, config, [&](std::span<const uint8_t> datagram, Timestamp) {
        if (ClassifyPacket(datagram) != PacketKind::kRtp) return;
        auto packet = RtpPacket::Parse(datagram);
        if (!packet.ok() || packet->ssrc() != video_ssrc) return;
        run.frame_timestamps.insert(packet->timestamp());
        size_t descriptor_size = 0;
        auto descriptor = engine::Vp8PayloadDescriptor::Parse(packet->payload(), &descriptor_size);
        if (!descriptor.ok() || !descriptor->start_of_partition ||
            descriptor->partition_index != 0) {
          return;
        }
        auto header = engine::Vp8PayloadHeader::Parse(packet->payload().subspan(descriptor_size));
        if (header.ok() && header->keyframe)
          run.keyframe_sizes.emplace_back(header->width, header->height);
      });
  EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error());
  if (!created.ok()) return run;
  MediaSender& sender = **created;
  const ZonePlate plate(config.video->width, config.video->height);
  for (int f = 0; f < kFrames; ++f) {
    loop.PostDelayedTask(TimeDelta::Micros(std::llround(f * 1e6 / kFrameRate)), [&, f] {
      RawVideoFrame picture = plate.Frame(f, kFrameRate);
      picture.capture_time = loop.Now();
      const Status sent = sender.SendVideo(picture);
      EXPECT_TRUE(sent.ok()) << sent.error().ToString();
    });
  }
  loop.RunFor(TimeDelta::Seconds(1));
  run.stats = sender.stats();
  run.encoder_width = sender.video_encoder()->config().width;
  run.encoder_height = sender.video_encoder()->config().height;
  run.encoder_frame_rate = sender.video_encoder()->config().frame_rate;
  return run;
}

// 640x360 at 30 frames/s needs some 415 kbit/s on the ladder; the video's share of 300 kbit/s
// (some 240 kbit/s after the audio) buys 640x360 at 15: every other input frame is left out,
// evenly, and the encoder runs at 15 frames/s.
TEST(MediaSenderLadderTest, AtTheStartRateTheFrameRateIsLoweredAndFramesDecimated) {
  const LadderRun r = FeedOneSecond(LadderConfig(640, 360));
  EXPECT_EQ(r.stats.target_rate, DataRate::KilobitsPerSec(300));
  EXPECT_LT(r.stats.video_frame_rate, kFrameRate);
  EXPECT_DOUBLE_EQ(r.stats.video_frame_rate, 15);
  EXPECT_DOUBLE_EQ(r.encoder_frame_rate, 15);
  EXPECT_EQ(r.stats.video_width, 640);  // The frame rate goes first; the size stays.
  EXPECT_EQ(r.encoder_width, 640);
  EXPECT_GE(r.stats.ladder_changes, 1u);
  EXPECT_EQ(r.stats.video_frames_in, static_cast<uint64_t>(kFrames));
  EXPECT_EQ(r.stats.video_frames_decimated, static_cast<uint64_t>(kFrames / 2));
  // What was not decimated was offered to the encoder; at most 15 frames reached the wire.
  EXPECT_LE(r.frame_timestamps.size(), static_cast<size_t>(kFrames / 2));
  EXPECT_GT(r.frame_timestamps.size(), 0u);
}

// A 1280x720 camera at 300 kbit/s: the ladder goes down to a smaller size (640x360 at 15 frames/s
// meets the rate, 960x540 does not). The camera's frames are scaled to it: the encoder is
// configured at the rung's size, and the keyframe on the wire is coded at it.
TEST(MediaSenderLadderTest, ARungOfSmallerSizeScalesTheFramesBeforeTheEncoder) {
  const LadderRun r = FeedOneSecond(LadderConfig(1280, 720));
  EXPECT_EQ(r.encoder_width, 640);
  EXPECT_EQ(r.encoder_height, 360);
  EXPECT_EQ(r.stats.video_width, 640);
  EXPECT_EQ(r.stats.video_height, 360);
  EXPECT_LT(r.stats.video_frame_rate, kFrameRate);
  EXPECT_GT(r.stats.video_frames_decimated, 0u);
  EXPECT_GT(r.stats.video_frames_encoded, 0u);
  ASSERT_FALSE(r.keyframe_sizes.empty());
  for (const auto& [width, height] : r.keyframe_sizes) {
    EXPECT_EQ(width, 640);
    EXPECT_EQ(height, 360);
  }
}

// Without the ladder the encoder keeps the camera's frame rate and size whatever the rate:
// nothing decimated, nothing scaled.
TEST(MediaSenderLadderTest, WithoutTheLadderNothingIsDecimatedOrScaled) {
  MediaSenderConfig config = LadderConfig(1280, 720);
  config.adaptive_ladder = false;
  const LadderRun r = FeedOneSecond(config);
  EXPECT_EQ(r.stats.target_rate, DataRate::KilobitsPerSec(300));
  EXPECT_EQ(r.stats.video_frames_decimated, 0u);
  EXPECT_EQ(r.stats.ladder_changes, 0u);
  EXPECT_DOUBLE_EQ(r.stats.video_frame_rate, kFrameRate);
  EXPECT_EQ(r.encoder_width, 1280);
  EXPECT_EQ(r.encoder_height, 720);
  ASSERT_FALSE(r.keyframe_sizes.empty());
  EXPECT_EQ(r.keyframe_sizes.front(), std::make_pair(1280, 720));
}

// With a start rate the top rung meets, the ladder stays at the top: the decimation is the
// rate's doing, not the ladder's mere presence.
TEST(MediaSenderLadderTest, AtARateTheTopRungMeetsNothingIsDecimated) {
  MediaSenderConfig config = LadderConfig(640, 360);
  config.congestion.start_rate = DataRate::KilobitsPerSec(800);
  const LadderRun r = FeedOneSecond(config);
  EXPECT_EQ(r.stats.video_frames_decimated, 0u);
  EXPECT_DOUBLE_EQ(r.stats.video_frame_rate, kFrameRate);
  EXPECT_EQ(r.encoder_width, 640);
}

}  // namespace
}  // namespace comodal::testing
