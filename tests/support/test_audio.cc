#include "tests/support/test_audio.h"

#include <algorithm>
#include <cmath>

namespace comodal::testing {

Alignment Align(std::span<const int16_t> reference, std::span<const int16_t> decoded, int max_lag) {
  Alignment best;
  for (int lag = 0; lag <= max_lag; ++lag) {
    double cross = 0, energy_ref = 0, energy_dec = 0;
    for (size_t n = 0; n + static_cast<size_t>(lag) < decoded.size() && n < reference.size(); ++n) {
      const double r = reference[n];
      const double d = decoded[n + static_cast<size_t>(lag)];
      cross += r * d;
      energy_ref += r * r;
      energy_dec += d * d;
    }
    if (energy_ref <= 0 || energy_dec <= 0) continue;
    const double correlation = cross / std::sqrt(energy_ref * energy_dec);
    if (correlation > best.correlation) best = {correlation, lag};
  }
  return best;
}

double SnrDb(std::span<const int16_t> reference, std::span<const int16_t> decoded, int lag) {
  double signal = 0, noise = 0;
  for (size_t n = 0; n + static_cast<size_t>(lag) < decoded.size() && n < reference.size(); ++n) {
    const double r = reference[n];
    const double e = decoded[n + static_cast<size_t>(lag)] - r;
    signal += r * r;
    noise += e * e;
  }
  if (noise <= 0) return 200;
  return 10 * std::log10(signal / noise);
}

}  // namespace comodal::testing
