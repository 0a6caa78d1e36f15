#ifndef ENGINE_CODEC_OPUS_FORMAT_H_
#define ENGINE_CODEC_OPUS_FORMAT_H_

#include <optional>
#include <string>

namespace comodal::engine {

// What libopus accepts as PCM on either side (RFC 6716 §2: 8, 12, 16, 24 or 48 kHz; mono or
// stereo); a message naming the value otherwise.
inline std::optional<std::string> CheckOpusPcmFormat(int sample_rate, int channels) {
  if (sample_rate != 8000 && sample_rate != 12000 && sample_rate != 16000 && sample_rate != 24000 &&
      sample_rate != 48000) {
    return "Opus sample rate must be 8, 12, 16, 24 or 48 kHz, got " + std::to_string(sample_rate);
  }
  if (channels != 1 && channels != 2) {
    return "Opus channels must be 1 or 2, got " + std::to_string(channels);
  }
  return std::nullopt;
}

}  // namespace comodal::engine

#endif  // ENGINE_CODEC_OPUS_FORMAT_H_
