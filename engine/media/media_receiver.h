#ifndef ENGINE_MEDIA_MEDIA_RECEIVER_H_
#define ENGINE_MEDIA_MEDIA_RECEIVER_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "engine/audio/audio_jitter_buffer.h"
#include "engine/codec/audio_frame.h"
#include "engine/codec/opus_audio_decoder.h"
#include "engine/codec/video_frame.h"
#include "engine/codec/vpx_decoder.h"
#include "engine/media/freeze_detector.h"
#include "engine/media/media_constants.h"
#include "engine/media/media_sender.h"
#include "engine/sync/stream_synchronizer.h"
#include "engine/timing/video_render_timing.h"
#include "engine/video/video_frame_buffer.h"
#include "engine/video/video_packet_buffer.h"
#include "engine/video/video_reference_finder.h"
#include "transport/base/latency_histogram.h"
#include "transport/cc/transport_feedback_sender.h"
#include "transport/fec/fec_receiver.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtp/nack_requester.h"
#include "transport/rtp/receive_statistics.h"
#include "transport/rtp/red.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/rtp/rtp_to_ntp_estimator.h"
#include "transport/time/task_scheduler.h"

namespace comodal::engine {

// Decoded audio handed to the sink when it should be heard, and decoded pictures when they
// should be shown.
using AudioRenderer = std::function<void(const AudioFrame& audio, Timestamp play_time)>;
using VideoRenderer = std::function<void(const RawVideoFrame& picture, Timestamp render_time)>;

struct MediaReceiverConfig {
  uint32_t ssrc = 0x5EC0FEED;  // Of the receiver's own RTCP.
  std::string cname = "comodal-receiver";
  AudioJitterBufferConfig audio_jitter;
  VideoRenderTiming::Config video_timing;
  VideoFrameBuffer::Config video_frames;
  TimeDelta rtcp_interval = TimeDelta::Seconds(1);
  // NACK for video while the round trip (learnt through RFC 3611 RRTR/DLRR) is at most this.
  // On GEO a retransmission comes after its frame's render time, but it still repairs the
  // reference chain a round trip after the loss, sooner than the large keyframe a PLI brings
  // (which also queues behind the stream). The frames it unblocks are decoded at once; of those
  // already past their render time only the newest is shown, so the picture freezes for about a
  // round trip and resumes live.
  bool nack = true;
  TimeDelta nack_max_rtt = TimeDelta::Millis(1000);
  // With NACK on, frames wait this much beyond one RTT for a repair before a keyframe is asked
  // for.
  TimeDelta keyframe_request_margin = TimeDelta::Millis(150);
  // Where frames do not wait for retransmissions (a long round trip: GEO), when this many
  // packets are missing at once, a keyframe is asked for at once and they are no longer: a
  // keyframe (some 15-20 packets below 1 Mbit/s) then costs less than their repairs, and
  // arrives sooner than the repairs of repairs that a burst loss on a full queue needs (a
  // capacity drop, the end of an outage). On a short round trip the repairs come in time.
  size_t keyframe_instead_of_nack_packets = 20;
  // Where a retransmission comes back within `max_video_repair_delay` (LEO, terrestrial), video
  // frames are held a round trip plus `video_repair_margin` beyond the jitter cover, so that a
  // lost packet repaired by NACK is shown on time rather than freezing the picture (libwebrtc
  // adds the RTT to its video delay when NACK is on, for the same reason). On GEO the round
  // trip is far above it: FEC repairs there, and frames are not held for a retransmission.
  TimeDelta max_video_repair_delay = TimeDelta::Millis(150);
  TimeDelta video_repair_margin = TimeDelta::Millis(20);
  // There, frames are also held as late as the repairs of the last 30 s came (a burst loss at a
  // LEO handover is repaired a burst plus a round trip later), up to this.
  TimeDelta max_video_repair_wait = TimeDelta::Millis(250);
  // Where retransmissions come too late, frames are held as late as the FEC recoveries of the
  // last 30 s came, up to this: a Reed-Solomon group's first frame waits for the group's last
  // (up to 100 ms of media) and its repair packets.
  TimeDelta max_video_fec_wait = TimeDelta::Millis(300);
  NackRequester::Config nack_config;
  bool lip_sync = true;
};

struct MediaReceiverStats {
  uint64_t packets_received = 0;   // RTP datagrams: media, repairs, FEC and padding.
  uint64_t bytes_received = 0;     // RTP and RTCP datagrams.
  uint64_t packets_malformed = 0;  // Datagrams or payloads rejected.
  uint64_t packets_unknown_payload_type = 0;
  uint64_t padding_packets = 0;    // Probe padding (an RTX payload type, no payload).
  uint64_t rtx_packets = 0;        // Video retransmissions (RTX) restored.
  uint64_t fec_packets = 0;        // Video FEC repair packets received.
  uint64_t packets_recovered = 0;  // Video packets rebuilt from them.
  uint64_t rtcp_received = 0;
  uint64_t rtcp_sent = 0;
  uint64_t bytes_sent = 0;
  // Audio.
  uint64_t audio_packets = 0;
  uint64_t audio_samples_played = 0;     // Decoded, rebuilt from FEC or concealed (per channel).
  uint64_t audio_samples_concealed = 0;  // Packet loss concealment (or stretching).
  uint64_t audio_samples_fec = 0;        // Rebuilt from the next packet's in-band FEC.
  double audio_concealed_ratio() const {
    return audio_samples_played == 0 ? 0.0
                                     : static_cast<double>(audio_samples_concealed) /
                                           static_cast<double>(audio_samples_played);
  }
  TimeDelta audio_jitter_buffer_target = TimeDelta::Zero();
  AudioJitterBuffer::Stats audio_jitter_buffer_stats;
  LatencyHistogram audio_jitter_buffer_delay;  // What the buffer held at each playout.
  LatencyHistogram audio_latency;              // Play time - capture time (same clock only).
  // Video.
  uint64_t video_packets = 0;
  uint64_t video_frames_assembled = 0;
  uint64_t video_frames_decoded = 0;
  uint64_t video_frames_rendered = 0;
  // Decoded past their render time together with a newer picture (after a repair): not shown.
  uint64_t video_frames_superseded = 0;
  // Decoded past their render time and the newest picture there was: shown at once.
  uint64_t video_frames_shown_late = 0;
  uint64_t video_decode_errors = 0;
  uint64_t video_frames_unresolved = 0;  // Their references never became known.
  uint64_t video_frames_skipped = 0;     // Undecodable, passed over for a later frame.
  uint64_t video_keyframes_decoded = 0;
  uint64_t plis_sent = 0;
  uint64_t transport_feedbacks_sent = 0;
  uint64_t nacks_sent = 0;
  uint64_t nack_sequence_numbers_sent = 0;
  // Times the missing packets were too many to repair: a keyframe was asked for instead.
  uint64_t nack_lists_given_up = 0;
  uint64_t freezes = 0;
  TimeDelta longest_frame_gap = TimeDelta::Zero();
  TimeDelta total_freeze_duration = TimeDelta::Zero();
  TimeDelta video_render_delay = TimeDelta::Zero();
  LatencyHistogram video_latency;  // Render time - capture time (same clock only).
  uint64_t byes_received = 0;      // That ended a stream (a copy of one taken is not counted).
  // Streams started afresh for a new sender behind the same SSRC: after a BYE, or a restart
  // the sender did not announce (see MediaReceiver).
  uint64_t streams_restarted = 0;
  uint64_t repairs_after_bye = 0;  // Late repairs of a video stream that had ended, dropped.
  std::optional<TimeDelta> rtt;    // RFC 3611 §4.5, from the sender's DLRR.
  // Lip sync: video playout delay minus audio playout delay (positive: video later).
  std::optional<TimeDelta> av_sync_offset;
};

// The receiving half of a media session: RTP and RTCP of one sender's audio and video on one
// transport come in through OnDatagram; audio is played through the jitter buffer every frame
// duration, video frames are assembled, decoded as soon as decodable and rendered at their
// render time. The receiver sends RTCP receiver reports, NACKs for missing video packets and a
// PLI when no decodable frame is coming; symmetric RTP (RFC 4961) is the transport's job: the
// SendDatagram given here should answer to where the media came from. Streams are recognised by
// payload type (Opus 111, VP8 96, VP9 98); the first SSRC seen for each is the one played.
//
// A sender may restart (a new process with the same configured SSRCs, whose sequence numbers,
// timestamps and picture IDs start over) while the receiver runs. Its stream is started afresh,
// decoding from the next keyframe: after the old sender's BYE (RFC 3550 §6.3.7), and without a
// BYE when its sequence numbers jump by RFC 3550 §A.1's MAX_DROPOUT and the next packet follows
// on, or when its SR maps RTP time onto NTP time far from the stream's mapping.
class MediaReceiver {
 public:
  MediaReceiver(TaskScheduler& scheduler, MediaReceiverConfig config, SendDatagram send_feedback,
                AudioRenderer audio_renderer, VideoRenderer video_renderer);
  ~MediaReceiver();
  MediaReceiver(const MediaReceiver&) = delete;
  MediaReceiver& operator=(const MediaReceiver&) = delete;

