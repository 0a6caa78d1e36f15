#include "engine/media/media_sender.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "engine/media/media_constants.h"
#include "engine/media/rtcp_io.h"
#include "engine/video/video_scaler.h"
#include "transport/base/logging.h"
#include "transport/rtcp/bye.h"
#include "transport/rtcp/extended_reports.h"
#include "transport/rtcp/nack.h"
#include "transport/rtcp/pli.h"
#include "transport/rtcp/receiver_report.h"
#include "transport/rtcp/sdes.h"
#include "transport/rtcp/sender_report.h"
#include "transport/rtp/packet_demux.h"
#include "transport/rtp/rtp_header_extensions.h"
#include "transport/rtp/sequence_number.h"
#include "transport/time/ntp_time.h"

namespace comodal::engine {
namespace {

uint32_t Scramble(uint32_t value) {
  value ^= value >> 16;
  value *= 0x7FEB352D;
  value ^= value >> 15;
  value *= 0x846CA68B;
  value ^= value >> 16;
  return value;
}

// RFC 3550 §5.1 asks for random initial sequence numbers and timestamps (against known-plaintext
// attacks on encryption, which SRTP makes moot). They are derived from the SSRC and the
// configured seed: reproducible for a given seed, different between streams, and, with a seed
// drawn per process, different for a restarted sender (whose numbers would otherwise land among
// its predecessor's at the receiver).
uint32_t StartValue(const MediaSenderConfig& config, uint32_t value) {
  return Scramble(value ^ Scramble(config.rtp_start_seed));
}

// The split of a target rate between the streams: audio takes its bitrate plus its packets'
// headers (50 a second, some 40 bytes each); the video payload gets this share of the target
// less that (its packets' headers take the remainder).
constexpr DataRate kAudioHeaderRate = DataRate::KilobitsPerSec(16);
constexpr double kVideoPayloadShare = 0.95;

// The audio's part of a target: its bitrate and its packets' headers.
DataRate AudioShare(const MediaSenderConfig& config) {
  return config.audio ? config.audio->bitrate + kAudioHeaderRate : DataRate::Zero();
}

}  // namespace

DataRate LadderTop(const MediaSenderConfig& config) {
  if (!config.video) return AudioShare(config);
  return config.video->target_bitrate / kVideoPayloadShare + AudioShare(config);
}

DataRate VideoBitrateForLadderTop(const MediaSenderConfig& config, DataRate top) {
  return (top - AudioShare(config)) * kVideoPayloadShare;
}

Result<std::unique_ptr<MediaSender>, std::string> MediaSender::Create(TaskScheduler& scheduler,
                                                                      MediaSenderConfig config,
                                                                      SendDatagram send) {
  if (!config.audio && !config.video) return std::string("a media sender needs audio or video");
  if (config.audio && config.video && config.audio_ssrc == config.video_ssrc) {
    return std::string("audio and video need different SSRCs");
  }
  std::unique_ptr<MediaSender> sender(
      new MediaSender(scheduler, std::move(config), std::move(send)));
  if (sender->config_.audio) {
    auto encoder = OpusAudioEncoder::Create(*sender->config_.audio);
    if (!encoder.ok()) return "audio encoder: " + encoder.error();
    sender->audio_encoder_ = std::move(*encoder);
  }
  if (sender->config_.video) {
    VpxEncoderConfig encoder_config = *sender->config_.video;
    if (sender->config_.congestion_control && sender->config_.keyframes_only_on_request) {
      encoder_config.max_keyframe_interval = TimeDelta::PlusInfinity();
    }
    auto encoder = VpxEncoder::Create(encoder_config);
    if (!encoder.ok()) return "video encoder: " + encoder.error();
    sender->video_encoder_ = std::move(*encoder);
    const VpxEncoderConfig& video = *sender->config_.video;
    sender->stats_.video_width = video.width;
    sender->stats_.video_height = video.height;
    sender->stats_.video_frame_rate = video.frame_rate;
    if (sender->config_.congestion_control && sender->config_.adaptive_ladder) {
      EncodingLadderConfig ladder = sender->config_.ladder;
      ladder.width = video.width;
      ladder.height = video.height;
      ladder.frame_rate = video.frame_rate;
      if (Status valid = EncodingLadder::Validate(ladder); !valid.ok()) {
        return "encoding ladder: " + std::string(valid.error().detail);
      }
      sender->ladder_.emplace(ladder);
    }
    const uint16_t picture_id = StartValue(sender->config_, sender->config_.video_ssrc) & 0x7FFF;
    if (sender->config_.video->codec == VideoCodec::kVp8) {
      Vp8Packetizer::Config packetizer;
      packetizer.max_payload_size = sender->config_.max_video_payload_size;
      packetizer.first_picture_id = picture_id;
      sender->packetizer_.emplace<Vp8Packetizer>(packetizer);
    } else {
      Vp9Packetizer::Config packetizer;
      packetizer.max_payload_size = sender->config_.max_video_payload_size;
      packetizer.first_picture_id = picture_id;
      sender->packetizer_.emplace<Vp9Packetizer>(packetizer);
    }
  }
  MediaSender* raw = sender.get();
  SendTransportController::Config transport;
  transport.adaptive = sender->config_.congestion_control;
  transport.controller = sender->config_.congestion;
  if (sender->config_.video) {
    // The encoder's configured bitrate is the top of the ladder: the controller never asks for
    // more than it and the audio need.
    transport.controller.max_rate = LadderTop(sender->config_);
    transport.controller.start_rate =
        std::min(transport.controller.start_rate, transport.controller.max_rate);
  }
  transport.transport_sequence_number_extension_id = kTransportSequenceNumberExtensionId;
  transport.rtx_ssrc = sender->config_.video_rtx_ssrc;
  transport.rtx_payload_type =
      VideoRtxPayloadType(sender->config_.video ? sender->config_.video->codec : VideoCodec::kVp8);
  transport.rtx_initial_sequence_number =
      static_cast<uint16_t>(StartValue(sender->config_, sender->config_.video_rtx_ssrc));
  sender->transport_ = std::make_unique<SendTransportController>(
      scheduler, transport,
      [raw](std::span<const uint8_t> datagram, Timestamp now) {
        ++raw->stats_.packets_sent;
        raw->stats_.bytes_sent += datagram.size();
        raw->send_(datagram, now);
        raw->OnPacketLeft(datagram);
      },
      [raw](const NetworkControlUpdate& update) { raw->OnTargetRate(update); });
  if (sender->config_.video && sender->config_.video_fec) {
    FlexfecSender::Config fec;
    fec.ssrc = sender->config_.video_fec_ssrc;
    fec.payload_type = kFlexfecPayloadType;
    if (sender->config_.video_fec_reed_solomon)
      fec.reed_solomon_payload_type = kReedSolomonPayloadType;
    fec.protected_ssrc = sender->config_.video_ssrc;
    fec.initial_sequence_number = static_cast<uint16_t>(StartValue(sender->config_, fec.ssrc));
    if (sender->config_.send_transport_sequence_numbers) {
      fec.transport_sequence_number_extension_id = kTransportSequenceNumberExtensionId;
    }
    sender->fec_ = std::make_unique<FlexfecSender>(fec);
    sender->UpdateFecProtection();
  }
  sender->transport_->Start();
  sender->reports_ =
      scheduler.StartRepeating(sender->config_.rtcp_interval, [raw] { return raw->SendReports(); });
  return sender;
}

MediaSender::MediaSender(TaskScheduler& scheduler, MediaSenderConfig config, SendDatagram send)
    : scheduler_(scheduler),
      config_(std::move(config)),
      send_(std::move(send)),
      history_(config_.history) {
  auto init = [this](RtpStreamState& stream, uint32_t ssrc, uint8_t payload_type, int clock_rate) {
    stream.ssrc = ssrc;
    stream.payload_type = payload_type;
    stream.clock_rate = clock_rate;
    stream.sequence_number = static_cast<uint16_t>(StartValue(config_, ssrc));
    stream.rtp_timestamp_offset = StartValue(config_, ssrc + 1);
  };
  init(audio_, config_.audio_ssrc, kOpusPayloadType, kOpusRtpClockRate);
  init(video_, config_.video_ssrc,
       config_.video ? VideoPayloadType(config_.video->codec) : kVp8PayloadType,
       kVideoRtpClockRate);
}

MediaSender::~MediaSender() {
  reports_.Cancel();
  second_copy_task_.Cancel();
}

uint32_t MediaSender::RtpTimestampOf(RtpStreamState& stream, Timestamp capture_time) {
  if (!stream.started) {
    stream.started = true;
    stream.first_capture = capture_time;
  }
  const int64_t ticks = (capture_time - stream.first_capture).us() * stream.clock_rate / 1'000'000;
  return stream.rtp_timestamp_offset + static_cast<uint32_t>(ticks);
}

void MediaSender::SendRtp(RtpStreamState& stream, uint32_t rtp_timestamp, bool marker,
                          std::span<const uint8_t> payload, Timestamp capture_time,
                          bool first_in_frame, std::optional<uint8_t> payload_type) {
  const uint16_t sequence_number = stream.sequence_number++;
  RtpPacketBuilder builder;
  builder.set_ssrc(stream.ssrc)
      .set_payload_type(payload_type.value_or(stream.payload_type))
      .set_sequence_number(sequence_number)
      .set_timestamp(rtp_timestamp)
      .set_marker(marker);
  if (config_.send_capture_time && first_in_frame && capture_time.IsFinite()) {
    builder.SetExtension<AbsoluteCaptureTime>(kAbsCaptureTimeExtensionId,
                                              {NtpFromTimestamp(capture_time), std::nullopt});
  }
  if (config_.send_transport_sequence_numbers) {
    // The number is written as the packet leaves the pacer (SendTransportController).
    builder.SetExtension<TransportSequenceNumber>(kTransportSequenceNumberExtensionId, 0);
  }
  std::array<uint8_t, kMaxPacketBufferSize> buffer;
  auto size = builder.Build(payload, buffer);
  if (!size.ok()) return;  // Payload sizes are bounded by the packetizers; cannot happen.
  const std::span<const uint8_t> packet(buffer.data(), *size);
  const Timestamp now = scheduler_.Now();
  if (&stream == &video_ && config_.retransmit_on_nack) {
    history_.Put(sequence_number, packet, now);
  }
  stream.last_rtp_timestamp = rtp_timestamp;
  stream.last_capture = capture_time;
  ++stream.packets;
  stream.octets += static_cast<uint32_t>(payload.size());
  stream.octets_total += packet.size();
  transport_->SendRtp(std::vector<uint8_t>(packet.begin(), packet.end()),
                      &stream == &audio_ ? PacketPriority::kAudio : config_.video_priority,
                      /*repair=*/false);
}

Status MediaSender::SendAudio(const AudioFrame& frame) {
  if (!audio_encoder_) return Error{ErrorCode::kInvalidArgument, "no audio stream"};
  auto encoded = audio_encoder_->Encode(frame);
  if (!encoded.ok()) return Error{ErrorCode::kInvalidArgument, encoded.error()};
  // The RTP clock counts samples (RFC 7587 §4.1), silent ones included.
  if (!audio_.started) {
    audio_.started = true;
    audio_.first_capture = frame.capture_time;
    audio_.last_rtp_timestamp = audio_.rtp_timestamp_offset;
  } else {
    audio_.last_rtp_timestamp += OpusRtpTimestampStep(encoded->duration);
  }
  const uint32_t rtp_timestamp = audio_.last_rtp_timestamp;
  ++stats_.audio_frames_encoded;
  if (encoded->dtx) {
    ++stats_.audio_frames_dtx;
    // The first DTX frame of a pause goes out (1-2 bytes): it tells the receiver that what
    // follows is silence, not loss. The rest are not sent (RFC 7587 §3.1.3).
    const bool first = !last_audio_was_dtx_;
    last_audio_was_dtx_ = true;
    if (!first) {
      audio_.last_capture = frame.capture_time;
      return Status::Ok();
    }
    SendAudioFrame(rtp_timestamp, false, encoded->data, frame.capture_time);
    return Status::Ok();
  }
  // RFC 7587 §4.1 / RFC 3551 §4.1: the marker bit flags the first packet of a talkspurt.
  const bool talkspurt = audio_.packets == 0 || last_audio_was_dtx_;
  last_audio_was_dtx_ = false;
  SendAudioFrame(rtp_timestamp, talkspurt, encoded->data, frame.capture_time);
  return Status::Ok();
}

void MediaSender::SendAudioFrame(uint32_t rtp_timestamp, bool marker,
                                 std::span<const uint8_t> frame, Timestamp capture_time) {
  if (audio_red_.max_redundant_blocks() == 0) {
    SendRtp(audio_, rtp_timestamp, marker, frame, capture_time, true);
    return;
  }
  std::array<uint8_t, kMaxPacketBufferSize> red;
  auto built = audio_red_.Encode(RedBlock{kOpusPayloadType, rtp_timestamp, frame}, red);
  if (!built.ok()) {  // A frame too long for a RED block: it goes alone.
    SendRtp(audio_, rtp_timestamp, marker, frame, capture_time, true);
    return;
  }
  ++stats_.audio_red_packets;
  stats_.audio_red_blocks += built->redundant_blocks;
  SendRtp(audio_, rtp_timestamp, marker, std::span<const uint8_t>(red.data(), built->size),
          capture_time, true, kRedPayloadType);
}

DataRate MediaSender::AudioRate() const {
  if (!audio_encoder_) return DataRate::Zero();
  return audio_encoder_->bitrate() * static_cast<double>(1 + audio_red_.max_redundant_blocks()) +
         kAudioHeaderRate;
}

Status MediaSender::SendVideo(const RawVideoFrame& frame) {
  if (!video_encoder_) return Error{ErrorCode::kInvalidArgument, "no video stream"};
  ++stats_.video_frames_in;
  if (stats_.video_paused) {
    ++stats_.video_frames_paused;
    return Status::Ok();
  }
  // Every input frame goes through the decimation, so that the frames kept stay evenly spaced.
  if (ladder_ && !ladder_->ShouldEncode(frame.capture_time)) {
    ++stats_.video_frames_decimated;
    return Status::Ok();
  }
  if (config_.congestion_control &&
      transport_->queue_time(config_.video_priority) > config_.max_pacer_queue_for_video) {
    ++stats_.video_frames_pushed_back;
    video_encoder_->OnFrameSkipped();
    return Status::Ok();
  }
  const VpxEncoderConfig& size = video_encoder_->config();
  std::optional<RawVideoFrame> scaled;
  if (frame.width != size.width || frame.height != size.height) {
    auto resized = ScaleI420(frame, size.width, size.height);
    if (!resized.ok()) return resized.error();
    scaled = std::move(*resized);
  }
  auto encoded = video_encoder_->Encode(scaled ? *scaled : frame);
  if (!encoded.ok()) return encoded.error();
  if (ladder_) {
    if (auto change = ladder_->OnEncoderResult(encoded->has_value(), scheduler_.Now())) {
      ApplyLadderChange(*change);
    }
  }
  if (!encoded->has_value()) {
    ++stats_.video_frames_dropped;
    return Status::Ok();
  }
  const EncodedVideoFrame& out = **encoded;
  ++stats_.video_frames_encoded;
  stats_.keyframes += out.keyframe;
  if (out.keyframe) {
    // Its packets may take a while to leave the pacer; a PLI until then is answered by it.
    keyframe_leaving_ = true;
    last_keyframe_sent_ = scheduler_.Now();
    keyframe_first_sequence_number_ = video_.sequence_number;
  }
  auto payloads =
      std::visit([&](auto& packetizer) { return packetizer.Packetize(out); }, packetizer_);
  if (!payloads.ok()) return payloads.error();
  const uint32_t rtp_timestamp = RtpTimestampOf(video_, frame.capture_time);
  if (out.keyframe) keyframe_timestamp_ = rtp_timestamp;
  for (const RtpVideoPayload& payload : *payloads) {
    SendRtp(video_, rtp_timestamp, payload.last_in_frame, payload.data, frame.capture_time,
            payload.first_in_frame);
  }
  return Status::Ok();
}

Status MediaSender::SetVideoBitrate(DataRate bitrate) {
  if (!video_encoder_) return Error{ErrorCode::kInvalidArgument, "no video stream"};
  return video_encoder_->SetBitrate(bitrate);
}

void MediaSender::SetAudioBitrate(DataRate bitrate) {
  if (audio_encoder_) audio_encoder_->SetBitrate(bitrate);
}

void MediaSender::SetAudioLossHint(double loss) {
  if (audio_encoder_) audio_encoder_->SetPacketLossHint(loss);
}

TimeDelta MediaSender::SendReports() {
  const Timestamp now = scheduler_.Now();
  for (RtpStreamState* stream : {&audio_, &video_}) {
    if (!stream->started || stream->packets == 0) continue;
    // RFC 3550 §6.4.1: the RTP timestamp of "now" on the media clock, extrapolated from the
    // last frame sent, paired with the NTP time of now.
    rtcp::SenderReport report;
    report.sender_ssrc = stream->ssrc;
    report.ntp = NtpFromTimestamp(now);
    report.rtp_timestamp =
        stream->last_rtp_timestamp +
        static_cast<uint32_t>((now - stream->last_capture).us() * stream->clock_rate / 1'000'000);
    report.packet_count = stream->packets;
    report.octet_count = stream->octets;
    rtcp::RtcpCompound compound;
    compound.messages.push_back(std::move(report));
    compound.messages.push_back(rtcp::Sdes::WithCname(stream->ssrc, config_.cname));
    if (last_rrtr_) {
      rtcp::ExtendedReports xr;
      xr.sender_ssrc = stream->ssrc;
      xr.dlrr.push_back({last_rrtr_->ssrc, last_rrtr_->compact_ntp,
                         TimeDeltaToCompactNtp(now - last_rrtr_->arrival)});
      compound.messages.push_back(std::move(xr));
    }
    SendRtcp(compound);
  }
  return config_.rtcp_interval;
}

void MediaSender::Retransmit(std::span<const uint8_t> packet) {
  transport_->SendRtp(std::vector<uint8_t>(packet.begin(), packet.end()), config_.video_priority,
                      /*repair=*/true);
}

void MediaSender::OnTargetRate(const NetworkControlUpdate& update) {
  const Timestamp now = scheduler_.Now();
  stats_.target_rate = update.target_rate;
  const SendTransportController::Stats& transport = transport_->stats();
  stats_.padding_packets = transport.padding_packets;
  stats_.padding_bytes = static_cast<uint64_t>(transport.padding_sent.bytes());
  if (update.changed) {
    ++stats_.rate_changes;
    stats_.last_rate_reason = *update.changed;
  }
  if (!video_encoder_) return;
  // Audio first; the rest is the video's, less its packets' headers.
  const DataRate audio = AudioRate();
  UpdateFecProtection();
  // The FEC's repair packets come out of the video's share.
  const DataRate video = (update.target_rate * kVideoPayloadShare - audio) /
                         (1 + std::max(fec_overhead_, fec_ ? fec_->ExpectedOverhead() : 0.0));
  auto log = GetLogger("engine.rate");
  if (!stats_.video_paused && video < config_.min_video_rate) {
    stats_.video_paused = true;
    ++stats_.video_pauses;
    log->info("video paused: {} kbit/s left after audio is below the {} kbit/s floor ({})",
              video.kbps(), config_.min_video_rate.kbps(),
              RateChangeReasonName(stats_.last_rate_reason.value_or(RateChangeReason::kStart)));
  } else if (stats_.video_paused && video >= config_.min_video_rate * config_.video_resume_share) {
    stats_.video_paused = false;
    video_encoder_->RequestKeyframe();
    log->info("video resumed at {} kbit/s", video.kbps());
  }
  if (stats_.video_paused) return;
  // Called at every update, so that a step the ladder held back for spacing is taken once due.
  if (ladder_) {
    if (auto change = ladder_->OnTargetRate(video, now)) ApplyLadderChange(*change);
  }
  // libvpx is reconfigured when the share falls, rises by 5 % or more, or a second has passed:
  // not at every small additive step.
  const DataRate current = stats_.video_target;
  const bool apply = current.IsZero() || video < current || video >= current * 1.05 ||
                     now - last_video_rate_set_ >= TimeDelta::Seconds(1);
  if (!apply || video == current) return;
  if (!video_encoder_->SetBitrate(std::max(video, DataRate::KilobitsPerSec(10))).ok()) return;
  if (update.changed && *update.changed != RateChangeReason::kAdditiveIncrease) {
    log->info("target {} kbit/s ({}), video {} kbit/s", update.target_rate.kbps(),
              RateChangeReasonName(*update.changed), video.kbps());
  }
  stats_.video_target = video;
  last_video_rate_set_ = now;
}

void MediaSender::ApplyLadderChange(const LadderChange& change) {
  ++stats_.ladder_changes;
  stats_.last_ladder_reason = change.reason;
  const LadderRung& to = change.to;
  Status applied = video_encoder_->SetFrameRate(to.frame_rate);
  if (applied.ok()) applied = video_encoder_->SetResolution(to.width, to.height);
  auto log = GetLogger("engine.rate");
  if (!applied.ok()) {
    log->warn("video could not move to {}x{} at {} fps: {}", to.width, to.height, to.frame_rate,
              applied.error().detail);
  } else if (change.to != change.from || change.reason != LadderReason::kStart) {
    log->info("video {}x{} at {} fps -> {}x{} at {} fps ({}, video {} kbit/s)", change.from.width,
              change.from.height, change.from.frame_rate, to.width, to.height, to.frame_rate,
              EncodingLadder::ReasonName(change.reason), change.rate.kbps());
  }
  const VpxEncoderConfig& now = video_encoder_->config();
  stats_.video_width = now.width;
  stats_.video_height = now.height;
  stats_.video_frame_rate = now.frame_rate;
}

void MediaSender::OnPacketLeft(std::span<const uint8_t> datagram) {
  if (!fec_ && !keyframe_leaving_) return;
  auto packet = RtpPacket::Parse(datagram);
  if (!packet.ok() || packet->ssrc() != video_.ssrc) return;
  const bool keyframe = keyframe_timestamp_ && packet->timestamp() == *keyframe_timestamp_;
  if (keyframe && packet->marker()) {
    keyframe_leaving_ = false;
    last_keyframe_sent_ = scheduler_.Now();
  }
  if (fec_) SendFecRepairs(fec_->OnMediaPacket(*packet, packet->marker(), keyframe));
}

void MediaSender::SendFecRepairs(std::vector<std::vector<uint8_t>> repairs) {
  for (std::vector<uint8_t>& repair : repairs) {
    ++stats_.fec_packets;
    stats_.fec_bytes += repair.size();
    transport_->SendRtp(std::move(repair), config_.video_priority, /*repair=*/false);
  }
}

void MediaSender::UpdateFecProtection() {
  if (!fec_) return;
  // The overhead the repair packets really have (a group of small frames gets one whatever the
  // rate asks), measured over every 20 kB of video.
  const uint64_t video_bytes = video_.octets_total - video_bytes_seen_;
  if (video_bytes >= 20'000) {
    const double measured =
        static_cast<double>(stats_.fec_bytes - fec_bytes_seen_) / static_cast<double>(video_bytes);
    fec_overhead_ = fec_overhead_ * 0.7 + measured * 0.3;
    fec_bytes_seen_ = stats_.fec_bytes;
    video_bytes_seen_ = video_.octets_total;
  }
  const double path_loss =
      config_.congestion_control ? transport_->controller().stats().loss : audio_loss_;
  const double rate =
      std::min(config_.max_fec_rate,
               config_.fec_base + config_.fec_loss_multiple * std::max(audio_loss_, path_loss));
  // Reed-Solomon groups are sized for the loss itself, so from the steadiest estimate: the
  // controller's, over every packet of every stream (the audio's rises at once on a report's
  // few packets), and over a longer span than its one-second window, in which 10 % random loss
  // reads anywhere from 6 to 17 %: it follows a rise within about a second and a fall over
  // about ten, so that a lull does not leave the next groups short of repair.
  const Timestamp now = scheduler_.Now();
  // Before the first feedback the loss is unknown, not zero: the first measure is taken as it is.
  const bool measured = config_.congestion_control ? transport_->controller().stats().feedbacks > 0
                                                   : audio_loss_reported_;
  if (fec_loss_updated_.IsFinite() && measured) {
    const TimeDelta span = path_loss > fec_path_loss_ ? kFecLossRise : kFecLossFall;
    const double weight = std::min(1.0, (now - fec_loss_updated_) / span);
    fec_path_loss_ += (path_loss - fec_path_loss_) * weight;
  } else {
    fec_path_loss_ = path_loss;
  }
  if (measured) fec_loss_updated_ = now;
  if (std::abs(rate - stats_.fec_rate) < 0.005 &&
      std::abs(fec_path_loss_ - stats_.fec_loss) < 0.005) {
    return;
  }
  stats_.fec_rate = rate;
  stats_.fec_loss = fec_path_loss_;
  fec_->SetProtection(rate, std::min(config_.max_key_fec_rate, 2 * rate), fec_path_loss_);
}

TimeDelta MediaSender::SendSecondCopies() {
  const Timestamp now = scheduler_.Now();
  while (!second_copies_.empty() && second_copies_.front().due <= now) {
    ++stats_.retransmission_copies;
    Retransmit(second_copies_.front().packet);
    second_copies_.pop_front();
  }
  return second_copies_.empty() ? TimeDelta::PlusInfinity() : second_copies_.front().due - now;
}

void MediaSender::Stop() {
  if (!reports_.pending()) return;
  reports_.Cancel();
  second_copy_task_.Cancel();
  second_copies_.clear();
  rtcp::Bye bye;
  for (const RtpStreamState* stream : {&audio_, &video_}) {
    if (stream->started) bye.ssrcs.push_back(stream->ssrc);
  }
  if (bye.ssrcs.empty()) return;
  // RFC 3550 §6.3.7: the BYE follows the last packets, not the packets still paced behind it,
  // and the repair of the last frames' FEC group, which no later frame will close.
  transport_->Flush();
  if (fec_) {
    SendFecRepairs(fec_->Flush());
    transport_->Flush();
  }
  // RFC 3550 §6.1: a BYE goes last in a compound that starts with a report.
  SendReports();
  rtcp::RtcpCompound compound;
  rtcp::ReceiverReport report;
  report.sender_ssrc = bye.ssrcs.front();
  compound.messages.push_back(std::move(report));
  compound.messages.push_back(std::move(bye));
  // Twice: at 10 % loss one BYE in ten was lost, and the receiver played the stream's silence as
  // concealed audio until it gave the sender up. The receiver takes the copy as nothing new.
  SendRtcp(compound);
  SendRtcp(compound);
}

void MediaSender::SendRtcp(const rtcp::RtcpCompound& compound) {
  std::vector<uint8_t> buffer;
  if (!SerializeRtcp(compound, buffer)) return;
  ++stats_.rtcp_sent;
  stats_.bytes_sent += buffer.size();
  send_(buffer, scheduler_.Now());
}

void MediaSender::OnDatagram(std::span<const uint8_t> datagram, Timestamp arrival) {
  if (ClassifyPacket(datagram) != PacketKind::kRtcp) {
    ++stats_.rtcp_malformed;
    return;
  }
  auto compound = rtcp::RtcpCompound::Parse(datagram);
  if (!compound.ok()) {
    ++stats_.rtcp_malformed;
    return;
  }
  ++stats_.rtcp_received;
  OnRtcp(*compound, arrival);
}

void MediaSender::OnRtcp(const rtcp::RtcpCompound& compound, Timestamp arrival) {
  for (const rtcp::RtcpMessage& message : compound.messages) {
    if (const auto* rr = std::get_if<rtcp::ReceiverReport>(&message)) {
      for (const rtcp::ReportBlock& block : rr->report_blocks) {
        if (block.source_ssrc != audio_.ssrc && block.source_ssrc != video_.ssrc) continue;
        if (block.last_sr != 0) {
          stats_.rtt = RoundTripFromCompactNtp(NtpFromTimestamp(arrival).ToCompact(), block.last_sr,
                                               block.delay_since_last_sr);
          transport_->OnRoundTripTime(*stats_.rtt);
        }
        stats_.reported_fraction_lost = block.fraction_lost / 256.0;
        if (block.source_ssrc == audio_.ssrc && audio_encoder_) {
          // Opus sizes its in-band FEC from the expected loss (RFC 6716 §2.1.7): follow what the
          // receiver reports, rising at once and falling slowly (half-life about 7 reports):
          // at 2 % loss a report covers some 40 audio packets, most of them count none lost,
          // and the protection must not switch off between the ones that do.
          const double reported = block.fraction_lost / 256.0;
          audio_loss_ = std::max(reported, audio_loss_ * 0.9 + reported * 0.1);
          audio_loss_reported_ = true;
          audio_encoder_->SetPacketLossHint(std::min(audio_loss_, 0.3));
          size_t red_blocks = 0;
          if (config_.audio_red && audio_loss_ >= config_.audio_red_two_blocks_loss) {
            red_blocks = 2;
          } else if (config_.audio_red && audio_loss_ >= config_.audio_red_one_block_loss) {
            red_blocks = 1;
          }
          audio_red_.SetMaxRedundantBlocks(red_blocks);
          stats_.audio_red_distance = red_blocks;
        }
      }
    } else if (const auto* xr = std::get_if<rtcp::ExtendedReports>(&message)) {
      if (xr->rrtr) last_rrtr_ = ReceivedRrtr{xr->sender_ssrc, xr->rrtr->ntp.ToCompact(), arrival};
    } else if (const auto* nack = std::get_if<rtcp::Nack>(&message)) {
      if (nack->media_ssrc != video_.ssrc || !config_.retransmit_on_nack) continue;
      ++stats_.nacks_received;
      // One repair per RTT per packet: a NACK repeated before the first repair could have
      // arrived asks for nothing new.
      const TimeDelta min_interval = stats_.rtt.value_or(TimeDelta::Millis(100));
      // A long pacer queue (the path just lost capacity) or a controller backing off: repairs
      // would arrive late and lengthen the queue; the receiver asks for a keyframe instead.
      const bool congested = config_.congestion_control && transport_->controller().phase() !=
                                                               CongestionController::Phase::kSteady;
      for (uint16_t seq : nack->lost_sequence_numbers) {
        // Measured per packet: one NACK can name dozens, each repair lengthening the queue.
        if (transport_->queue_time(config_.video_priority) > config_.max_pacer_queue_for_repair) {
          ++stats_.retransmissions_skipped;
          continue;
        }
        // A packet from before the newest keyframe is of no use to a decoder that will start
        // over from the keyframe: after a capacity drop or an outage, when a NACK can name
        // hundreds of packets, resending them would delay the keyframe the receiver waits for.
        if (keyframe_first_sequence_number_ &&
            SeqNumLessThan(seq, *keyframe_first_sequence_number_)) {
          ++stats_.retransmissions_superseded;
          continue;
        }
        auto packet = history_.TakeForRetransmission(seq, arrival, min_interval);
        if (!packet) continue;
        ++stats_.retransmissions;
        Retransmit(*packet);
        if (!congested && stats_.rtt && *stats_.rtt > config_.second_copy_above_rtt) {
          second_copies_.push_back(
              SecondCopy{arrival + config_.second_copy_spacing,
                         std::vector<uint8_t>(packet->begin(), packet->end())});
        }
      }
      if (!second_copies_.empty() && !second_copy_task_.pending()) {
        second_copy_task_ = scheduler_.StartRepeating(second_copies_.front().due - arrival,
                                                      [this] { return SendSecondCopies(); });
      }
    } else if (const auto* feedback = std::get_if<rtcp::TransportFeedback>(&message)) {
      ++stats_.transport_feedbacks;
      transport_->OnTransportFeedback(*feedback, arrival);
      stats_.feedback_packets_received = transport_->stats().feedback_packets_received;
      stats_.feedback_packets_lost = transport_->stats().feedback_packets_lost;
    } else if (const auto* pli = std::get_if<rtcp::Pli>(&message)) {
      if (pli->media_ssrc != video_.ssrc || !video_encoder_) continue;
      ++stats_.plis_received;
      // RFC 4585 §6.3.1. A keyframe still leaving the pacer, or whose last packet left less
      // than a round trip ago, is already on its way to the receiver that asked: a second one
      // would only queue behind it (on a narrow link a keyframe takes most of a second to leave).
      const TimeDelta rtt = stats_.rtt.value_or(TimeDelta::Millis(200));
      if (keyframe_leaving_ || arrival - last_keyframe_sent_ < rtt + TimeDelta::Millis(100)) {
        ++stats_.plis_ignored;
        continue;
      }
      video_encoder_->RequestKeyframe();
      DiscardStaleVideo();
    }
  }
}

void MediaSender::DiscardStaleVideo() {
  // The next sequence number is the keyframe's first: NACKs for anything older are not answered.
  keyframe_first_sequence_number_ = video_.sequence_number;
  second_copies_.clear();
  const uint32_t video = video_.ssrc;
  const uint32_t fec = fec_ ? config_.video_fec_ssrc : video;
  stats_.video_packets_discarded +=
      transport_->Discard(config_.video_priority, [video, fec](const Pacer::Packet& packet) {
        auto rtp = RtpPacket::Parse(packet.data);
        return rtp.ok() && (rtp->ssrc() == video || rtp->ssrc() == fec);
      });
}

}  // namespace comodal::engine
