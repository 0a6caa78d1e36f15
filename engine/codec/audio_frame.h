#ifndef ENGINE_CODEC_AUDIO_FRAME_H_
#define ENGINE_CODEC_AUDIO_FRAME_H_

#include <cstdint>
#include <vector>

#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// Interleaved 16-bit PCM: `samples.size()` = samples per channel x channels.
struct AudioFrame {
  int sample_rate = 48000;
  int channels = 1;
  std::vector<int16_t> samples;
  Timestamp capture_time = Timestamp::MinusInfinity();

  int samples_per_channel() const { return static_cast<int>(samples.size()) / channels; }
  TimeDelta duration() const {
    return TimeDelta::Micros(int64_t{samples_per_channel()} * 1'000'000 / sample_rate);
  }
};

// One Opus packet as the encoder produced it.
struct EncodedAudioFrame {
  std::vector<uint8_t> data;
  TimeDelta duration = TimeDelta::Zero();
  // A discontinuous-transmission frame (silence, 1-2 bytes): not worth sending. The receiver
  // conceals the gap with comfort noise.
  bool dtx = false;
  Timestamp capture_time = Timestamp::MinusInfinity();
};

}  // namespace comodal::engine

#endif  // ENGINE_CODEC_AUDIO_FRAME_H_