  void OnDatagram(std::span<const uint8_t> datagram, Timestamp arrival);

  const MediaReceiverStats& stats() const { return stats_; }

 private:
  // RFC 3550 §A.1: a packet NackRequester::kMaxDropout or more sequence numbers away from the
  // stream's newest is held; when the next packet follows it, the sender restarted, and the held
  // packet is the new stream's first.
  class SequenceJump {
   public:
    enum class Verdict : uint8_t { kInStream, kHeld, kRestart };
    Verdict OnPacket(const RtpPacket& packet, Timestamp arrival);
    std::vector<uint8_t> held;
    Timestamp held_arrival = Timestamp::MinusInfinity();

   private:
    std::optional<uint16_t> newest_;
    std::optional<uint16_t> confirming_;  // The sequence number that would confirm a restart.
  };
  struct AudioStream {
    AudioStream() : ntp(kOpusRtpClockRate) {}
    uint32_t ssrc = 0;
    std::unique_ptr<OpusAudioDecoder> decoder;
    std::unique_ptr<AudioJitterBuffer> jitter_buffer;
    std::unique_ptr<StreamReceiveStatistics> statistics;
    RtpToNtpEstimator ntp;
    std::map<uint32_t, Timestamp> capture_times;  // By RTP timestamp, recent packets only.
    TaskHandle playout;
    std::optional<StreamSynchronizer::Playout> last_played;
    bool ended = false;  // BYE received: play out what is buffered, then stop.
    SequenceJump jump;
    Timestamp next_playout = Timestamp::MinusInfinity();  // When the next playout is due.
  };
  struct VideoStream {
    VideoStream() : ntp(kVideoRtpClockRate) {}
    uint32_t ssrc = 0;
    VideoCodec codec = VideoCodec::kVp8;
    std::unique_ptr<VpxDecoder> decoder;
    std::unique_ptr<StreamReceiveStatistics> statistics;
    RtpToNtpEstimator ntp;
    std::optional<StreamSynchronizer::Playout> last_rendered;
    bool ended = false;  // BYE received: the next packet is a new sender's.
    // The newest sender report: its media time, and when it arrived.
    std::optional<uint32_t> sender_report_rtp;
    Timestamp sender_report_arrival = Timestamp::MinusInfinity();
    // When the stream's end shows, from its BYE: the frames still buffered then count toward
    // freezes until this time, and the picture is judged at it.
    Timestamp ends_at = Timestamp::PlusInfinity();
    bool end_judged = false;
    TaskHandle end_judgement;
    SequenceJump jump;
    // Pictures waiting for their render time hold this weakly: a restart drops them.
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  };

