#ifndef ENGINE_GST_GST_RAW_FORMAT_H_
#define ENGINE_GST_GST_RAW_FORMAT_H_

// The raw formats the GStreamer edges exchange with the engine: tightly packed I420 video and
// interleaved S16LE audio, as caps, as limits, and (video) as GStreamer lays them out in memory.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace comodal::engine {

// AudioFrame samples are copied byte for byte to and from S16LE buffers.
static_assert(std::endian::native == std::endian::little, "S16LE must be the host's int16_t");

inline constexpr int kMaxVideoDimension = 8192;
inline constexpr int kMinSampleRate = 8000;
inline constexpr int kMaxSampleRate = 192000;
inline constexpr int kMaxChannels = 8;

// "size must be 1..8192 in each axis, got 0x360", or nullopt when the size is fine.
std::optional<std::string> CheckVideoSize(int width, int height);
// The same for a sample rate and a channel count.
std::optional<std::string> CheckAudioFormat(int sample_rate, int channels);

// Caps of I420 at that size with square pixels (no frame rate), and of interleaved S16LE.
std::string I420Caps(int width, int height);
std::string S16Caps(int sample_rate, int channels);

// Where GStreamer puts the planes of an I420 picture in a buffer that carries no video meta (its
// default layout, from the raw video media type documentation): every row starts on a 4-byte
// boundary, and the chroma planes follow the luma of an even number of rows. appsrc and appsink
// do not negotiate video meta, so this is the layout of every I420 buffer that crosses them.
// RawVideoFrame is tightly packed instead; the two agree when the width is a multiple of 8 and the
// height even.
struct GstI420Layout {
  std::array<size_t, 3> stride{};  // Y, U, V.
  std::array<size_t, 3> offset{};
  size_t size = 0;

  static GstI420Layout For(int width, int height);
};

// Copies between GStreamer's layout (`gst`, at least layout.size bytes) and a tightly packed frame
// (`packed`, RawVideoFrame::I420Size bytes). Preconditions: sizes as stated, width and height > 0.
void CopyI420FromGst(std::span<const uint8_t> gst, int width, int height,
                     std::span<uint8_t> packed);
void CopyI420ToGst(std::span<const uint8_t> packed, int width, int height, std::span<uint8_t> gst);

}  // namespace comodal::engine

#endif  // ENGINE_GST_GST_RAW_FORMAT_H_
