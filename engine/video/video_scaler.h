#ifndef ENGINE_VIDEO_VIDEO_SCALER_H_
#define ENGINE_VIDEO_VIDEO_SCALER_H_

#include "engine/codec/video_frame.h"
#include "transport/base/result.h"

namespace comodal::engine {

inline constexpr int kMaxScaledDimension = 16384;

// Resizes an I420 frame to `width` x `height` by area averaging: each destination pixel is the
// mean of the source area it covers, partly covered source pixels weighted by the covered
// fraction (exact integer weights, rounded to nearest once at the end). So a 2:1 reduction
// averages 2x2 blocks exactly, a flat picture stays flat at any ratio (640->480 included), and a
// same-size call is a copy. Upscaling works too (pixel replication, blended at fractional
// ratios), though the ladder only downscales. Luma and each chroma plane are scaled on their own
// grids ((w+1)/2 x (h+1)/2 for chroma), as I420 subsamples them.
//
// Preconditions, checked (kInvalidArgument otherwise): `width` and `height` are even and in
// 2..kMaxScaledDimension (even, so the chroma planes cover the luma plane exactly and the
// encoders take the size); `in` is 1..kMaxScaledDimension on each side and its buffer holds
// exactly RawVideoFrame::I420Size(in.width, in.height) bytes.
// capture_time and frame_id are carried over unchanged.
//
// Cost: weights are computed once per call; the work is about two multiply-adds per source
// sample, with one row of 32-bit accumulators allocated per call (not per pixel).
Result<RawVideoFrame> ScaleI420(const RawVideoFrame& in, int width, int height);

}  // namespace comodal::engine

#endif  // ENGINE_VIDEO_VIDEO_SCALER_H_
