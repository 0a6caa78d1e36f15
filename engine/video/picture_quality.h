#ifndef ENGINE_VIDEO_PICTURE_QUALITY_H_
#define ENGINE_VIDEO_PICTURE_QUALITY_H_

#include "engine/codec/video_frame.h"

namespace comodal::engine {

// Quality of a decoded picture against the picture that was sent, on the luma plane (the
// convention of codec comparisons): PSNR in dB (capped at 99 for identical planes) and SSIM
// (Wang et al., IEEE TIP 2004) over 8x8 windows with a step of 4, the constants of the paper
// (K1 = 0.01, K2 = 0.03, L = 255). Pictures of different sizes compare as 0 dB / 0.
double LumaPsnr(const RawVideoFrame& sent, const RawVideoFrame& decoded);
double LumaSsim(const RawVideoFrame& sent, const RawVideoFrame& decoded);

}  // namespace comodal::engine

#endif  // ENGINE_VIDEO_PICTURE_QUALITY_H_
