#ifndef ENGINE_CODEC_VIDEO_FRAME_H_
#define ENGINE_CODEC_VIDEO_FRAME_H_

#include <cstdint>
#include <vector>

#include "transport/units/timestamp.h"

namespace comodal::engine {

enum class VideoCodec : uint8_t { kVp8, kVp9 };

// An uncompressed picture in I420 (planar Y, then U and V at half resolution in each axis),
// tightly packed: stride = width for Y, (width + 1) / 2 for U and V.
struct RawVideoFrame {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> i420;  // width*height + 2 * ((width+1)/2) * ((height+1)/2) bytes
  Timestamp capture_time = Timestamp::MinusInfinity();
  uint64_t frame_id = 0;  // Matches a decoded frame to the frame that was sent (quality figures).

  static size_t I420Size(int width, int height) {
    const size_t chroma =
        static_cast<size_t>((width + 1) / 2) * static_cast<size_t>((height + 1) / 2);
    return static_cast<size_t>(width) * static_cast<size_t>(height) + 2 * chroma;
  }
};

// One compressed picture as an encoder produced it, with what the RTP payload format and the
// receiver's frame buffer need to know about it.
struct EncodedVideoFrame {
  VideoCodec codec = VideoCodec::kVp8;
  std::vector<uint8_t> data;
  bool keyframe = false;
  int width = 0;
  int height = 0;
  // Temporal scalability: the layer of this frame (0 = base) and whether it is a layer sync
  // point (decodable from the base layer alone, RFC 7741 Y bit / RFC 9628 U bit).
  uint8_t temporal_id = 0;
  bool layer_sync = false;
  // No later frame references this one (RFC 7741 N bit): losing it costs nothing but itself.
  bool non_reference = false;
  // The frames this one references, as frame ids (empty for a keyframe).
  std::vector<uint64_t> references;
  Timestamp capture_time = Timestamp::MinusInfinity();
  uint64_t frame_id = 0;
  // Receive side: the RTP timestamp the frame arrived with (render timing, lip sync).
  uint32_t rtp_timestamp = 0;
};

}  // namespace comodal::engine

#endif  // ENGINE_CODEC_VIDEO_FRAME_H_
