#ifndef TRANSPORT_LINK_RANDOM_H_
#define TRANSPORT_LINK_RANDOM_H_

#include <cstdint>

namespace comodal::link {

// A small seeded generator (SplitMix64) whose output is the same on every platform and standard
// library: a link run with a given seed is reproducible anywhere (std::*_distribution is not).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1), 53 bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Bernoulli(double p) { return Uniform() < p; }

 private:
  uint64_t state_;
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_RANDOM_H_
