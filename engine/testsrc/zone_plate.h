#ifndef ENGINE_TESTSRC_ZONE_PLATE_H_
#define ENGINE_TESTSRC_ZONE_PLATE_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "engine/codec/video_frame.h"

namespace comodal::engine {

// Capture time of frame 0 of generated test video.
inline constexpr Timestamp kTestMediaStart = Timestamp::Seconds(100);

// The demanding test picture of DESIGN.md, GStreamer's `videotestsrc pattern=zone-plate kx2=20
// ky2=20 kt=1` computed here: luma is a sine of phase kx2*x^2/w + ky2*y^2/h + kt*t (x, y from the
// centre, phase in 1/256 cycle), rings whose frequency rises towards the edges and drift a little
// each frame, so that neither intra nor motion-compensated prediction gets them cheaply. Chroma
// carries slow waves, so that its planes are not free either.
class ZonePlate {
 public:
  ZonePlate(int width, int height) : width_(width), height_(height) {
    for (size_t i = 0; i < kPhases; ++i) {
      sine_[i] = static_cast<uint8_t>(std::lround(
          128 + 127 * std::sin(2 * std::numbers::pi * static_cast<double>(i) / kPhases)));
    }
    auto quadratic = [](int n) {
      std::vector<uint32_t> phase(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) {
        const int64_t c = i - n / 2;
        phase[static_cast<size_t>(i)] = static_cast<uint32_t>(kK2 * c * c / n);
      }
      return phase;
    };
    x_phase_ = quadratic(width);
    y_phase_ = quadratic(height);
  }

  RawVideoFrame Frame(int index, double frame_rate = 30) const {
    RawVideoFrame frame;
    frame.width = width_;
    frame.height = height_;
    frame.frame_id = static_cast<uint64_t>(index);
    frame.capture_time =
        kTestMediaStart + TimeDelta::Micros(std::llround(index * 1e6 / frame_rate));
    frame.i420.resize(RawVideoFrame::I420Size(width_, height_));
    uint8_t* out = frame.i420.data();
    const auto t = static_cast<uint32_t>(index) * kKt;
    for (int y = 0; y < height_; ++y) {
      for (int x = 0; x < width_; ++x) {
        *out++ = sine_[(x_phase_[static_cast<size_t>(x)] + y_phase_[static_cast<size_t>(y)] + t) %
                       kPhases];
      }
    }
    const int cw = (width_ + 1) / 2;
    const int ch = (height_ + 1) / 2;
    for (int plane = 0; plane < 2; ++plane) {
      for (int y = 0; y < ch; ++y) {
        for (int x = 0; x < cw; ++x) {
          const auto p = static_cast<uint32_t>(plane == 0 ? 2 * x + y : 3 * y + x) + t;
          *out++ = static_cast<uint8_t>(64 + sine_[p % kPhases] / 2);
        }
      }
    }
    return frame;
  }

 private:
  static constexpr size_t kPhases = 256;
  static constexpr int64_t kK2 = 20;  // kx2 = ky2.
  static constexpr uint32_t kKt = 1;
  int width_;
  int height_;
  std::array<uint8_t, kPhases> sine_{};
  std::vector<uint32_t> x_phase_;
  std::vector<uint32_t> y_phase_;
};

}  // namespace comodal::engine

#endif  // ENGINE_TESTSRC_ZONE_PLATE_H_
