#ifndef ENGINE_TESTSRC_SYNTHETIC_SPEECH_H_
#define ENGINE_TESTSRC_SYNTHETIC_SPEECH_H_

#include <cstdint>
#include <vector>

namespace comodal::engine {

// Deterministic speech-like audio, mono: voiced syllables (a glottal pulse train with a gliding
// pitch of 100-220 Hz through three formant resonators that move every syllable) separated by
// pauses of silence, so that codecs see both talkspurts (for FEC and concealment) and silence
// (for DTX). A sine or white noise hides those behaviours.
std::vector<int16_t> SyntheticSpeech(int sample_rate, int samples, uint64_t seed);

}  // namespace comodal::engine

#endif  // ENGINE_TESTSRC_SYNTHETIC_SPEECH_H_