  void OnRtp(const RtpPacket& packet, Timestamp arrival);
  // An Opus packet, or the primary frame of a RED packet with the copies of earlier frames it
  // carries (RFC 2198).
  void OnAudioPacket(const RtpPacket& packet, std::span<const uint8_t> payload,
                     std::span<const RedBlock> redundant, Timestamp arrival);
  void OnRedPacket(const RtpPacket& packet, Timestamp arrival);
  void OnVideoPacket(const RtpPacket& packet, VideoCodec codec, Timestamp arrival);
  void OnVideoFecPacket(const RtpPacket& packet, Timestamp arrival);
  // A retransmission (RFC 4588), restored into the video path. Not given to the FEC receiver:
  // its transport-wide number is the retransmission's, so its bytes are not those the repair
  // packets were computed over.
  void OnVideoRtxPacket(const RtpPacket& packet, Timestamp arrival);
  // A repair (restored or rebuilt) that arrives after the video stream's BYE is for the stream
  // that ended, not the first packet of a new one: dropped and counted.
  bool IsRepairAfterBye();
  // The ended video stream's picture, from its last frame shown to `ends_at`: a stall until then
  // was a freeze. Once per stream.
  void JudgeVideoEnd();
  // Video packets FEC rebuilt: into the video path as if received.
  void OnRecovered(const std::vector<std::vector<uint8_t>>& packets, Timestamp arrival);
  void OnRtcp(const rtcp::RtcpCompound& compound, Timestamp arrival);
  // Forget a stream's sender: its next packet starts the stream afresh.
  void RestartAudio();
  void RestartVideo();
  // Transport-wide sequence numbers are the sender's: a new sender starts them over.
  void RestartTransportFeedback();
  // Passes `packet` through its stream's SequenceJump: true when it was held, or confirmed a
  // restart (then `restart` forgot the stream and the two packets started it afresh).
  bool HeldOrRestarted(SequenceJump& jump, void (MediaReceiver::*restart)(),
                       const RtpPacket& packet, Timestamp arrival);
  void SendPli(uint32_t media_ssrc, Timestamp now);
  TimeDelta PlayAudio();
  void DecodeVideo(Timestamp now);
  void CopyFreezeStats();
  // `planned`: the render time the frame was due at, which is what lip sync compares with the
  // audio (a frame shown a little late after a repair says nothing about the render delay);
  // minus infinity for a frame that does not count for lip sync.
  void Render(const RawVideoFrame& picture, uint32_t rtp_timestamp, Timestamp render_time,
              Timestamp planned);
  bool NackAllowed() const;
  // How long video frames wait for a retransmission (see max_video_repair_delay); nullopt: not
  // at all, the round trip is too long (or NACK is off).
  std::optional<TimeDelta> VideoRepairDelay() const;
  // How long a missing video packet waits before its first NACK (see the definition).
  void UpdateFirstNackDelay();
  void OnTransportSequenceNumber(const RtpPacket& packet, Timestamp arrival);
  void UpdateKeyframeRequestDelay();
  void ArmNackTimer();
  void SendNacks();
  TimeDelta SendReports();
  void SendFeedback(rtcp::RtcpCompound compound);
  rtcp::ReceiverReport MakeReceiverReport(Timestamp now);
  void UpdateLipSync();

