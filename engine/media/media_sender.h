#ifndef ENGINE_MEDIA_MEDIA_SENDER_H_
#define ENGINE_MEDIA_MEDIA_SENDER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "engine/codec/audio_frame.h"
#include "engine/codec/opus_audio_encoder.h"
#include "engine/codec/video_frame.h"
#include "engine/codec/vpx_encoder.h"
#include "engine/rtp/vp8_payload.h"
#include "engine/rtp/vp9_payload.h"
#include "engine/video/encoding_ladder.h"
#include "transport/base/result.h"
#include "transport/cc/send_transport_controller.h"
#include "transport/fec/fec_encoder.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtp/red.h"
#include "transport/rtp/rtp_packet_history.h"
#include "transport/time/task_scheduler.h"

namespace comodal::engine {

// Hands a datagram to the transport (a UDP socket, an emulated link).
using SendDatagram = std::function<void(std::span<const uint8_t> datagram, Timestamp now)>;

struct MediaSenderConfig {
  std::optional<OpusEncoderConfig> audio = OpusEncoderConfig{};  // nullopt: no audio stream.
  std::optional<VpxEncoderConfig> video = VpxEncoderConfig{};    // nullopt: no video stream.
  uint32_t audio_ssrc = 0x0A0D1001;
  uint32_t video_ssrc = 0x0B1DE001;
  std::string cname = "comodal";
  // Mixed into the streams' initial sequence numbers and RTP timestamps (RFC 3550 §5.1): fixed
  // in simulations, so that a seed replays a run; `comodal send` draws one per process.
  uint32_t rtp_start_seed = 0;
  size_t max_video_payload_size = kDefaultVideoMaxPayloadSize;
  // Capture times in the abs-capture-time extension on the first packet of each frame.
  bool send_capture_time = true;
  // A transport-wide sequence number on every packet, for the receiver's feedback.
  bool send_transport_sequence_numbers = true;
  // Congestion control (transport/cc): every packet leaves through one pacer and the encoders
  // follow the controller's target. Off, the video encoder keeps its configured bitrate and
  // packets leave as soon as they are made, as a plain RTP pipeline sends them.
  bool congestion_control = true;
  // Its max_rate is set from the video encoder's bitrate (the top of the ladder) plus audio.
  CongestionController::Config congestion;
  PacketPriority video_priority = PacketPriority::kTeacherVideo;
  // The video repair stream (RTX, RFC 4588 §4): retransmissions, and the probe padding.
  uint32_t video_rtx_ssrc = 0x0B1DE002;
  // Below this the video stops and audio keeps the link (DESIGN.md principle 2); it comes back
  // above `video_resume_share` times it, so that it does not flap at the edge.
  DataRate min_video_rate = DataRate::KilobitsPerSec(50);
  double video_resume_share = 1.5;
  // The adaptive encoding ladder (engine/video/encoding_ladder.h), with congestion control: the
  // video's share of the target picks the frame rate, then the picture size; frames from the
  // source, which come at the video encoder's configured size and frame rate (the top rung),
  // are decimated and scaled down to the rung. The ladder's size and frame rate are taken from
  // `video`; its other settings from here. Off, the encoder only follows the bitrate.
  bool adaptive_ladder = true;
  EncodingLadderConfig ladder;
  // With congestion control the receiver gives feedback and asks for a keyframe (PLI) when it
  // lacks one, so the encoder makes none unasked, as WebRTC senders do: an unasked keyframe
  // (about 20 kB at 800 kbit/s) crosses a 1 Mbit/s GEO link some 200 ms after its render time,
  // a stall each time. At a fixed rate, whatever receiver listens may never ask: the video
  // encoder's max_keyframe_interval stands.
  bool keyframes_only_on_request = true;
  TimeDelta rtcp_interval = TimeDelta::Seconds(1);
  // Retransmit packets a NACK asks for (RFC 4585 §6.2.1) from this much history.
  bool retransmit_on_nack = true;
  TimeDelta history = TimeDelta::Seconds(2);
  // Above this round trip a retransmission goes out twice, `second_copy_spacing` apart. If the
  // one repair is lost too, asking again costs another round trip: at a GEO RTT that is over
  // 1.2 s of frozen picture, against a few percent more repair bytes for the copy. The spacing
  // keeps the two copies out of one short loss burst.
  TimeDelta second_copy_above_rtt = TimeDelta::Millis(300);
  TimeDelta second_copy_spacing = TimeDelta::Millis(40);
  // With congestion control, when what waits in the pacer would take longer than this to leave,
  // the next video frame is not encoded (encoder pushback): after a capacity drop the encoder
  // made frames for a rate the path no longer has, and every frame more lengthens the queue.
  TimeDelta max_pacer_queue_for_video = TimeDelta::Millis(150);
  // Retransmissions are skipped when the pacer holds more than this (they would arrive late and
  // crowd out newer packets), and second copies unless the controller is at ease.
  TimeDelta max_pacer_queue_for_repair = TimeDelta::Millis(250);
  // FlexFEC for the video (RFC 8627) on its own SSRC, sized from the measured loss: a repair
  // that arrives with the frame, where a retransmission costs a round trip (DESIGN.md
  // principle 3). Keyframes, which every later frame needs, get more.
  bool video_fec = true;
  uint32_t video_fec_ssrc = 0x0B1DE003;
  // Repair packets per media packet: `fec_loss_multiple` times the loss, plus `fec_base`, up to
  // `max_fec_rate`; keyframes twice that (up to `max_key_fec_rate`).
  double fec_loss_multiple = 3;
  double fec_base = 0.02;
  double max_fec_rate = 0.5;
  double max_key_fec_rate = 0.8;
  // The repair is Reed-Solomon, sized from the loss (FlexfecSender::Config::
  // reed_solomon_payload_type); off, FlexFEC's XOR parity, which on GEO leaves a freeze each time
  // a group loses two packets (9 a minute at 2 % loss in `comodal bench cc`).
  bool video_fec_reed_solomon = true;
  // Redundant audio (RED, RFC 2198): each packet also carries copies of the previous one or two
  // frames, so that a frame lost in its own packet plays from the next one at full quality (Opus
  // in-band FEC, LBRR, is a coarser copy of only the previous frame). Chosen from the loss the
  // receiver reports: one copy from `audio_red_one_block_loss`, two from
  // `audio_red_two_blocks_loss` (then two packets in a row may be lost); the receiver waits a
  // frame longer for each copy it needs. `audio_red` false: never.
  bool audio_red = true;
  double audio_red_one_block_loss = 0.01;
  double audio_red_two_blocks_loss = 0.05;
};

// What a sender of this configuration sends at most, the top of its ladder: the video encoder's
// bitrate over the share of the target its payload gets, plus the audio with its headers.
DataRate LadderTop(const MediaSenderConfig& config);
// The video encoder bitrate that puts the top of the ladder at `top`.
DataRate VideoBitrateForLadderTop(const MediaSenderConfig& config, DataRate top);

struct MediaSenderStats {
  // RTP datagrams that left: media, retransmissions, FEC repair packets and probe padding.
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;  // RTP and RTCP datagrams.
  uint64_t rtcp_sent = 0;
  uint64_t audio_frames_encoded = 0;
  uint64_t audio_frames_dtx = 0;  // Silent frames (DTX): the first of each pause is sent.
  uint64_t video_frames_in = 0;
  uint64_t video_frames_encoded = 0;
  uint64_t video_frames_dropped = 0;      // By the rate control.
  uint64_t video_frames_pushed_back = 0;  // Not encoded: the pacer's queue was too long.
  uint64_t keyframes = 0;
  uint64_t nacks_received = 0;
  uint64_t retransmissions = 0;          // Packets resent for a NACK (second copies not included).
  uint64_t retransmission_copies = 0;    // Second copies sent at a long round trip.
  uint64_t retransmissions_skipped = 0;  // Asked for while the pacer's queue was too long.
  // Asked for, but from before the newest keyframe: not resent.
  uint64_t retransmissions_superseded = 0;
  uint64_t plis_received = 0;
  uint64_t plis_ignored = 0;  // A keyframe was sent less than a round trip before.
  // Video, repair and FEC packets dropped from the pacer when a PLI made them useless.
  uint64_t video_packets_discarded = 0;
  uint64_t rtcp_received = 0;
  uint64_t rtcp_malformed = 0;
  std::optional<TimeDelta> rtt;  // From the receiver's report blocks (RFC 3550 §6.4.1).
  // Transport-wide feedback: messages, and the packets they reported received and lost.
  uint64_t transport_feedbacks = 0;
  uint64_t feedback_packets_received = 0;
  uint64_t feedback_packets_lost = 0;
  double reported_fraction_lost = 0;
  // Congestion control: the target, the video encoder's share of it, and why it last changed.
  DataRate target_rate = DataRate::Zero();
  DataRate video_target = DataRate::Zero();
  uint64_t rate_changes = 0;
  std::optional<RateChangeReason> last_rate_reason;
  bool video_paused = false;
  uint64_t video_pauses = 0;
  uint64_t video_frames_paused = 0;  // Not encoded while the video gave way to audio.
  // The encoding ladder: the rung the encoder is at, how often and why it last changed, and the
  // input frames left out to bring the source's frame rate down to the rung's.
  int video_width = 0;
  int video_height = 0;
  double video_frame_rate = 0;
  uint64_t ladder_changes = 0;
  std::optional<LadderReason> last_ladder_reason;
  uint64_t video_frames_decimated = 0;
  uint64_t padding_packets = 0;
  uint64_t padding_bytes = 0;
  uint64_t fec_packets = 0;
  uint64_t fec_bytes = 0;
  double fec_rate = 0;             // Repair packets per delta-frame media packet, as last set.
  double fec_loss = 0;             // The path loss the video FEC was last sized for.
  uint64_t audio_red_packets = 0;  // Audio packets sent in the RED format.
  uint64_t audio_red_blocks = 0;   // Redundant copies they carried.
  size_t audio_red_distance = 0;   // Copies per packet, as last set.
};

// The sending half of a media session: one Opus stream and one VP8/VP9 stream on one transport
// (bundle). Frames go in with their capture time, are encoded, packetized and sent at once;
// RTCP from the receiver (reports, NACK, PLI) comes back in through OnDatagram. Sender reports
// (with the NTP<->RTP pair that receivers synchronise the streams by) go out every
// `rtcp_interval`. Runs on one TaskScheduler; never blocks.
class MediaSender {
 public:
  static Result<std::unique_ptr<MediaSender>, std::string> Create(TaskScheduler& scheduler,
                                                                  MediaSenderConfig config,
                                                                  SendDatagram send);
  ~MediaSender();
  MediaSender(const MediaSender&) = delete;
  MediaSender& operator=(const MediaSender&) = delete;

