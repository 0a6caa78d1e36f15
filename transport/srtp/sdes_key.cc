#include "transport/srtp/sdes_key.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace comodal {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Sextet(char c) {
  const size_t at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// Strict RFC 4648 §4 decoding: whole quanta, '=' only as final padding.
std::optional<std::vector<uint8_t>> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const size_t padding = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    uint32_t quantum = 0;
    for (size_t j = 0; j < 4; ++j) {
      const int value = j >= 4 - padding ? 0 : Sextet(text[i + j]);
      if (value < 0) return std::nullopt;
      quantum = (quantum << 6) | static_cast<uint32_t>(value);
    }
    if (padding == 1 && text[i + 2] == '=') return std::nullopt;
    out.push_back(static_cast<uint8_t>(quantum >> 16));
    if (padding < 2) out.push_back(static_cast<uint8_t>(quantum >> 8));
    if (padding < 1) out.push_back(static_cast<uint8_t>(quantum));
  }
  return out;
}

}  // namespace

std::string EncodeBase64(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t quantum = uint32_t{bytes[i]} << 16;
    if (n > 1) quantum |= uint32_t{bytes[i + 1]} << 8;
    if (n > 2) quantum |= bytes[i + 2];
    for (size_t j = 0; j < 4; ++j) {
      out += j <= n ? kAlphabet[(quantum >> (18 - 6 * j)) & 0x3F] : '=';
    }
  }
  return out;
}

Result<SrtpKeys, std::string> ParseSdesKey(std::string_view base64) {
  constexpr SrtpProfile kProfile = SrtpProfile::kAesCm128HmacSha1_80;
  const std::optional<std::vector<uint8_t>> key = DecodeBase64(base64);
  if (!key) return std::string("the SRTP key is not base64 (RFC 4648, padded)");
  if (key->size() != MasterKeyAndSaltSize(kProfile)) {
    return "the SRTP key must be " + std::to_string(MasterKeyAndSaltSize(kProfile)) +
           " bytes (a 16-byte master key and a 14-byte salt for " +
           std::string(ToString(kProfile)) + "), got " + std::to_string(key->size());
  }
  return SrtpKeys{kProfile, *key, *key};
}

}  // namespace comodal
