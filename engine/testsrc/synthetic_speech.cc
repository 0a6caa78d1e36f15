#include "engine/testsrc/synthetic_speech.h"

#include <algorithm>
#include <cmath>

#include "transport/link/random.h"

namespace comodal::engine {
namespace {

// A two-pole resonator (a formant) at `frequency` with `bandwidth`, in Hz.
struct Resonator {
  double a1 = 0, a2 = 0, gain = 1, y1 = 0, y2 = 0;
  void Tune(double frequency, double bandwidth, int rate) {
    const double r = std::exp(-M_PI * bandwidth / rate);
    a1 = 2 * r * std::cos(2 * M_PI * frequency / rate);
    a2 = -r * r;
    gain = 1 - r;
  }
  double Step(double x) {
    const double y = gain * x + a1 * y1 + a2 * y2;
    y2 = y1;
    y1 = y;
    return y;
  }
};

}  // namespace

std::vector<int16_t> SyntheticSpeech(int sample_rate, int samples, uint64_t seed) {
  link::Random random(seed);
  std::vector<int16_t> out(static_cast<size_t>(samples), 0);
  Resonator formants[3];
  int i = 0;
  while (i < samples) {
    // A syllable of 150-350 ms, then a pause of 100-500 ms.
    const int syllable = static_cast<int>(sample_rate * (0.15 + 0.2 * random.Uniform()));
    const int pause = static_cast<int>(sample_rate * (0.1 + 0.4 * random.Uniform()));
    const double f0_start = 100 + 120 * random.Uniform();
    const double f0_end = 100 + 120 * random.Uniform();
    formants[0].Tune(300 + 500 * random.Uniform(), 80, sample_rate);
    formants[1].Tune(900 + 1300 * random.Uniform(), 120, sample_rate);
    formants[2].Tune(2300 + 900 * random.Uniform(), 200, sample_rate);
    double phase = 0;
    for (int k = 0; k < syllable && i < samples; ++k, ++i) {
      const double progress = static_cast<double>(k) / syllable;
      const double f0 = f0_start + (f0_end - f0_start) * progress;
      phase += f0 / sample_rate;
      double excitation = 0;
      if (phase >= 1) {
        phase -= 1;
        excitation = 1;
      }
      excitation += 0.02 * (random.Uniform() - 0.5);  // Breath noise.
      const double envelope = std::sin(M_PI * progress);
      double y = 0;
      for (Resonator& f : formants) y += f.Step(excitation);
      out[static_cast<size_t>(i)] =
          static_cast<int16_t>(std::clamp(y * envelope * 60000.0, -32000.0, 32000.0));
    }
    i += pause;
  }
  return out;
}

}  // namespace comodal::engine
