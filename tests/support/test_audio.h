#ifndef TESTS_SUPPORT_TEST_AUDIO_H_
#define TESTS_SUPPORT_TEST_AUDIO_H_

#include <cstdint>
#include <span>
#include <vector>

namespace comodal::testing {

// Deterministic speech-like audio, mono: voiced syllables (a glottal pulse train with a gliding
// pitch of 100-220 Hz through three formant resonators that move every syllable) separated by
// pauses of silence, so that codecs see both talkspurts (for FEC and concealment) and silence
// (for DTX). A sine or white noise hides those behaviours.
std::vector<int16_t> SyntheticSpeech(int sample_rate, int samples, uint64_t seed);

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
