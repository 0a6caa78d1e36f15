#ifndef ENGINE_CODEC_OPUS_AUDIO_DECODER_H_
#define ENGINE_CODEC_OPUS_AUDIO_DECODER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "engine/codec/audio_frame.h"
#include "transport/base/result.h"

struct OpusDecoder;  // libopus

namespace comodal::engine {

// libopus decoding with the three ways a receiver fills a gap: the packet itself, the next
// packet's in-band FEC (LBRR) copy of it, or packet loss concealment.
class OpusAudioDecoder {
 public:
  static Result<std::unique_ptr<OpusAudioDecoder>, std::string> Create(int sample_rate = 48000,
                                                                       int channels = 1);
  ~OpusAudioDecoder();
  OpusAudioDecoder(const OpusAudioDecoder&) = delete;
  OpusAudioDecoder& operator=(const OpusAudioDecoder&) = delete;

  // Decodes one Opus packet (RFC 6716); a malformed packet is an error and changes nothing.
  Result<AudioFrame, std::string> Decode(std::span<const uint8_t> packet);
  // Recovers `lost_duration` of audio that preceded `next_packet` from the LBRR data inside it.
  // When `next_packet` carries no LBRR, this conceals instead (and says so).
  struct Recovered {
    AudioFrame audio;
    bool from_fec = false;
  };
  Result<Recovered, std::string> DecodeFec(std::span<const uint8_t> next_packet,
                                           TimeDelta lost_duration);
  // Packet loss concealment for `duration` (a multiple of 2.5 ms).
  Result<AudioFrame, std::string> Conceal(TimeDelta duration);

  int sample_rate() const { return sample_rate_; }
  int channels() const { return channels_; }
  // Per channel.
  uint64_t samples_decoded() const { return samples_decoded_; }
  uint64_t samples_concealed() const { return samples_concealed_; }
  uint64_t samples_recovered_by_fec() const { return samples_recovered_by_fec_; }

 private:
  OpusAudioDecoder(int sample_rate, int channels)
      : sample_rate_(sample_rate), channels_(channels) {}
  Result<AudioFrame, std::string> Run(const uint8_t* data, size_t size, int frame_size, bool fec);

  int sample_rate_;
  int channels_;
  ::OpusDecoder* decoder_ = nullptr;
  uint64_t samples_decoded_ = 0;
  uint64_t samples_concealed_ = 0;
  uint64_t samples_recovered_by_fec_ = 0;
};

}  // namespace comodal::engine

#endif  // ENGINE_CODEC_OPUS_AUDIO_DECODER_H_
