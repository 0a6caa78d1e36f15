// A site's MediaReceiver runs for the whole lesson while the hub's sender restarts: a new
// MediaSender with the same configuration (same SSRCs, and the same first sequence numbers, RTP
// timestamps and picture IDs, which the sender derives from them), in simulated time over a
// 20 ms link each way.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "engine/media/media_constants.h"
#include "engine/media/media_receiver.h"
#include "engine/media/media_sender.h"
#include "tests/support/test_audio.h"
#include "tests/support/zone_plate.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtcp/sender_report.h"
#include "transport/rtp/packet_demux.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/rtp/rtx.h"
#include "transport/time/simulated_loop.h"

namespace comodal::testing {
namespace {

using engine::AudioFrame;
using engine::MediaReceiver;
using engine::MediaSender;
using engine::RawVideoFrame;

constexpr TimeDelta kOneWay = TimeDelta::Millis(20);
constexpr double kFrameRate = 30;
constexpr TimeDelta kAudioFrame = TimeDelta::Millis(20);

// One sender process: it captures from `start` for `duration`, then says BYE (`bye`) or
// vanishes without a word (a crash, a power cut).
struct SenderRun {
  TimeDelta start;
  TimeDelta duration;
  bool bye = true;
  // 100 ms after the BYE, a retransmission (RTX) of its last video packet arrives: a repair the
  // sender sent before its BYE, delayed on the path.
  bool repair_after_bye = false;
  // The camera stops this long after the start while the sender goes on (audio only) until its
  // end: a picture that stalls before the stream ends.
  std::optional<TimeDelta> video_for = std::nullopt;
};

// What the receiver made of each sender's media, told apart by capture time.
struct RunResult {
  engine::MediaReceiverStats receiver;
  std::vector<engine::MediaSenderStats> senders;
  std::vector<int> frames_captured;  // Per sender.
  std::vector<int> frames_rendered;
  std::vector<int64_t> audio_samples_played;  // Decoded from the sender's packets.
  // The first picture of each sender shown, relative to its start.
  std::vector<std::optional<TimeDelta>> first_render;
};

class RestartingSenders {
 public:
  engine::MediaReceiverConfig receiver_config;
  // The link loses the first datagram that carries a BYE.
  bool lose_first_bye = false;

