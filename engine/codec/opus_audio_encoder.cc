#include "engine/codec/opus_audio_encoder.h"

#include <opus/opus.h>

#include <algorithm>

#include "engine/codec/opus_format.h"

namespace comodal::engine {
namespace {

// RFC 6716 §3.2.1: a 1-byte packet is a TOC alone (DTX); libopus's DTX emits 1- or 2-byte
// packets during silence, which a sender does not transmit.
constexpr size_t kMaxDtxPacketBytes = 2;
// The largest packet Opus produces for 60 ms (RFC 6716 §3.4: 1275 bytes per frame, up to 3
// frames of 20 ms in a 60 ms packet).
constexpr int kMaxPacketBytes = 4000;

int32_t ClampedBps(DataRate bitrate, int channels) {
  const int64_t bps = bitrate.bps();
  return static_cast<int32_t>(std::clamp<int64_t>(bps, 6'000 * channels, 64'000 * channels));
}

// The widest audio bandwidth at which libopus codes in-band FEC at `bitrate` and the expected
// `loss_percent`. libopus (opus_encoder.c, decide_fec) codes LBRR only when its equivalent rate
// exceeds a threshold per bandwidth (12, 14, 16, 20 and 22 kbit/s for NB..FB, plus 1 kbit/s of
// hysteresis, scaled by (125 - loss%) / 100), and below 5 % loss it gives up the redundancy
// rather than narrow the bandwidth: at 24 kbit/s and 2 % loss it codes hybrid fullband speech
// without any FEC. The equivalent rate here is the lowest libopus may compute (complexity and
// expected loss discounted, as its compute_equiv_rate does for SILK), so the cap is enough.
int FecBandwidth(int32_t bitrate_bps, int channels, int complexity, int loss_percent) {
  struct Threshold {
    int bandwidth;
    int32_t bps;
  };
  constexpr Threshold kThresholds[] = {{OPUS_BANDWIDTH_FULLBAND, 22'000 + 1'000},
                                       {OPUS_BANDWIDTH_SUPERWIDEBAND, 20'000 + 1'000},
                                       {OPUS_BANDWIDTH_WIDEBAND, 16'000 + 1'000},
                                       {OPUS_BANDWIDTH_MEDIUMBAND, 14'000 + 1'000},
                                       {OPUS_BANDWIDTH_NARROWBAND, 12'000 + 1'000}};
  const int64_t loss = std::min(loss_percent, 25);
  int64_t equivalent = int64_t{bitrate_bps} / channels * (90 + complexity) / 100;
  equivalent -= equivalent * loss / (6 * loss + 10);
  for (const Threshold& t : kThresholds) {
    if (equivalent > int64_t{t.bps} * (125 - loss) / 100) return t.bandwidth;
  }
  // Too little rate for FEC at any bandwidth: keep the full band (libopus narrows it by itself
  // above 5 % loss).
  return OPUS_BANDWIDTH_FULLBAND;
}

}  // namespace

Result<std::unique_ptr<OpusAudioEncoder>, std::string> OpusAudioEncoder::Create(
    const OpusEncoderConfig& config) {
  if (auto bad = CheckOpusPcmFormat(config.sample_rate, config.channels)) return *bad;
  const int64_t ms = config.frame_duration.us() % 1000 == 0 ? config.frame_duration.ms() : -1;
  if (ms != 10 && ms != 20 && ms != 40 && ms != 60) {
    return "Opus frame duration must be 10, 20, 40 or 60 ms, got " +
           std::to_string(config.frame_duration.us() / 1000.0) + " ms";
  }
  if (config.complexity < 0 || config.complexity > 10) {
    return "Opus complexity must be 0..10, got " + std::to_string(config.complexity);
  }
  std::unique_ptr<OpusAudioEncoder> encoder(new OpusAudioEncoder(config));
  int error = OPUS_OK;
  // VoIP: speech-optimised (SILK/hybrid, high-pass, intelligibility first) - a teacher's voice.
  encoder->encoder_ =
      opus_encoder_create(config.sample_rate, config.channels, OPUS_APPLICATION_VOIP, &error);
  if (error != OPUS_OK || encoder->encoder_ == nullptr) {
    return std::string("opus_encoder_create: ") + opus_strerror(error);
  }
  ::OpusEncoder* e = encoder->encoder_;
  // Constrained VBR: the rate follows the content but never overshoots a frame's budget by
  // much, so the pacer's audio budget holds.
  opus_encoder_ctl(e, OPUS_SET_VBR(1));
  opus_encoder_ctl(e, OPUS_SET_VBR_CONSTRAINT(1));
  opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(config.complexity));
  opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(config.fec ? 1 : 0));
  opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(0));
  opus_encoder_ctl(e, OPUS_SET_DTX(config.dtx ? 1 : 0));
  encoder->SetBitrate(config.bitrate);
  return encoder;
}

