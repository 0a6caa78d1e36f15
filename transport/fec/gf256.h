#ifndef TRANSPORT_FEC_GF256_H_
#define TRANSPORT_FEC_GF256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace comodal::gf256 {

// Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D, the one Reed-Solomon
// erasure codes commonly use, e.g. RFC 5510 §8.1): addition is XOR, multiplication goes through
// log and exp tables of the generator 2.
struct Tables {
  std::array<uint8_t, 512> exp{};  // Doubled, so exp[log a + log b] needs no reduction.
  std::array<uint8_t, 256> log{};  // log[0] is unused.
};

constexpr Tables MakeTables() {
  Tables t;
  unsigned x = 1;
  for (size_t i = 0; i < 255; ++i) {
    t.exp[i] = static_cast<uint8_t>(x);
    t.log[x] = static_cast<uint8_t>(i);
    x <<= 1;
    if (x & 0x100) x ^= 0x11D;
  }
  for (size_t i = 255; i < t.exp.size(); ++i) t.exp[i] = t.exp[i - 255];
  return t;
}

inline constexpr Tables kTables = MakeTables();

constexpr uint8_t Mul(uint8_t a, uint8_t b) {
  if (a == 0 || b == 0) return 0;
  return kTables.exp[kTables.log[a] + kTables.log[b]];
}

// The inverse of a non-zero element (0 has none: returns 0).
constexpr uint8_t Inv(uint8_t a) { return a == 0 ? 0 : kTables.exp[255 - kTables.log[a]]; }

// dst[i] ^= coefficient * src[i] for i < src.size() (dst at least as long).
void MulAdd(std::span<uint8_t> dst, std::span<const uint8_t> src, uint8_t coefficient);
// v[i] = coefficient * v[i].
void Scale(std::span<uint8_t> v, uint8_t coefficient);

}  // namespace comodal::gf256

#endif  // TRANSPORT_FEC_GF256_H_
