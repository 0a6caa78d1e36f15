#ifndef ENGINE_CODEC_OPUS_AUDIO_ENCODER_H_
#define ENGINE_CODEC_OPUS_AUDIO_ENCODER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "engine/codec/audio_frame.h"
#include "transport/base/result.h"
#include "transport/units/data_rate.h"

struct OpusEncoder;  // libopus

namespace comodal::engine {

struct OpusEncoderConfig {
  int sample_rate = 48000;  // Opus's native rate; RTP always uses a 48 kHz clock (RFC 7587 §4.1).
  int channels = 1;
  TimeDelta frame_duration = TimeDelta::Millis(20);  // 10, 20, 40 or 60 ms.
  DataRate bitrate = DataRate::KilobitsPerSec(24);   // 6 to 64 kbit/s (per channel pair).
  bool fec = true;     // In-band FEC (LBRR), used when the loss hint says there is loss.
  bool dtx = true;     // Discontinuous transmission during silence.
  int complexity = 8;  // 0..10; 8 leaves CPU for video on a small site box.
};

// libopus in VoIP mode, reconfigurable while running: bitrate, loss hint (which sizes the in-band
// FEC) and DTX change on the next frame without restarting the stream.
class OpusAudioEncoder {
 public:
  static Result<std::unique_ptr<OpusAudioEncoder>, std::string> Create(
      const OpusEncoderConfig& config);
  ~OpusAudioEncoder();
  OpusAudioEncoder(const OpusAudioEncoder&) = delete;
  OpusAudioEncoder& operator=(const OpusAudioEncoder&) = delete;

  // `frame` must hold exactly one frame duration of samples at the configured rate and channels.
  Result<EncodedAudioFrame, std::string> Encode(const AudioFrame& frame);

  // Clamped to 6..64 kbit/s per channel.
  void SetBitrate(DataRate bitrate);
  // Expected packet loss, 0..1: Opus spends bits on LBRR redundancy in proportion (RFC 6716
  // §2.1.7); zero turns the redundancy off even with FEC enabled. With FEC on and loss expected,
  // the audio bandwidth is capped where the bitrate leaves room for the redundancy (e.g. 8 kHz,
  // wideband, at 24 kbit/s), which libopus itself only does above 5 % loss.
  void SetPacketLossHint(double loss);
  void SetDtx(bool enabled);

  const OpusEncoderConfig& config() const { return config_; }
  DataRate bitrate() const { return config_.bitrate; }
  int samples_per_frame() const;
  uint64_t frames_encoded() const { return frames_encoded_; }
  uint64_t dtx_frames() const { return dtx_frames_; }
  // The widest audio bandwidth the encoder may code now, in Hz (20 000: fullband).
  int max_bandwidth_hz() const;

 private:
  explicit OpusAudioEncoder(const OpusEncoderConfig& config) : config_(config) {}
  void UpdateMaxBandwidth();

  OpusEncoderConfig config_;
  ::OpusEncoder* encoder_ = nullptr;
  uint64_t frames_encoded_ = 0;
  uint64_t dtx_frames_ = 0;
  int loss_percent_ = 0;
  int max_bandwidth_ = 0;  // OPUS_BANDWIDTH_*; set by UpdateMaxBandwidth().
};

}  // namespace comodal::engine

#endif  // ENGINE_CODEC_OPUS_AUDIO_ENCODER_H_
