#include "engine/video/picture_quality.h"

#include <algorithm>
#include <cmath>

namespace comodal::engine {

double LumaPsnr(const RawVideoFrame& sent, const RawVideoFrame& decoded) {
  if (sent.width != decoded.width || sent.height != decoded.height) return 0;
  const size_t n = static_cast<size_t>(sent.width) * static_cast<size_t>(sent.height);
  double squared = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(sent.i420[i]) - static_cast<double>(decoded.i420[i]);
    squared += d * d;
  }
  if (squared == 0) return 99;
  return 10 * std::log10(255.0 * 255.0 * static_cast<double>(n) / squared);
}

double LumaSsim(const RawVideoFrame& sent, const RawVideoFrame& decoded) {
  if (sent.width != decoded.width || sent.height != decoded.height) return 0;
  constexpr int kWindow = 8;
  constexpr int kStep = 4;
  constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
  constexpr double kC2 = (0.03 * 255) * (0.03 * 255);
  const int width = sent.width;
  double total = 0;
  int windows = 0;
  for (int y = 0; y + kWindow <= sent.height; y += kStep) {
    for (int x = 0; x + kWindow <= width; x += kStep) {
      double sum_a = 0, sum_b = 0, sum_aa = 0, sum_bb = 0, sum_ab = 0;
      for (int j = 0; j < kWindow; ++j) {
        const size_t row = static_cast<size_t>((y + j) * width + x);
        for (int i = 0; i < kWindow; ++i) {
          const double a = sent.i420[row + static_cast<size_t>(i)];
          const double b = decoded.i420[row + static_cast<size_t>(i)];
          sum_a += a, sum_b += b, sum_aa += a * a, sum_bb += b * b, sum_ab += a * b;
        }
      }
      constexpr double n = kWindow * kWindow;
      const double mean_a = sum_a / n, mean_b = sum_b / n;
      const double var_a = sum_aa / n - mean_a * mean_a;
      const double var_b = sum_bb / n - mean_b * mean_b;
      const double cov = sum_ab / n - mean_a * mean_b;
      total += ((2 * mean_a * mean_b + kC1) * (2 * cov + kC2)) /
               ((mean_a * mean_a + mean_b * mean_b + kC1) * (var_a + var_b + kC2));
      ++windows;
    }
  }
  return windows == 0 ? 0 : total / windows;
}

}  // namespace comodal::engine
