#include "engine/gst/gst_raw_format.h"

#include <cstring>

namespace comodal::engine {
namespace {

size_t RoundUp2(int n) { return (static_cast<size_t>(n) + 1) & ~size_t{1}; }
size_t RoundUp4(size_t n) { return (n + 3) & ~size_t{3}; }

// The tightly packed geometry of plane `plane` (0 = Y): row length and row count.
struct PlaneSize {
  size_t row;
  size_t rows;
};
PlaneSize PackedPlane(int plane, int width, int height) {
  if (plane == 0) return {static_cast<size_t>(width), static_cast<size_t>(height)};
  return {static_cast<size_t>((width + 1) / 2), static_cast<size_t>((height + 1) / 2)};
}

// Copies each plane row by row; `to_gst` gives the direction.
void CopyPlanes(const uint8_t* from, uint8_t* to, int width, int height, bool to_gst) {
  const GstI420Layout layout = GstI420Layout::For(width, height);
  size_t packed_offset = 0;
  for (int plane = 0; plane < 3; ++plane) {
    const PlaneSize size = PackedPlane(plane, width, height);
    const auto p = static_cast<size_t>(plane);
    for (size_t y = 0; y < size.rows; ++y) {
      const size_t packed = packed_offset + y * size.row;
      const size_t gst = layout.offset[p] + y * layout.stride[p];
      std::memcpy(to + (to_gst ? gst : packed), from + (to_gst ? packed : gst), size.row);
    }
    packed_offset += size.row * size.rows;
  }
}

}  // namespace

std::optional<std::string> CheckVideoSize(int width, int height) {
  if (width >= 1 && height >= 1 && width <= kMaxVideoDimension && height <= kMaxVideoDimension) {
    return std::nullopt;
  }
  return "size must be 1.." + std::to_string(kMaxVideoDimension) + " in each axis, got " +
         std::to_string(width) + "x" + std::to_string(height);
}

std::optional<std::string> CheckAudioFormat(int sample_rate, int channels) {
  if (sample_rate < kMinSampleRate || sample_rate > kMaxSampleRate) {
    return "sample rate must be " + std::to_string(kMinSampleRate) + ".." +
           std::to_string(kMaxSampleRate) + " Hz, got " + std::to_string(sample_rate);
  }
  if (channels < 1 || channels > kMaxChannels) {
    return "channels must be 1.." + std::to_string(kMaxChannels) + ", got " +
           std::to_string(channels);
  }
  return std::nullopt;
}

std::string I420Caps(int width, int height) {
  return "video/x-raw,format=I420,width=" + std::to_string(width) +
         ",height=" + std::to_string(height) + ",pixel-aspect-ratio=1/1";
}

std::string S16Caps(int sample_rate, int channels) {
  return "audio/x-raw,format=S16LE,layout=interleaved,rate=" + std::to_string(sample_rate) +
         ",channels=" + std::to_string(channels);
}

GstI420Layout GstI420Layout::For(int width, int height) {
  GstI420Layout layout;
  layout.stride[0] = RoundUp4(static_cast<size_t>(width));
  layout.stride[1] = RoundUp4(RoundUp2(width) / 2);
  layout.stride[2] = layout.stride[1];
  const size_t chroma_rows = RoundUp2(height) / 2;
  layout.offset[0] = 0;
  layout.offset[1] = layout.stride[0] * RoundUp2(height);
  layout.offset[2] = layout.offset[1] + layout.stride[1] * chroma_rows;
  layout.size = layout.offset[2] + layout.stride[2] * chroma_rows;
  return layout;
}

void CopyI420FromGst(std::span<const uint8_t> gst, int width, int height,
                     std::span<uint8_t> packed) {
  CopyPlanes(gst.data(), packed.data(), width, height, /*to_gst=*/false);
}

void CopyI420ToGst(std::span<const uint8_t> packed, int width, int height, std::span<uint8_t> gst) {
  CopyPlanes(packed.data(), gst.data(), width, height, /*to_gst=*/true);
}

}  // namespace comodal::engine
