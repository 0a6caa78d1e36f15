#include "engine/media/media_receiver.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

#include "engine/media/media_constants.h"
#include "engine/media/rtcp_io.h"
#include "engine/rtp/opus_payload.h"
#include "transport/rtcp/bye.h"
#include "transport/rtcp/extended_reports.h"
#include "transport/rtcp/nack.h"
#include "transport/rtcp/pli.h"
#include "transport/rtcp/receiver_report.h"
#include "transport/rtcp/sdes.h"
#include "transport/rtcp/sender_report.h"
#include "transport/rtp/packet_demux.h"
#include "transport/rtp/red.h"
#include "transport/rtp/rtp_header_extensions.h"
#include "transport/rtp/rtx.h"
#include "transport/time/ntp_time.h"

namespace comodal::engine {
namespace {

// Capture times remembered per audio stream (by RTP timestamp): a few seconds of packets.
constexpr size_t kMaxCaptureTimes = 512;
// A picture shown this much after its planned render time (a frame interval at 30 frames/s)
// counts as shown late, and says nothing about the render delay lip sync works with.
constexpr TimeDelta kShownLate = TimeDelta::Millis(34);
// How often the video side checks for frames to decode and keyframes to ask for when no packet
// arrives to prompt it.
constexpr TimeDelta kVideoTick = TimeDelta::Millis(50);
// An SR whose RTP timestamp maps this far from its NTP time on the stream's timeline is a new
// sender's: a restarted one is off by at least the time between the two starts, a continuing
// one by its clock drift (milliseconds).
constexpr TimeDelta kNewTimeline = TimeDelta::Seconds(1);
// A sender report this close before a BYE was sent with it (the sender's reports go out every
// second or more).
constexpr TimeDelta kReportBeforeBye = TimeDelta::Millis(100);

bool OnAnotherTimeline(const RtpToNtpEstimator& ntp, const rtcp::SenderReport& sr) {
  const std::optional<NtpTime> expected = ntp.Estimate(sr.rtp_timestamp);
  return expected && (TimestampFromNtp(sr.ntp) - TimestampFromNtp(*expected)).Abs() > kNewTimeline;
}

}  // namespace

MediaReceiver::MediaReceiver(TaskScheduler& scheduler, MediaReceiverConfig config,
                             SendDatagram send_feedback, AudioRenderer audio_renderer,
                             VideoRenderer video_renderer)
    : scheduler_(scheduler),
      config_(std::move(config)),
      send_(std::move(send_feedback)),
      audio_renderer_(std::move(audio_renderer)),
      video_renderer_(std::move(video_renderer)),
      frame_buffer_(config_.video_frames),
      render_timing_(config_.video_timing),
      nack_(config_.nack_config),
      feedback_(scheduler_, config_.ssrc, [this](rtcp::RtcpCompound compound) {
        ++stats_.transport_feedbacks_sent;
        SendFeedback(std::move(compound));
      }) {
  UpdateKeyframeRequestDelay();
  reports_ = scheduler_.StartRepeating(config_.rtcp_interval, [this] { return SendReports(); });
}

MediaReceiver::~MediaReceiver() {
  reports_.Cancel();
  nack_timer_.Cancel();
  video_tick_.Cancel();
  if (video_) video_->end_judgement.Cancel();
  if (audio_) audio_->playout.Cancel();
}

void MediaReceiver::OnDatagram(std::span<const uint8_t> datagram, Timestamp arrival) {
  stats_.bytes_received += datagram.size();
  switch (ClassifyPacket(datagram)) {
    case PacketKind::kRtp: {
      auto packet = RtpPacket::Parse(datagram);
      if (!packet.ok()) {
        ++stats_.packets_malformed;
        return;
      }
      ++stats_.packets_received;
      OnRtp(*packet, arrival);
      return;
    }
    case PacketKind::kRtcp: {
      auto compound = rtcp::RtcpCompound::Parse(datagram);
      if (!compound.ok()) {
        ++stats_.packets_malformed;
        return;
      }
      ++stats_.rtcp_received;
      OnRtcp(*compound, arrival);
      return;
    }
    default:
      ++stats_.packets_malformed;
  }
}

void MediaReceiver::OnRtp(const RtpPacket& packet, Timestamp arrival) {
  OnTransportSequenceNumber(packet, arrival);
  if (packet.payload_type() == kOpusPayloadType) {
    OnAudioPacket(packet, packet.payload(), {}, arrival);
  } else if (packet.payload_type() == kRedPayloadType) {
    OnRedPacket(packet, arrival);
  } else if (auto codec = VideoCodecOfPayloadType(packet.payload_type())) {
    OnVideoPacket(packet, *codec, arrival);
    if (video_fec_ && packet.ssrc() == video_fec_config_.protected_ssrc) {
      OnRecovered(video_fec_->OnMediaPacket(packet, arrival), arrival);
    }
  } else if (packet.payload_type() == kFlexfecPayloadType ||
             packet.payload_type() == kReedSolomonPayloadType) {
    OnVideoFecPacket(packet, arrival);
  } else if (packet.payload_type() == kVp8RtxPayloadType ||
             packet.payload_type() == kVp9RtxPayloadType) {
    if (packet.payload().empty()) {
      ++stats_.padding_packets;  // Probe padding: counted for feedback above, nothing else.
    } else {
      OnVideoRtxPacket(packet, arrival);
    }
  } else {
    ++stats_.packets_unknown_payload_type;
  }
}

void MediaReceiver::OnVideoFecPacket(const RtpPacket& packet, Timestamp arrival) {
  // The repair stream names the stream it protects as its one CSRC (RFC 8627 §4.1).
  if (packet.csrc_count() != 1) {
    ++stats_.packets_malformed;
    return;
  }
  if (!video_fec_ || video_fec_config_.fec_ssrc != packet.ssrc() ||
      video_fec_config_.protected_ssrc != packet.csrc(0)) {
    // The first repair stream, or a restarted sender's.
    video_fec_config_.fec_ssrc = packet.ssrc();
    video_fec_config_.protected_ssrc = packet.csrc(0);
    video_fec_config_.reed_solomon_payload_type = kReedSolomonPayloadType;
    video_fec_ = std::make_unique<FlexfecReceiver>(video_fec_config_);
  }
  ++stats_.fec_packets;
  OnRecovered(video_fec_->OnFecPacket(packet, arrival), arrival);
}

void MediaReceiver::OnVideoRtxPacket(const RtpPacket& packet, Timestamp arrival) {
  // RFC 4588 §8: each RTX payload type repairs one media payload type ("apt").
  static const RtxPayloadTypeMap kAssociated = [] {
    RtxPayloadTypeMap map;
    map.Add(kVp8RtxPayloadType, kVp8PayloadType);
    map.Add(kVp9RtxPayloadType, kVp9PayloadType);
    return map;
  }();
  if (!video_ || IsRepairAfterBye()) return;  // Nothing to repair.
  std::array<uint8_t, kMaxPacketBufferSize> buffer;
  auto size = RestoreFromRtx(packet, video_->ssrc, kAssociated, buffer);
  if (!size.ok()) {
    ++stats_.packets_malformed;
    return;
  }
  auto restored = RtpPacket::Parse(std::span<const uint8_t>(buffer.data(), *size));
  if (!restored.ok()) {
    ++stats_.packets_malformed;
    return;
  }
  ++stats_.rtx_packets;
  OnVideoPacket(*restored, *VideoCodecOfPayloadType(restored->payload_type()), arrival);
}

void MediaReceiver::JudgeVideoEnd() {
  if (!video_ || !video_->ended || video_->end_judged) return;
  video_->end_judged = true;
  video_->end_judgement.Cancel();
  freezes_.OnStreamEnd(video_->ends_at);
  CopyFreezeStats();
}

bool MediaReceiver::IsRepairAfterBye() {
  if (!video_ || !video_->ended) return false;
  ++stats_.repairs_after_bye;
  return true;
}

void MediaReceiver::OnRecovered(const std::vector<std::vector<uint8_t>>& packets,
                                Timestamp arrival) {
  for (const std::vector<uint8_t>& bytes : packets) {
    auto packet = RtpPacket::Parse(bytes);
    if (!packet.ok()) continue;
    auto codec = VideoCodecOfPayloadType(packet->payload_type());
    if (!codec) continue;
    if (IsRepairAfterBye()) continue;
    ++stats_.packets_recovered;
    // Not fed to the transport feedback: it did not cross the path.
    fec_recovery_ = true;
    OnVideoPacket(*packet, *codec, arrival);
    fec_recovery_ = false;
  }
}

void MediaReceiver::OnRedPacket(const RtpPacket& packet, Timestamp arrival) {
  auto red = RedPayload::Parse(packet.payload(), packet.timestamp());
  if (!red.ok()) {
    ++stats_.packets_malformed;
    return;
  }
  for (const RedBlock& block : red->blocks()) {
    if (block.payload_type != kOpusPayloadType) {
      ++stats_.packets_unknown_payload_type;
      return;
    }
  }
  const std::span<const RedBlock> redundant(red->blocks().data(), red->blocks().size() - 1);
  OnAudioPacket(packet, red->primary().payload, redundant, arrival);
}

void MediaReceiver::OnAudioPacket(const RtpPacket& packet, std::span<const uint8_t> payload,
                                  std::span<const RedBlock> redundant, Timestamp arrival) {
  auto info = ParseOpusPacket(payload);
  if (!info.ok()) {
    ++stats_.packets_malformed;
    return;
  }
  if (audio_ && audio_->ended) RestartAudio();
  if (!audio_) {
    auto decoder = OpusAudioDecoder::Create(48'000, 1);
    if (!decoder.ok()) return;
    AudioStream& stream = audio_.emplace();
    stream.ssrc = packet.ssrc();
    stream.decoder = std::move(*decoder);
    AudioJitterBufferConfig jitter = config_.audio_jitter;
    jitter.frame = info->duration;  // The sender's packet duration is the playout step.
    stream.jitter_buffer = std::make_unique<AudioJitterBuffer>(jitter);
    stream.statistics = std::make_unique<StreamReceiveStatistics>(stream.ssrc, kOpusRtpClockRate);
    // Each playout is due one step after the previous one was due, not after it ran: late
    // wake-ups (a loaded CPU) would otherwise add up, the playout clock would run slow and the
    // jitter buffer would drop frames to catch up. More than 200 ms behind, it starts afresh.
    stream.playout = scheduler_.StartRepeating(TimeDelta::Zero(), [this] {
      const TimeDelta step = PlayAudio();
      if (step.IsPlusInfinity() || !audio_) return step;
      const Timestamp now = scheduler_.Now();
      Timestamp& next = audio_->next_playout;
      next = (next.IsFinite() && next > now - TimeDelta::Millis(200) ? next : now) + step;
      return std::max(next - now, TimeDelta::Zero());
    });
  }
  AudioStream& stream = *audio_;
  if (packet.ssrc() != stream.ssrc) {
    ++stats_.packets_unknown_payload_type;
    return;
  }
  if (HeldOrRestarted(stream.jump, &MediaReceiver::RestartAudio, packet, arrival)) return;
  ++stats_.audio_packets;
  stream.statistics->OnRtpPacket(packet.sequence_number(), packet.timestamp(), packet.data().size(),
                                 arrival);
  if (auto capture = packet.GetExtension<AbsoluteCaptureTime>(kAbsCaptureTimeExtensionId)) {
    stream.capture_times.insert_or_assign(packet.timestamp(),
                                          TimestampFromNtp(capture->capture_time));
    if (stream.capture_times.size() > kMaxCaptureTimes) {
      stream.capture_times.erase(stream.capture_times.begin());
    }
  }
  // The copies first: a frame they fill in is older than the primary, and the delay estimate
  // learns from them as from a late packet.
  for (const RedBlock& block : redundant) {
    auto block_info = ParseOpusPacket(block.payload);
    if (!block_info.ok()) continue;
    stream.jitter_buffer->InsertRedundant(
        block.timestamp, std::vector<uint8_t>(block.payload.begin(), block.payload.end()),
        OpusPacketHasVoiceActivity(block.payload, *block_info), arrival);
  }
  stream.jitter_buffer->Insert(packet.timestamp(),
                               std::vector<uint8_t>(payload.begin(), payload.end()),
                               OpusPacketHasVoiceActivity(payload, *info), arrival);
}

TimeDelta MediaReceiver::PlayAudio() {
  AudioStream& stream = *audio_;
  const Timestamp now = scheduler_.Now();
  // The sender said goodbye and everything it sent has played: silence is not loss.
  if (stream.ended && stream.jitter_buffer->empty()) return TimeDelta::PlusInfinity();
  PlayoutDecision decision = stream.jitter_buffer->Pull(now);
  stats_.audio_jitter_buffer_target = stream.jitter_buffer->target_delay();
  stats_.audio_jitter_buffer_stats = stream.jitter_buffer->stats();
  Result<AudioFrame, std::string> audio = std::string("nothing to play");
  bool concealed = false;
  switch (decision.kind) {
    case PlayoutDecision::Kind::kNothing:
      return decision.duration;
    case PlayoutDecision::Kind::kDecode:
      audio = stream.decoder->Decode(decision.payload);
      break;
    case PlayoutDecision::Kind::kDecodeFec: {
      auto recovered = stream.decoder->DecodeFec(decision.payload, decision.duration);
      if (recovered.ok()) {
        concealed = !recovered->from_fec;
        audio = std::move(recovered->audio);
      } else {
        audio = recovered.error();
      }
      break;
    }
    case PlayoutDecision::Kind::kConceal:
      concealed = true;
      audio = stream.decoder->Conceal(decision.duration);
      break;
    case PlayoutDecision::Kind::kComfortNoise:
      // After a DTX frame the decoder's concealment is its comfort noise (RFC 6716 §4.4).
      audio = stream.decoder->Conceal(decision.duration);
      break;
  }
  if (!audio.ok()) {
    // A packet the decoder rejects is concealed instead: the listener hears a gap filled.
    ++stats_.packets_malformed;
    concealed = true;
    audio = stream.decoder->Conceal(decision.duration);
    if (!audio.ok()) return decision.duration;
  }
  const auto samples = static_cast<uint64_t>(audio->samples_per_channel());
  stats_.audio_samples_played += samples;
  if (concealed) stats_.audio_samples_concealed += samples;
  if (decision.kind == PlayoutDecision::Kind::kDecodeFec && !concealed) {
    stats_.audio_samples_fec += samples;
  }
  stats_.audio_jitter_buffer_delay.Add(stream.jitter_buffer->buffered());
  if (decision.kind == PlayoutDecision::Kind::kDecode ||
      decision.kind == PlayoutDecision::Kind::kDecodeFec) {
    auto capture = stream.capture_times.find(decision.rtp_timestamp);
    if (capture != stream.capture_times.end()) {
      audio->capture_time = capture->second;
      stats_.audio_latency.Add(now - capture->second);
    }
    stream.last_played = StreamSynchronizer::Playout{decision.rtp_timestamp, now};
  }
  if (audio_renderer_) audio_renderer_(*audio, now);
  return decision.duration;
}

void MediaReceiver::OnVideoPacket(const RtpPacket& packet, VideoCodec codec, Timestamp arrival) {
  if (video_ && video_->ended) RestartVideo();
  if (!video_) {
    auto decoder = VpxDecoder::Create(codec);
    if (!decoder.ok()) return;
    VideoStream& stream = video_.emplace();
    stream.ssrc = packet.ssrc();
    stream.codec = codec;
    stream.decoder = std::move(*decoder);
    stream.statistics = std::make_unique<StreamReceiveStatistics>(stream.ssrc, kVideoRtpClockRate);
    video_packets_ = std::make_unique<VideoPacketBuffer>(codec);
    video_tick_ = scheduler_.StartRepeating(kVideoTick, [this] {
      DecodeVideo(scheduler_.Now());
      return kVideoTick;
    });
  }
  VideoStream& stream = *video_;
  if (packet.ssrc() != stream.ssrc || codec != stream.codec) {
    ++stats_.packets_unknown_payload_type;
    return;
  }
  if (HeldOrRestarted(stream.jump, &MediaReceiver::RestartVideo, packet, arrival)) return;
  ++stats_.video_packets;
  stream.statistics->OnRtpPacket(packet.sequence_number(), packet.timestamp(), packet.data().size(),
                                 arrival);
  if (NackAllowed()) {
    nack_.OnPacket(packet.sequence_number(), arrival);
    if (nack_.missing_count() >= config_.keyframe_instead_of_nack_packets && !VideoRepairDelay()) {
      // A keyframe costs less than this many repairs, and comes in one round trip where repairs
      // lost again on a full queue take several: ask for it, and no longer for the packets it
      // makes useless.
      frame_buffer_.RequestKeyframe(arrival);
      nack_.ClearUpTo(packet.sequence_number());
      ++stats_.nack_lists_given_up;
    }
    ArmNackTimer();
  }
  Timestamp capture_time = Timestamp::MinusInfinity();
  if (auto capture = packet.GetExtension<AbsoluteCaptureTime>(kAbsCaptureTimeExtensionId)) {
    capture_time = TimestampFromNtp(capture->capture_time);
  }
  auto assembled = video_packets_->Insert(packet, capture_time);
  if (!assembled.ok()) {
    ++stats_.packets_malformed;
    return;
  }
  // Render timing learns from packets in sequence order only: a packet that comes after a later
  // one is a repair (or reordered), and its lateness is no measure of the link's jitter.
  const int64_t seq = video_sequence_.Unwrap(packet.sequence_number());
  if (seq > highest_video_sequence_) {
    highest_video_sequence_ = seq;
    render_timing_.OnFrameComplete(packet.timestamp(), arrival);
  } else if (fec_recovery_ || VideoRepairDelay()) {
    // Frames are held for the repairs that can be in time: FEC's always, retransmissions only
    // on a short round trip.
    render_timing_.OnRepair(packet.timestamp(), arrival);
    UpdateFirstNackDelay();
  }
  if (assembled->has_value()) {
    ++stats_.video_frames_assembled;
    for (EncodedVideoFrame& frame : reference_finder_.Insert(std::move(**assembled))) {
      frame_buffer_.Insert(std::move(frame), arrival);
    }
  }
  DecodeVideo(arrival);
}

void MediaReceiver::DecodeVideo(Timestamp now) {
  VideoStream& stream = *video_;
  // A picture already past its render time, held until this pass shows whether a newer one
  // supersedes it: a repair unblocks a round trip of frames at once, and showing each of them
  // at the same instant would only add their lateness to what the viewer sees.
  struct Late {
    RawVideoFrame picture;
    uint32_t rtp_timestamp;
    Timestamp planned;
  };
  std::optional<Late> late;
  while (auto frame = frame_buffer_.NextDecodable(now, reference_finder_.stashed() > 0)) {
    auto decoded = stream.decoder->Decode(*frame);
    if (!decoded.ok()) {
      ++stats_.video_decode_errors;
      frame_buffer_.OnDecodeFailed(frame->frame_id);
      continue;
    }
    ++stats_.video_frames_decoded;
    stats_.video_keyframes_decoded += frame->keyframe;
    if (!decoded->has_value()) continue;
    const uint32_t rtp_timestamp = frame->rtp_timestamp;
    // Before render timing has a reference the frame is shown as it comes.
    const Timestamp planned = render_timing_.RenderTime(rtp_timestamp);
    stats_.video_render_delay = render_timing_.delay();
    stats_.video_frames_superseded += late.has_value();
    late.reset();
    if (!planned.IsFinite() || planned <= now) {
      late = Late{std::move(**decoded), rtp_timestamp, planned};
      continue;
    }
    std::weak_ptr<bool> alive = stream.alive;
    scheduler_.PostDelayedTask(
        planned - now, [this, alive, rtp_timestamp, planned, picture = std::move(**decoded)] {
          if (auto live = alive.lock(); live && *live) {
            Render(picture, rtp_timestamp, scheduler_.Now(), planned);
          }
        });
  }
  if (late) {
    const bool on_time = late->planned.IsFinite() && now - late->planned < kShownLate;
    stats_.video_frames_shown_late += late->planned.IsFinite() && !on_time;
    Render(late->picture, late->rtp_timestamp, now,
           on_time ? late->planned : Timestamp::MinusInfinity());
  }
  stats_.video_frames_unresolved =
      video_frames_unresolved_before_ + reference_finder_.stats().frames_dropped;
  stats_.video_frames_skipped = video_frames_skipped_before_ + frame_buffer_.stats().frames_skipped;
  if (frame_buffer_.TakeKeyframeRequest()) SendPli(stream.ssrc, now);
}

void MediaReceiver::SendPli(uint32_t media_ssrc, Timestamp now) {
  rtcp::Pli pli;
  pli.sender_ssrc = config_.ssrc;
  pli.media_ssrc = media_ssrc;
  rtcp::RtcpCompound compound;
  compound.messages.push_back(MakeReceiverReport(now));
  compound.messages.push_back(pli);
  ++stats_.plis_sent;
  SendFeedback(std::move(compound));
}

void MediaReceiver::Render(const RawVideoFrame& picture, uint32_t rtp_timestamp,
                           Timestamp render_time, Timestamp planned) {
  ++stats_.video_frames_rendered;
  // A frame shown after its stream's end was judged (the picture up to the end stood judged):
  // counted, it would make the pause before the next sender a freeze.
  if (!(video_ && video_->end_judged)) freezes_.OnFrameRendered(render_time);
  CopyFreezeStats();
  if (picture.capture_time.IsFinite()) stats_.video_latency.Add(render_time - picture.capture_time);
  if (planned.IsFinite()) {
    video_->last_rendered = StreamSynchronizer::Playout{rtp_timestamp, planned};
  }
  if (video_renderer_) video_renderer_(picture, render_time);
}

MediaReceiver::SequenceJump::Verdict MediaReceiver::SequenceJump::OnPacket(const RtpPacket& packet,
                                                                           Timestamp arrival) {
  const uint16_t sequence_number = packet.sequence_number();
  if (newest_ && std::abs(SeqNumDiff(sequence_number, *newest_)) >= NackRequester::kMaxDropout) {
    // RFC 3550 §A.1: two sequential packets after a very large jump are a restart.
    if (!held.empty() && confirming_ == sequence_number) return Verdict::kRestart;
    held.assign(packet.data().begin(), packet.data().end());
    held_arrival = arrival;
    confirming_ = static_cast<uint16_t>(sequence_number + 1);
    return Verdict::kHeld;
  }
  held.clear();
  confirming_.reset();
  if (!newest_ || IsNewerSequenceNumber(sequence_number, *newest_)) newest_ = sequence_number;
  return Verdict::kInStream;
}

bool MediaReceiver::HeldOrRestarted(SequenceJump& jump, void (MediaReceiver::*restart)(),
                                    const RtpPacket& packet, Timestamp arrival) {
  switch (jump.OnPacket(packet, arrival)) {
    case SequenceJump::Verdict::kInStream:
      return false;
    case SequenceJump::Verdict::kHeld:
      return true;
    case SequenceJump::Verdict::kRestart:
      break;
  }
  // The held packet and this one, again from the top: the first two of the new stream.
  const SequenceJump confirmed = std::move(jump);  // Gone with the stream.
  (this->*restart)();
  RestartTransportFeedback();
  if (auto first = RtpPacket::Parse(confirmed.held); first.ok()) {
    OnRtp(*first, confirmed.held_arrival);
  }
  OnRtp(packet, arrival);
  return true;
}

void MediaReceiver::RestartAudio() {
  audio_->playout.Cancel();
  audio_.reset();
  // Lip sync starts over with the new timeline.
  synchronizer_ = StreamSynchronizer();
  render_timing_.SetExtraDelay(TimeDelta::Zero());
  ++stats_.streams_restarted;
}

void MediaReceiver::RestartVideo() {
  // A new sender before the old one's last frame was due: its end is judged now.
  JudgeVideoEnd();
  video_fec_.reset();
  video_tick_.Cancel();
  nack_timer_.Cancel();
  nack_timer_at_ = Timestamp::PlusInfinity();
  video_.reset();
  video_packets_.reset();
  video_frames_unresolved_before_ = stats_.video_frames_unresolved;
  video_frames_skipped_before_ = stats_.video_frames_skipped;
  reference_finder_ = VideoReferenceFinder();
  frame_buffer_ = VideoFrameBuffer(config_.video_frames);
  render_timing_ = VideoRenderTiming(config_.video_timing);
  video_sequence_.Reset();
  highest_video_sequence_ = std::numeric_limits<int64_t>::min();
  nack_ = NackRequester(config_.nack_config);
  if (stats_.rtt) nack_.SetRtt(*stats_.rtt);
  UpdateKeyframeRequestDelay();
  synchronizer_ = StreamSynchronizer();
  if (audio_) audio_->jitter_buffer->SetExtraDelay(TimeDelta::Zero());
  ++stats_.streams_restarted;
}

void MediaReceiver::RestartTransportFeedback() { feedback_.Reset(); }

void MediaReceiver::OnTransportSequenceNumber(const RtpPacket& packet, Timestamp arrival) {
  auto sequence = packet.GetExtension<TransportSequenceNumber>(kTransportSequenceNumberExtensionId);
  if (!sequence) return;
  feedback_.OnPacket(*sequence, packet.ssrc(), DataSize::Bytes(packet.data().size()), arrival);
}

bool MediaReceiver::NackAllowed() const {
  // Until the first RTT measurement the requester assumes a GEO round trip (its initial_rtt).
  return config_.nack && (!stats_.rtt || *stats_.rtt <= config_.nack_max_rtt);
}

void MediaReceiver::UpdateKeyframeRequestDelay() {
  // While a retransmission can still repair the reference chain, a keyframe request would only
  // put a large frame in the queue behind it: wait a round trip (plus the requester's reorder
  // grace and the repair's own queueing) before asking.
  TimeDelta after = config_.video_frames.keyframe_request_after;
  const std::optional<TimeDelta> repair = VideoRepairDelay();
  // Where retransmissions come too late for their frame, they are asked for only once FEC had
  // its chance (UpdateFirstNackDelay; at most this), and a keyframe only once they are late.
  const TimeDelta longest_first_nack_delay =
      repair ? TimeDelta::Zero() : config_.max_video_fec_wait + config_.video_repair_margin;
  if (NackAllowed()) {
    after = std::max(after, stats_.rtt.value_or(config_.nack_config.initial_rtt) +
                                longest_first_nack_delay + config_.keyframe_request_margin);
  }
  render_timing_.SetMinDelay(repair.value_or(TimeDelta::Zero()));
  render_timing_.SetMaxRepairWait(repair ? config_.max_video_repair_wait
                                         : config_.max_video_fec_wait);
  UpdateFirstNackDelay();
  // Frames held for a repair are not stalled: ask for a keyframe only once the repair is late.
  if (repair)
    after = std::max(after, config_.max_video_repair_wait + config_.keyframe_request_margin);
  frame_buffer_.SetKeyframeRequestAfter(after);
}

void MediaReceiver::UpdateFirstNackDelay() {
  // A retransmission that cannot be in time for its frame only repairs the reference chain: it
  // is asked for once FEC had its chance, as late as FEC's recoveries come, and so not for a
  // packet FEC rebuilt.
  nack_.SetFirstRequestDelay(VideoRepairDelay()
                                 ? TimeDelta::Zero()
                                 : render_timing_.repair_cover() + config_.video_repair_margin);
}

std::optional<TimeDelta> MediaReceiver::VideoRepairDelay() const {
  if (!NackAllowed() || !stats_.rtt) return std::nullopt;
  const TimeDelta repair = *stats_.rtt + config_.video_repair_margin;
  if (repair > config_.max_video_repair_delay) return std::nullopt;
  return repair;
}

void MediaReceiver::CopyFreezeStats() {
  stats_.freezes = freezes_.freezes();
  stats_.longest_frame_gap = freezes_.longest_gap();
  stats_.total_freeze_duration = freezes_.total_freeze_duration();
}

void MediaReceiver::ArmNackTimer() {
  const Timestamp due = nack_.NextRequestTime();
  if (!due.IsFinite() || (nack_timer_.pending() && nack_timer_at_ <= due)) return;
  nack_timer_.Cancel();
  nack_timer_at_ = due;
  nack_timer_ = scheduler_.PostDelayedTask(due - scheduler_.Now(), [this] {
    nack_timer_at_ = Timestamp::PlusInfinity();
    SendNacks();
    ArmNackTimer();
  });
}

void MediaReceiver::SendNacks() {
  const Timestamp now = scheduler_.Now();
  std::vector<uint16_t> lost = nack_.TakeRequests(now);
  if (lost.empty() || !video_) return;
  rtcp::Nack nack;
  nack.sender_ssrc = config_.ssrc;
  nack.media_ssrc = video_->ssrc;
  nack.lost_sequence_numbers = std::move(lost);
  ++stats_.nacks_sent;
  stats_.nack_sequence_numbers_sent += nack.lost_sequence_numbers.size();
  rtcp::RtcpCompound compound;
  compound.messages.push_back(MakeReceiverReport(now));
  compound.messages.push_back(std::move(nack));
  SendFeedback(std::move(compound));
}

rtcp::ReceiverReport MediaReceiver::MakeReceiverReport(Timestamp now) {
  rtcp::ReceiverReport report;
  report.sender_ssrc = config_.ssrc;
  if (audio_) report.report_blocks.push_back(audio_->statistics->MakeReportBlock(now));
  if (video_) report.report_blocks.push_back(video_->statistics->MakeReportBlock(now));
  return report;
}

TimeDelta MediaReceiver::SendReports() {
  if (audio_ || video_) {
    rtcp::RtcpCompound compound;
    compound.messages.push_back(MakeReceiverReport(scheduler_.Now()));
    compound.messages.push_back(rtcp::Sdes::WithCname(config_.ssrc, config_.cname));
    // RFC 3611 §4.4: a receiver that sends no SR learns its round trip from the DLRR answer.
    rtcp::ExtendedReports xr;
    xr.sender_ssrc = config_.ssrc;
    xr.rrtr = rtcp::Rrtr{NtpFromTimestamp(scheduler_.Now())};
    compound.messages.push_back(std::move(xr));
    SendFeedback(std::move(compound));
  }
  UpdateLipSync();
  return config_.rtcp_interval;
}

void MediaReceiver::SendFeedback(rtcp::RtcpCompound compound) {
  std::vector<uint8_t> buffer;
  if (!SerializeRtcp(compound, buffer)) return;
  ++stats_.rtcp_sent;
  stats_.bytes_sent += buffer.size();
  send_(buffer, scheduler_.Now());
}

void MediaReceiver::OnRtcp(const rtcp::RtcpCompound& compound, Timestamp arrival) {
  for (const rtcp::RtcpMessage& message : compound.messages) {
    if (const auto* bye = std::get_if<rtcp::Bye>(&message)) {
      // A copy of a BYE already taken (MediaSender::Stop sends it twice): nothing more ends.
      const auto ended = [this](uint32_t ssrc) {
        return (audio_ && ssrc == audio_->ssrc && audio_->ended) ||
               (video_ && ssrc == video_->ssrc && video_->ended);
      };
      if (!bye->ssrcs.empty() && std::all_of(bye->ssrcs.begin(), bye->ssrcs.end(), ended)) {
        continue;
      }
      ++stats_.byes_received;
      for (uint32_t ssrc : bye->ssrcs) {
        if (audio_ && ssrc == audio_->ssrc) audio_->ended = true;
        if (video_ && ssrc == video_->ssrc && !video_->ended) {
          video_->ended = true;
          // A sender that stops reports the media time it stopped at just before its BYE
          // (MediaSender::Stop): the stream's end shows when a frame captured then would, and
          // the frames buffered until then still show. A picture stalled from before then
          // until the end was a freeze. Without that report (lost), the end is taken a render
          // delay after the BYE, which follows the last frame's packets (later than the frames'
          // render times by the BYE's queuing and the sender's last capture interval).
          video_->ends_at = arrival + render_timing_.delay();
          if (video_->sender_report_rtp &&
              arrival - video_->sender_report_arrival <= kReportBeforeBye) {
            const Timestamp shown = render_timing_.RenderTime(*video_->sender_report_rtp);
            if (shown.IsFinite()) video_->ends_at = shown;
          }
          video_->end_judgement = scheduler_.PostDelayedTask(
              std::max(TimeDelta::Zero(), video_->ends_at - scheduler_.Now()),
              [this] { JudgeVideoEnd(); });
        }
      }
      // The sender left: whoever sends next numbers its packets afresh.
      RestartTransportFeedback();
      continue;
    }
    if (const auto* xr = std::get_if<rtcp::ExtendedReports>(&message)) {
      for (const rtcp::DlrrSubBlock& block : xr->dlrr) {
        if (block.ssrc != config_.ssrc) continue;
        if (auto rtt = block.RoundTrip(NtpFromTimestamp(arrival))) {
          stats_.rtt = *rtt;
          nack_.SetRtt(*rtt);
          UpdateKeyframeRequestDelay();
        }
      }
      continue;
    }
    const auto* sr = std::get_if<rtcp::SenderReport>(&message);
    if (sr == nullptr) continue;
    if (audio_ && sr->sender_ssrc == audio_->ssrc && OnAnotherTimeline(audio_->ntp, *sr)) {
      RestartAudio();
      RestartTransportFeedback();
    } else if (video_ && sr->sender_ssrc == video_->ssrc && OnAnotherTimeline(video_->ntp, *sr)) {
      RestartVideo();
      RestartTransportFeedback();
      // The new sender's keyframe went by a second ago, into the old stream.
      SendPli(sr->sender_ssrc, arrival);
    } else if (audio_ && sr->sender_ssrc == audio_->ssrc) {
      audio_->statistics->OnSenderReport(sr->ntp, arrival);
      audio_->ntp.OnSenderReport(sr->ntp, sr->rtp_timestamp);
    } else if (video_ && sr->sender_ssrc == video_->ssrc) {
      video_->statistics->OnSenderReport(sr->ntp, arrival);
      video_->ntp.OnSenderReport(sr->ntp, sr->rtp_timestamp);
      video_->sender_report_rtp = sr->rtp_timestamp;
      video_->sender_report_arrival = arrival;
    }
  }
}

void MediaReceiver::UpdateLipSync() {
  if (!config_.lip_sync || !audio_ || !video_ || !audio_->last_played || !video_->last_rendered) {
    return;
  }
  auto delays =
      synchronizer_.Update(*audio_->last_played, audio_->ntp, *video_->last_rendered, video_->ntp);
  stats_.av_sync_offset = synchronizer_.measured_offset();
  if (!delays) return;
  audio_->jitter_buffer->SetExtraDelay(delays->extra_audio);
  render_timing_.SetExtraDelay(delays->extra_video);
}

}  // namespace comodal::engine
