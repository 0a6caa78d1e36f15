#ifndef ENGINE_CODEC_VPX_DECODER_H_
#define ENGINE_CODEC_VPX_DECODER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/codec/video_frame.h"
#include "transport/base/result.h"

namespace comodal::engine {

struct VpxDecoderStats {
  uint64_t frames_in = 0;
  uint64_t frames_decoded = 0;  // Pictures handed out.
  uint64_t errors = 0;          // Frames libvpx rejected or decoded from a missing reference.
};

// A libvpx VP8 or VP9 decoder. Frames go in decode order as the frame buffer releases them;
// pictures come out as tightly packed I420 at whatever size the stream is coded at, which may
// change from one frame to the next (VP9 reference scaling, VP8 keyframes at a new size).
class VpxDecoder {
 public:
  static Result<std::unique_ptr<VpxDecoder>, std::string> Create(VideoCodec codec, int threads = 1);
  ~VpxDecoder();
  VpxDecoder(const VpxDecoder&) = delete;
  VpxDecoder& operator=(const VpxDecoder&) = delete;

  // Decodes one frame; the picture carries the frame's id and capture time. nullopt: the frame
  // was decoded but shows nothing (a hidden reference-only frame). Errors name the frame and
  // carry libvpx's own detail; they are rare (a receiver only feeds frames whose references it
  // holds), so the message is built only then.
  Result<std::optional<RawVideoFrame>, std::string> Decode(const EncodedVideoFrame& frame);

  VideoCodec codec() const { return codec_; }
  const VpxDecoderStats& stats() const { return stats_; }

 private:
  struct Context;  // libvpx decoder context (RAII).
  VpxDecoder(VideoCodec codec, std::unique_ptr<Context> context);

  VideoCodec codec_;
  std::unique_ptr<Context> context_;
  VpxDecoderStats stats_;
};

}  // namespace comodal::engine

#endif  // ENGINE_CODEC_VPX_DECODER_H_