  TaskScheduler& scheduler_;
  MediaReceiverConfig config_;
  SendDatagram send_;
  AudioRenderer audio_renderer_;
  VideoRenderer video_renderer_;
  std::optional<AudioStream> audio_;
  std::optional<VideoStream> video_;
  // The video's FlexFEC: made for the first repair stream seen.
  FlexfecReceiver::Config video_fec_config_;
  std::unique_ptr<FlexfecReceiver> video_fec_;
  std::unique_ptr<VideoPacketBuffer> video_packets_;
  VideoReferenceFinder reference_finder_;
  VideoFrameBuffer frame_buffer_;
  VideoRenderTiming render_timing_;
  SeqNumUnwrapper<uint16_t> video_sequence_;
  int64_t highest_video_sequence_ = std::numeric_limits<int64_t>::min();
  NackRequester nack_;
  TaskHandle nack_timer_;
  Timestamp nack_timer_at_ = Timestamp::PlusInfinity();
  TaskHandle video_tick_;
  FreezeDetector freezes_;
  StreamSynchronizer synchronizer_;
  TaskHandle reports_;
  // Transport-wide feedback (from the first packet that carries the sequence number).
  TransportFeedbackSender feedback_;
  // Of the streams before the last video restart.
  uint64_t video_frames_unresolved_before_ = 0;
  uint64_t video_frames_skipped_before_ = 0;
  bool fec_recovery_ = false;  // While a packet FEC rebuilt goes through the video path.
  MediaReceiverStats stats_;
};

}  // namespace comodal::engine

#endif  // ENGINE_MEDIA_MEDIA_RECEIVER_H_
