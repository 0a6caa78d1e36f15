#include "transport/fec/gf256.h"

namespace comodal::gf256 {

void MulAdd(std::span<uint8_t> dst, std::span<const uint8_t> src, uint8_t coefficient) {
  if (coefficient == 0) return;
  if (coefficient == 1) {
    for (size_t i = 0; i < src.size(); ++i) dst[i] ^= src[i];
    return;
  }
  // One row of the product table: a lookup per byte.
  std::array<uint8_t, 256> row;
  for (unsigned b = 0; b < 256; ++b) row[b] = Mul(coefficient, static_cast<uint8_t>(b));
  for (size_t i = 0; i < src.size(); ++i) dst[i] ^= row[src[i]];
}

void Scale(std::span<uint8_t> v, uint8_t coefficient) {
  if (coefficient == 1) return;
  std::array<uint8_t, 256> row;
  for (unsigned b = 0; b < 256; ++b) row[b] = Mul(coefficient, static_cast<uint8_t>(b));
  for (uint8_t& x : v) x = row[x];
}

}  // namespace comodal::gf256
