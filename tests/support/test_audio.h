#ifndef TESTS_SUPPORT_TEST_AUDIO_H_
#define TESTS_SUPPORT_TEST_AUDIO_H_

#include <cstdint>
#include <span>
#include <vector>

#include "engine/testsrc/synthetic_speech.h"

namespace comodal::testing {

using engine::SyntheticSpeech;

// The largest normalised cross-correlation of `decoded` against `reference` over lags 0..max_lag
// (a codec's algorithmic delay shifts its output), and the lag where it is reached.
struct Alignment {
  double correlation = 0;
  int lag = 0;
};
Alignment Align(std::span<const int16_t> reference, std::span<const int16_t> decoded, int max_lag);

// Signal-to-noise ratio in dB of `decoded` against `reference` at a given lag.
double SnrDb(std::span<const int16_t> reference, std::span<const int16_t> decoded, int lag);

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_TEST_AUDIO_H_
