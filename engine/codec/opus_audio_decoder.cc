#include "engine/codec/opus_audio_decoder.h"

#include <opus/opus.h>

#include "engine/codec/opus_format.h"
#include "engine/rtp/opus_payload.h"

namespace comodal::engine {
namespace {

// RFC 6716 §3.2.5: at most 120 ms in one packet.
constexpr int kMaxPacketMs = 120;

}  // namespace

Result<std::unique_ptr<OpusAudioDecoder>, std::string> OpusAudioDecoder::Create(int sample_rate,
                                                                                int channels) {
  if (auto bad = CheckOpusPcmFormat(sample_rate, channels)) return *bad;
  std::unique_ptr<OpusAudioDecoder> decoder(new OpusAudioDecoder(sample_rate, channels));
  int error = OPUS_OK;
  decoder->decoder_ = opus_decoder_create(sample_rate, channels, &error);
  if (error != OPUS_OK || decoder->decoder_ == nullptr) {
    return std::string("opus_decoder_create: ") + opus_strerror(error);
  }
  return decoder;
}

OpusAudioDecoder::~OpusAudioDecoder() {
  if (decoder_ != nullptr) opus_decoder_destroy(decoder_);
}

Result<AudioFrame, std::string> OpusAudioDecoder::Run(const uint8_t* data, size_t size,
                                                      int frame_size, bool fec) {
  AudioFrame frame;
  frame.sample_rate = sample_rate_;
  frame.channels = channels_;
  frame.samples.resize(static_cast<size_t>(frame_size) * static_cast<size_t>(channels_));
  const int decoded = opus_decode(decoder_, data, static_cast<opus_int32>(size),
                                  frame.samples.data(), frame_size, fec ? 1 : 0);
  if (decoded < 0) return std::string("opus_decode: ") + opus_strerror(decoded);
  frame.samples.resize(static_cast<size_t>(decoded) * static_cast<size_t>(channels_));
  return frame;
}

Result<AudioFrame, std::string> OpusAudioDecoder::Decode(std::span<const uint8_t> packet) {
  // Validate the framing first (RFC 6716 §3.4): libopus must never see a malformed packet's
  // garbage as audio, and the error says what is wrong.
  auto info = ParseOpusPacket(packet);
  if (!info.ok()) return "malformed Opus packet: " + info.error().ToString();
  const int frame_size = static_cast<int>(sample_rate_ * info->duration.us() / 1'000'000);
  auto frame = Run(packet.data(), packet.size(), frame_size, false);
  if (frame.ok()) samples_decoded_ += static_cast<uint64_t>(frame->samples_per_channel());
  return frame;
}

Result<OpusAudioDecoder::Recovered, std::string> OpusAudioDecoder::DecodeFec(
    std::span<const uint8_t> next_packet, TimeDelta lost_duration) {
  auto info = ParseOpusPacket(next_packet);
  if (!info.ok()) return "malformed Opus packet: " + info.error().ToString();
  if (lost_duration <= TimeDelta::Zero() || lost_duration > TimeDelta::Millis(kMaxPacketMs)) {
    return std::string("lost duration must be in (0, 120] ms");
  }
  const int frame_size = static_cast<int>(sample_rate_ * lost_duration.us() / 1'000'000);
  const bool has_lbrr = OpusPacketHasLbrr(next_packet, *info);
  auto audio = Run(next_packet.data(), next_packet.size(), frame_size, true);
  if (!audio.ok()) return audio.error();
  const auto samples = static_cast<uint64_t>(audio->samples_per_channel());
  (has_lbrr ? samples_recovered_by_fec_ : samples_concealed_) += samples;
  return Recovered{std::move(*audio), has_lbrr};
}

Result<AudioFrame, std::string> OpusAudioDecoder::Conceal(TimeDelta duration) {
  // PLC works in multiples of 2.5 ms (RFC 6716 §4.4: the shortest Opus frame).
  if (duration <= TimeDelta::Zero() || duration.us() % 2500 != 0 ||
      duration > TimeDelta::Millis(kMaxPacketMs)) {
    return "concealment must last a multiple of 2.5 ms up to 120 ms, got " +
           std::to_string(duration.us()) + " us";
  }
  const int frame_size = static_cast<int>(sample_rate_ * duration.us() / 1'000'000);
  auto audio = Run(nullptr, 0, frame_size, false);
  if (audio.ok()) samples_concealed_ += static_cast<uint64_t>(audio->samples_per_channel());
  return audio;
}

}  // namespace comodal::engine