OpusAudioEncoder::~OpusAudioEncoder() {
  if (encoder_ != nullptr) opus_encoder_destroy(encoder_);
}

int OpusAudioEncoder::samples_per_frame() const {
  return static_cast<int>(config_.sample_rate * config_.frame_duration.us() / 1'000'000);
}

void OpusAudioEncoder::SetBitrate(DataRate bitrate) {
  const int32_t bps = ClampedBps(bitrate, config_.channels);
  config_.bitrate = DataRate::BitsPerSec(bps);
  opus_encoder_ctl(encoder_, OPUS_SET_BITRATE(bps));
  UpdateMaxBandwidth();
}

void OpusAudioEncoder::SetPacketLossHint(double loss) {
  loss_percent_ = static_cast<int>(std::clamp(loss, 0.0, 1.0) * 100 + 0.5);
  opus_encoder_ctl(encoder_, OPUS_SET_PACKET_LOSS_PERC(loss_percent_));
  UpdateMaxBandwidth();
}

void OpusAudioEncoder::UpdateMaxBandwidth() {
  // With loss expected, a narrower band with its redundancy beats a wider one without: a lost
  // frame rebuilt from LBRR is heard, a concealed one is a gap.
  max_bandwidth_ = config_.fec && loss_percent_ > 0
                       ? FecBandwidth(ClampedBps(config_.bitrate, config_.channels),
                                      config_.channels, config_.complexity, loss_percent_)
                       : OPUS_BANDWIDTH_FULLBAND;
  opus_encoder_ctl(encoder_, OPUS_SET_MAX_BANDWIDTH(max_bandwidth_));
}

int OpusAudioEncoder::max_bandwidth_hz() const {
  switch (max_bandwidth_) {
    case OPUS_BANDWIDTH_NARROWBAND:
      return 4'000;
    case OPUS_BANDWIDTH_MEDIUMBAND:
      return 6'000;
    case OPUS_BANDWIDTH_WIDEBAND:
      return 8'000;
    case OPUS_BANDWIDTH_SUPERWIDEBAND:
      return 12'000;
    default:
      return 20'000;
  }
}

void OpusAudioEncoder::SetDtx(bool enabled) {
  config_.dtx = enabled;
  opus_encoder_ctl(encoder_, OPUS_SET_DTX(enabled ? 1 : 0));
}

Result<EncodedAudioFrame, std::string> OpusAudioEncoder::Encode(const AudioFrame& frame) {
  if (frame.sample_rate != config_.sample_rate || frame.channels != config_.channels ||
      frame.samples_per_channel() != samples_per_frame() ||
      frame.samples.size() % static_cast<size_t>(frame.channels) != 0) {
    return "Opus encoder expects " + std::to_string(samples_per_frame()) + " samples x " +
           std::to_string(config_.channels) + " channel(s) at " +
           std::to_string(config_.sample_rate) + " Hz, got " +
           std::to_string(frame.samples.size()) + " samples at " +
           std::to_string(frame.sample_rate) + " Hz";
  }
  EncodedAudioFrame out;
  out.data.resize(kMaxPacketBytes);
  const opus_int32 bytes = opus_encode(encoder_, frame.samples.data(), samples_per_frame(),
                                       out.data.data(), kMaxPacketBytes);
  if (bytes < 0) return std::string("opus_encode: ") + opus_strerror(bytes);
  out.data.resize(static_cast<size_t>(bytes));
  out.duration = config_.frame_duration;
  out.capture_time = frame.capture_time;
  out.dtx = config_.dtx && out.data.size() <= kMaxDtxPacketBytes;
  ++frames_encoded_;
  dtx_frames_ += out.dtx;
  return out;
}

}  // namespace comodal::engine
