#ifndef TRANSPORT_SRTP_SHA256_H_
#define TRANSPORT_SRTP_SHA256_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace comodal {

// SHA-256 (FIPS 180-4), through OpenSSL: the digest certificate fingerprints use, and the one
// that names content-addressed blobs in the session layer (which may not include OpenSSL).
using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::span<const uint8_t> data);
// Lower-case hex, 64 characters.
std::string ToHex(const Sha256Digest& digest);

}  // namespace comodal

#endif  // TRANSPORT_SRTP_SHA256_H_