  // One frame of audio (the encoder's frame duration) or video (the encoder's size).
  Status SendAudio(const AudioFrame& frame);
  Status SendVideo(const RawVideoFrame& frame);
  // A datagram from the receiver: RTCP. Anything else is counted and dropped.
  void OnDatagram(std::span<const uint8_t> datagram, Timestamp arrival);

  // Ends the session: an RTCP BYE for each stream (RFC 3550 §6.6), and no more reports.
  void Stop();

  Status SetVideoBitrate(DataRate bitrate);
  void SetAudioBitrate(DataRate bitrate);
  void SetAudioLossHint(double loss);

  const MediaSenderStats& stats() const { return stats_; }
  const VpxEncoder* video_encoder() const { return video_encoder_.get(); }
  const MediaSenderConfig& config() const { return config_; }
  const SendTransportController& transport() const { return *transport_; }

 private:
  struct RtpStreamState {
    uint32_t ssrc = 0;
    uint8_t payload_type = 0;
    int clock_rate = 0;
    uint16_t sequence_number = 0;
    uint32_t rtp_timestamp_offset = 0;
    bool started = false;
    Timestamp first_capture = Timestamp::MinusInfinity();
    uint32_t last_rtp_timestamp = 0;
    Timestamp last_capture = Timestamp::MinusInfinity();
    uint32_t packets = 0;
    uint32_t octets = 0;
    uint64_t octets_total = 0;  // Whole packets, not wrapping (the FEC overhead measure).
  };
  MediaSender(TaskScheduler& scheduler, MediaSenderConfig config, SendDatagram send);

