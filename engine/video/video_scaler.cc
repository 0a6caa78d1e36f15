#include "engine/video/video_scaler.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

namespace comodal::engine {
namespace {

// The source pixels one destination pixel covers along one axis: [first, first + count), with
// their weights at weights[offset...]. Every destination pixel's weights sum to `total`.
struct Tap {
  int first;
  int count;
  size_t offset;
};

struct AxisWeights {
  std::vector<Tap> taps;
  std::vector<uint32_t> weights;
  uint32_t total = 1;
};

// In units where a source pixel is `dst / g` long and a destination pixel `src / g` long
// (g = gcd), both axes span the same integer length, so every overlap is an exact integer.
AxisWeights ComputeAxis(int src, int dst) {
  const int g = std::gcd(src, dst);
  const int64_t src_len = dst / g;  // Length of one source pixel.
  const int64_t dst_len = src / g;  // Length of one destination pixel.
  AxisWeights axis;
  axis.total = static_cast<uint32_t>(dst_len);
  axis.taps.reserve(static_cast<size_t>(dst));
  axis.weights.reserve(static_cast<size_t>(dst) * static_cast<size_t>(dst_len / src_len + 2));
  for (int o = 0; o < dst; ++o) {
    const int64_t begin = o * dst_len;
    const int64_t end = begin + dst_len;
    const int first = static_cast<int>(begin / src_len);
    const int last = static_cast<int>((end - 1) / src_len);
    axis.taps.push_back(Tap{first, last - first + 1, axis.weights.size()});
    for (int i = first; i <= last; ++i) {
      const int64_t covered = std::min(end, (i + 1) * src_len) - std::max(begin, i * src_len);
      axis.weights.push_back(static_cast<uint32_t>(covered));
    }
  }
  return axis;
}

// Rounded division by a per-call constant without a hardware divide per pixel: for a 32-bit
// numerator and divisor, n / d == (ceil(2^64 / d) * n) >> 64 (Lemire, Kaser and Kurz, "Faster
// remainder by direct computation", 2019). Falls back to a plain divide when the numerator can
// exceed 32 bits (only for huge coprime sizes).
class RoundedDivider {
 public:
  explicit RoundedDivider(uint64_t divisor) : divisor_(divisor), half_(divisor / 2) {
    // Largest numerator: 255 * divisor + half.
    fast_ = divisor > 1 && divisor < (uint64_t{1} << 24);
    if (fast_) multiplier_ = UINT64_MAX / divisor + 1;
  }
  uint8_t operator()(uint64_t sum) const {
    const uint64_t n = sum + half_;
    if (fast_) {
      return static_cast<uint8_t>((static_cast<unsigned __int128>(multiplier_) * n) >> 64);
    }
    return static_cast<uint8_t>(n / divisor_);
  }

 private:
  uint64_t divisor_;
  uint64_t half_;
  uint64_t multiplier_ = 0;
  bool fast_ = false;
};

// Scales one plane of xs.taps.size() x ys.taps.size() from a plane `stride` wide.
void ScalePlane(const uint8_t* src, size_t stride, const AxisWeights& xs, const AxisWeights& ys,
                uint8_t* dst, std::vector<uint32_t>& row) {
  const RoundedDivider divide(uint64_t{xs.total} * ys.total);
  const int dst_width = static_cast<int>(xs.taps.size());
  const int dst_height = static_cast<int>(ys.taps.size());
  row.resize(stride);
  for (int y = 0; y < dst_height; ++y) {
    // Vertical pass into `row` (at most ys.total * 255 per entry, fits 32 bits), then horizontal.
    const Tap& ty = ys.taps[static_cast<size_t>(y)];
    const uint32_t* wy = &ys.weights[ty.offset];
    const uint8_t* line = src + static_cast<size_t>(ty.first) * stride;
    for (size_t x = 0; x < stride; ++x) row[x] = wy[0] * line[x];
    for (int j = 1; j < ty.count; ++j) {
      line += stride;
      const uint32_t w = wy[j];
      for (size_t x = 0; x < stride; ++x) row[x] += w * line[x];
    }
    uint8_t* out = dst + static_cast<size_t>(y) * static_cast<size_t>(dst_width);
    for (int x = 0; x < dst_width; ++x) {
      const Tap& tx = xs.taps[static_cast<size_t>(x)];
      const uint32_t* wx = &xs.weights[tx.offset];
      const uint32_t* in = &row[static_cast<size_t>(tx.first)];
      uint64_t sum = 0;
      for (int i = 0; i < tx.count; ++i) sum += uint64_t{wx[i]} * in[i];
      out[x] = divide(sum);
    }
  }
}

}  // namespace

Result<RawVideoFrame> ScaleI420(const RawVideoFrame& in, int width, int height) {
  if (width < 2 || height < 2 || width > kMaxScaledDimension || height > kMaxScaledDimension ||
      width % 2 != 0 || height % 2 != 0) {
    return Error{ErrorCode::kInvalidArgument, "scaled width and height must be even, 2..16384"};
  }
  if (in.width < 1 || in.height < 1 || in.width > kMaxScaledDimension ||
      in.height > kMaxScaledDimension) {
    return Error{ErrorCode::kInvalidArgument, "input frame width and height must be 1..16384"};
  }
  if (in.i420.size() != RawVideoFrame::I420Size(in.width, in.height)) {
    return Error{ErrorCode::kInvalidArgument, "input frame buffer size does not match its size"};
  }

  RawVideoFrame out;
  out.width = width;
  out.height = height;
  out.capture_time = in.capture_time;
  out.frame_id = in.frame_id;
  if (width == in.width && height == in.height) {
    out.i420 = in.i420;
    return out;
  }
  out.i420.resize(RawVideoFrame::I420Size(width, height));

  const size_t in_luma = static_cast<size_t>(in.width) * static_cast<size_t>(in.height);
  const int in_cw = (in.width + 1) / 2;
  const int in_ch = (in.height + 1) / 2;
  const size_t in_chroma = static_cast<size_t>(in_cw) * static_cast<size_t>(in_ch);
  const size_t out_luma = static_cast<size_t>(width) * static_cast<size_t>(height);
  const int out_cw = width / 2;
  const int out_ch = height / 2;
  const size_t out_chroma = static_cast<size_t>(out_cw) * static_cast<size_t>(out_ch);

  const AxisWeights luma_x = ComputeAxis(in.width, width);
  const AxisWeights luma_y = ComputeAxis(in.height, height);
  const AxisWeights chroma_x = ComputeAxis(in_cw, out_cw);
  const AxisWeights chroma_y = ComputeAxis(in_ch, out_ch);
  std::vector<uint32_t> row;
  const uint8_t* src = in.i420.data();
  uint8_t* dst = out.i420.data();
  ScalePlane(src, static_cast<size_t>(in.width), luma_x, luma_y, dst, row);
  ScalePlane(src + in_luma, static_cast<size_t>(in_cw), chroma_x, chroma_y, dst + out_luma, row);
  ScalePlane(src + in_luma + in_chroma, static_cast<size_t>(in_cw), chroma_x, chroma_y,
             dst + out_luma + out_chroma, row);
  return out;
}

}  // namespace comodal::engine