  // `drop_sender_reports`: the link loses every SR, so that only the RTP itself can tell a
  // restart.
  RunResult Run(const std::vector<SenderRun>& runs, TimeDelta total,
                bool drop_sender_reports = false) {
    const Timestamp start = loop_.Now();
    RunResult result;
    result.senders.resize(runs.size());
    result.frames_captured.assign(runs.size(), 0);
    result.frames_rendered.assign(runs.size(), 0);
    result.audio_samples_played.assign(runs.size(), 0);
    result.first_render.assign(runs.size(), std::nullopt);
    senders_.resize(runs.size());
    // Which sender captured at `at`.
    auto sender_of = [&](Timestamp at) -> std::optional<size_t> {
      for (size_t i = 0; i < runs.size(); ++i) {
        if (at >= start + runs[i].start && at < start + runs[i].start + runs[i].duration) return i;
      }
      return std::nullopt;
    };
    receiver_ = std::make_unique<MediaReceiver>(
        loop_, receiver_config,
        [&](std::span<const uint8_t> datagram, Timestamp) {
          // Feedback goes to whichever sender runs when it arrives.
          loop_.PostDelayedTask(kOneWay, [&, bytes = Bytes(datagram)] {
            for (auto& sender : senders_) {
              if (sender) sender->OnDatagram(bytes, loop_.Now());
            }
          });
        },
        [&](const AudioFrame& audio, Timestamp) {
          if (!audio.capture_time.IsFinite()) return;
          if (auto i = sender_of(audio.capture_time)) {
            result.audio_samples_played[*i] += audio.samples_per_channel();
          }
        },
        [&](const RawVideoFrame& picture, Timestamp render_time) {
          if (!picture.capture_time.IsFinite()) return;
          if (auto i = sender_of(picture.capture_time)) {
            ++result.frames_rendered[*i];
            if (!result.first_render[*i]) {
              result.first_render[*i] = render_time - (start + runs[*i].start);
            }
          }
        });
    auto speech = std::make_shared<std::vector<int16_t>>(
        SyntheticSpeech(48'000, static_cast<int>(total / kAudioFrame) * 960, 7));
    auto plate = std::make_shared<ZonePlate>(kWidth, kHeight);
    for (size_t i = 0; i < runs.size(); ++i) {
      const SenderRun run = runs[i];
      loop_.PostDelayedTask(run.start, [&, i, drop_sender_reports] {
        auto created = MediaSender::Create(
            loop_, SenderConfig(), [&, drop_sender_reports](std::span<const uint8_t> d, Timestamp) {
              if (drop_sender_reports && CarriesSenderReport(d)) return;
              if (lose_first_bye && CarriesBye(d)) {
                lose_first_bye = false;
                return;
              }
              if (IsVideo(d)) last_video_ = Bytes(d);
              loop_.PostDelayedTask(
                  kOneWay, [&, bytes = Bytes(d)] { receiver_->OnDatagram(bytes, loop_.Now()); });
            });
        ASSERT_TRUE(created.ok()) << created.error();
        senders_[i] = std::move(*created);
      });
      const auto frames = static_cast<int>(
          std::floor(run.video_for.value_or(run.duration).seconds_f() * kFrameRate));
      result.frames_captured[i] = frames;
      for (int f = 0; f < frames; ++f) {
        const TimeDelta at = run.start + TimeDelta::Micros(std::llround(f * 1e6 / kFrameRate));
        loop_.PostDelayedTask(at, [&, i, f, plate, capture = start + at] {
          RawVideoFrame picture = plate->Frame(f, kFrameRate);
          picture.capture_time = capture;
          (void)senders_[i]->SendVideo(picture);
        });
      }
      for (int64_t a = 0; a < run.duration / kAudioFrame; ++a) {
        const TimeDelta at = run.start + kAudioFrame * a;
        loop_.PostDelayedTask(at, [&, i, speech, capture = start + at] {
          AudioFrame audio;
          audio.capture_time = capture;
          const auto begin = speech->begin() + (capture - start) / kAudioFrame * 960;
          audio.samples.assign(begin, begin + 960);
          (void)senders_[i]->SendAudio(audio);
        });
      }
      loop_.PostDelayedTask(run.start + run.duration, [&, i, run] {
        if (run.bye) senders_[i]->Stop();
        if (run.repair_after_bye) {
          std::vector<uint8_t> rtx(kMaxPacketBufferSize);
          auto size = BuildRtxPacket(last_video_, engine::MediaSenderConfig{}.video_rtx_ssrc,
                                     engine::kVp8RtxPayloadType, 1, rtx);
          ASSERT_TRUE(size.ok());
          rtx.resize(*size);
          loop_.PostDelayedTask(TimeDelta::Millis(100),
                                [&, rtx] { receiver_->OnDatagram(rtx, loop_.Now()); });
        }
        result.senders[i] = senders_[i]->stats();
        senders_[i].reset();
      });
    }
    loop_.RunFor(total);
    result.receiver = receiver_->stats();
    receiver_.reset();
    return result;
  }

 private:
  static constexpr int kWidth = 160;
  static constexpr int kHeight = 96;

  static engine::MediaSenderConfig SenderConfig() {
    engine::MediaSenderConfig config;
    config.video->width = kWidth;
    config.video->height = kHeight;
    config.video->frame_rate = kFrameRate;
    config.video->target_bitrate = DataRate::KilobitsPerSec(200);
    // The receiver at a fixed rate; congestion control has its own tests.
    config.congestion_control = false;
    return config;
  }
  static std::vector<uint8_t> Bytes(std::span<const uint8_t> datagram) {
    return {datagram.begin(), datagram.end()};
  }
  static bool IsVideo(std::span<const uint8_t> datagram) {
    if (ClassifyPacket(datagram) != PacketKind::kRtp) return false;
    auto packet = RtpPacket::Parse(datagram);
    return packet.ok() && packet->payload_type() == engine::kVp8PayloadType;
  }
  static bool CarriesBye(std::span<const uint8_t> datagram) {
    if (ClassifyPacket(datagram) != PacketKind::kRtcp) return false;
    auto compound = rtcp::RtcpCompound::Parse(datagram);
    return compound.ok() &&
           std::any_of(compound->messages.begin(), compound->messages.end(),
                       [](const auto& m) { return std::holds_alternative<rtcp::Bye>(m); });
  }
  static bool CarriesSenderReport(std::span<const uint8_t> datagram) {
    if (ClassifyPacket(datagram) != PacketKind::kRtcp) return false;
    auto compound = rtcp::RtcpCompound::Parse(datagram);
    if (!compound.ok()) return false;
    for (const rtcp::RtcpMessage& message : compound->messages) {
      if (std::holds_alternative<rtcp::SenderReport>(message)) return true;
    }
    return false;
  }

  SimulatedLoop loop_;
  std::vector<std::unique_ptr<MediaSender>> senders_;
  std::unique_ptr<MediaReceiver> receiver_;
  std::vector<uint8_t> last_video_;
};

TEST(MediaReceiverTest, ASenderRestartedAfterItsByeIsDecodedFromItsFirstFrame) {
  // Two runs of 3 s: the second's sequence numbers, timestamps and picture IDs are the first's
  // all over again.
  const RunResult r = RestartingSenders().Run({{TimeDelta::Zero(), TimeDelta::Seconds(3)},
                                               {TimeDelta::Millis(3500), TimeDelta::Seconds(3)}},
                                              TimeDelta::Seconds(8));
  ASSERT_EQ(r.senders.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    // Every picture of each, the first shown within 100 ms of its start.
    EXPECT_EQ(r.frames_rendered[i], static_cast<int>(r.senders[i].video_frames_encoded));
    ASSERT_TRUE(r.first_render[i].has_value());
    EXPECT_LT(*r.first_render[i], TimeDelta::Millis(100));
    // Its speech, bar the jitter buffer's start.
    EXPECT_GE(r.audio_samples_played[i], static_cast<int64_t>(r.senders[i].audio_frames_encoded -
                                                              r.senders[i].audio_frames_dtx - 5) *
                                             960);
  }
  EXPECT_EQ(r.receiver.video_frames_decoded,
            r.senders[0].video_frames_encoded + r.senders[1].video_frames_encoded);
  EXPECT_EQ(r.receiver.video_keyframes_decoded, 2u);
  EXPECT_EQ(r.receiver.video_decode_errors, 0u);
  EXPECT_EQ(r.receiver.plis_sent, 0u);  // The new sender starts with a keyframe anyway.
  EXPECT_EQ(r.receiver.byes_received, 2u);
  EXPECT_EQ(r.receiver.streams_restarted, 2u);  // Audio and video, once.
  EXPECT_EQ(r.receiver.freezes, 0u);            // The pause between the two is no freeze.
  // Lip sync measured on the second sender's timeline, not across the two.
  ASSERT_TRUE(r.receiver.av_sync_offset.has_value());
  EXPECT_LE(r.receiver.av_sync_offset->Abs(), TimeDelta::Millis(45));
}

// A receiver that holds frames long (a GEO render delay, here 400 ms) still has the stream's
// last frames waiting when the BYE comes: they show after it, and the picture up to the end is
// no freeze. The stream's end shows when the media time the sender stopped at (its last sender
// report, sent with the BYE) does.
TEST(MediaReceiverTest, FramesStillHeldAtTheByeShowAndAreNoFreeze) {
  RestartingSenders senders;
  senders.receiver_config.video_timing.min_delay = TimeDelta::Millis(400);
  const RunResult r =
      senders.Run({{TimeDelta::Zero(), TimeDelta::Seconds(3)}}, TimeDelta::Seconds(5));
  EXPECT_EQ(r.frames_rendered[0], static_cast<int>(r.senders[0].video_frames_encoded));
  EXPECT_EQ(r.receiver.byes_received, 1u);
  EXPECT_EQ(r.receiver.freezes, 0u);
}

// The sender's BYE goes twice: with one copy lost the stream still ends, once, and the receiver
// does not play the sender's silence as concealed audio until the run's end.
TEST(MediaReceiverTest, AByeLostOnceStillEndsTheStream) {
  RestartingSenders senders;
  senders.lose_first_bye = true;
  const RunResult r =
      senders.Run({{TimeDelta::Zero(), TimeDelta::Seconds(3)}}, TimeDelta::Seconds(5));
  EXPECT_EQ(r.receiver.byes_received, 1u);
  EXPECT_LT(r.receiver.audio_samples_concealed, 5u * 960);
  EXPECT_EQ(r.receiver.freezes, 0u);
}

// A picture that stalls before the sender stops (the camera gone a second before the BYE) is a
// freeze, held frames or not.
TEST(MediaReceiverTest, APictureStalledUntilTheByeIsAFreeze) {
  RestartingSenders senders;
  senders.receiver_config.video_timing.min_delay = TimeDelta::Millis(400);
  const RunResult r = senders.Run({{.start = TimeDelta::Zero(),
                                    .duration = TimeDelta::Seconds(3),
                                    .video_for = TimeDelta::Seconds(2)}},
                                  TimeDelta::Seconds(5));
  EXPECT_EQ(r.frames_rendered[0], static_cast<int>(r.senders[0].video_frames_encoded));
  EXPECT_EQ(r.receiver.byes_received, 1u);
  EXPECT_EQ(r.receiver.freezes, 1u);
  EXPECT_GE(r.receiver.longest_frame_gap, TimeDelta::Millis(950));
}

// A repair of the ended stream that arrives after its BYE is no new sender: it is dropped, and
// the stream restarts once, when the new sender's first packet comes.
TEST(MediaReceiverTest, ARepairAfterTheByeIsNoNewSender) {
  const RunResult r = RestartingSenders().Run(
      {{TimeDelta::Zero(), TimeDelta::Seconds(3), /*bye=*/true, /*repair_after_bye=*/true},
       {TimeDelta::Millis(3500), TimeDelta::Seconds(3)}},
      TimeDelta::Seconds(8));
  ASSERT_EQ(r.senders.size(), 2u);
  EXPECT_EQ(r.receiver.repairs_after_bye, 1u);
  EXPECT_EQ(r.receiver.rtx_packets, 0u);
  EXPECT_EQ(r.receiver.streams_restarted, 2u);  // Audio and video, once, for the new sender.
  ASSERT_TRUE(r.first_render[1].has_value());
  EXPECT_LT(*r.first_render[1], TimeDelta::Millis(100));
  EXPECT_EQ(r.frames_rendered[1], static_cast<int>(r.senders[1].video_frames_encoded));
  EXPECT_EQ(r.receiver.video_decode_errors, 0u);
}

// A sender that vanished without a BYE and came back: its first SR maps RTP time onto NTP time
// seconds away from the old sender's mapping. The receiver starts afresh and asks for a
// keyframe.
TEST(MediaReceiverTest, ASenderRestartedWithoutByeIsDecodedAfterItsFirstSenderReport) {
  const RunResult r =
      RestartingSenders().Run({{TimeDelta::Zero(), TimeDelta::Seconds(3), /*bye=*/false},
                               {TimeDelta::Millis(3500), TimeDelta::Seconds(4)}},
                              TimeDelta::Seconds(9));
  ASSERT_EQ(r.senders.size(), 2u);
  EXPECT_EQ(r.frames_rendered[0], static_cast<int>(r.senders[0].video_frames_encoded));
  // The first SR comes a second after the start, the keyframe a PLI's round trip later; from
  // there on every picture is shown. (Without the restart, nothing the new sender sends is
  // shown for 3 s: its picture IDs trail the old sender's by that much.)
  ASSERT_TRUE(r.first_render[1].has_value());
  EXPECT_LT(*r.first_render[1], TimeDelta::Seconds(2));
  EXPECT_GE(r.frames_rendered[1],
            static_cast<int>(r.senders[1].video_frames_encoded) - static_cast<int>(2 * kFrameRate));
  EXPECT_GE(r.receiver.plis_sent, 1u);
  EXPECT_GE(r.receiver.streams_restarted, 2u);
  // The second sender's speech is heard from its first SR on.
  EXPECT_GE(r.audio_samples_played[1], int64_t{48'000} * 5 / 2);
  EXPECT_EQ(r.receiver.byes_received, 1u);
}

// The same without any SR (lost, or a sender that sends none): the sequence numbers tell, once
// they jump by RFC 3550's MAX_DROPOUT and the next packet follows on. A first run of 110 s
// sends over 3000 packets of each stream, so that the new sender's first numbers are that far
// behind.
TEST(MediaReceiverTest, ASenderRestartedWithoutByeIsToldByItsSequenceNumbers) {
  const RunResult r =
      RestartingSenders().Run({{TimeDelta::Zero(), TimeDelta::Seconds(110), /*bye=*/false},
                               {TimeDelta::Millis(110'500), TimeDelta::Seconds(3)}},
                              TimeDelta::Seconds(114), /*drop_sender_reports=*/true);
  ASSERT_EQ(r.senders.size(), 2u);
  ASSERT_GT(r.senders[0].packets_sent, 6000u);
  EXPECT_EQ(r.receiver.streams_restarted, 2u);
  // The first packet, held until the second confirms the restart, starts the new stream: every
  // picture is shown, the first within 100 ms.
  ASSERT_TRUE(r.first_render[1].has_value());
  EXPECT_LT(*r.first_render[1], TimeDelta::Millis(100));
  EXPECT_EQ(r.frames_rendered[1], static_cast<int>(r.senders[1].video_frames_encoded));
  EXPECT_EQ(r.receiver.plis_sent, 0u);
  EXPECT_GE(r.audio_samples_played[1], int64_t{48'000} * 5 / 2);
}

}  // namespace
}  // namespace comodal::testing