  uint32_t RtpTimestampOf(RtpStreamState& stream, Timestamp capture_time);
  // Builds and sends one RTP packet; video packets are kept for retransmission.
  // `payload_type` overrides the stream's (RED for audio).
  void SendRtp(RtpStreamState& stream, uint32_t rtp_timestamp, bool marker,
               std::span<const uint8_t> payload, Timestamp capture_time, bool first_in_frame,
               std::optional<uint8_t> payload_type = std::nullopt);
  // An encoded audio frame, as RED when redundancy is on.
  void SendAudioFrame(uint32_t rtp_timestamp, bool marker, std::span<const uint8_t> frame,
                      Timestamp capture_time);
  // What the audio takes of the target: its bitrate, its redundant copies, its headers.
  DataRate AudioRate() const;
  TimeDelta SendReports();
  void SendRtcp(const rtcp::RtcpCompound& compound);
  void OnRtcp(const rtcp::RtcpCompound& compound, Timestamp arrival);
  void Retransmit(std::span<const uint8_t> packet);
  // Splits the controller's target between the streams (audio first).
  void OnTargetRate(const NetworkControlUpdate& update);
  // A receiver asked for a keyframe (it cannot decode what follows a lost frame): the video
  // packets still in the pacer, their repairs and FEC are dropped (they would only hold the
  // keyframe back), and NACKs for packets before the keyframe are not answered.
  void DiscardStaleVideo();
  // Reconfigures the video encoder for a new rung of the ladder.
  void ApplyLadderChange(const LadderChange& change);
  // A packet has left the pacer for the wire (transport-wide number written): video packets are
  // protected by FEC, whose repair packets then queue behind them.
  void OnPacketLeft(std::span<const uint8_t> datagram);
  // Queues repair packets of the video FEC behind the media they protect, counted.
  void SendFecRepairs(std::vector<std::vector<uint8_t>> repairs);
  // The FEC rate for the loss measured now, and the overhead it has had.
  void UpdateFecProtection();
  // Sends the second copies that are due and waits for the next.
  TimeDelta SendSecondCopies();

  TaskScheduler& scheduler_;
  MediaSenderConfig config_;
  SendDatagram send_;
  std::unique_ptr<OpusAudioEncoder> audio_encoder_;
  std::unique_ptr<VpxEncoder> video_encoder_;
  std::optional<EncodingLadder> ladder_;
  std::variant<Vp8Packetizer, Vp9Packetizer> packetizer_;
  RtpStreamState audio_;
  RtpStreamState video_;
  bool last_audio_was_dtx_ = false;
  double audio_loss_ = 0;
  bool audio_loss_reported_ = false;  // A receiver report has told the audio's loss.
  RedEncoder audio_red_{0};
  // When the newest keyframe's last packet left the pacer (while it leaves, when it was made).
  Timestamp last_keyframe_sent_ = Timestamp::MinusInfinity();
  bool keyframe_leaving_ = false;
  std::optional<uint16_t> keyframe_first_sequence_number_;
  // The receiver's last RRTR (RFC 3611 §4.4), answered with a DLRR so that it learns the RTT.
  struct ReceivedRrtr {
    uint32_t ssrc = 0;
    uint32_t compact_ntp = 0;
    Timestamp arrival = Timestamp::MinusInfinity();
  };
  std::optional<ReceivedRrtr> last_rrtr_;  // Smoothed reported loss, the encoder's FEC hint.
  RtpPacketHistory history_;
  std::unique_ptr<SendTransportController> transport_;
  std::unique_ptr<FlexfecSender> fec_;
  std::optional<uint32_t> keyframe_timestamp_;  // RTP timestamp of the last keyframe.
  // FEC bytes per video byte, smoothed, and the counts it was last measured from.
  double fec_overhead_ = 0;
  // The path's loss as Reed-Solomon repair is sized for (see UpdateFecProtection).
  static constexpr TimeDelta kFecLossRise = TimeDelta::Seconds(1);
  static constexpr TimeDelta kFecLossFall = TimeDelta::Seconds(10);
  double fec_path_loss_ = 0;
  Timestamp fec_loss_updated_ = Timestamp::MinusInfinity();
  uint64_t fec_bytes_seen_ = 0;
  uint64_t video_bytes_seen_ = 0;
  Timestamp last_video_rate_set_ = Timestamp::MinusInfinity();
  struct SecondCopy {
    Timestamp due;
    std::vector<uint8_t> packet;
  };
  std::deque<SecondCopy> second_copies_;  // In due order.
  TaskHandle second_copy_task_;
  TaskHandle reports_;
  MediaSenderStats stats_;
};

}  // namespace comodal::engine

#endif  // ENGINE_MEDIA_MEDIA_SENDER_H_
