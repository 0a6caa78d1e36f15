#ifndef TRANSPORT_SRTP_SRTP_PROFILE_H_
#define TRANSPORT_SRTP_SRTP_PROFILE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace comodal {

// The SRTP protection profiles comodal speaks (RFC 5764 §4.1.2, RFC 7714 §14.2).
enum class SrtpProfile : uint8_t {
  // RFC 7714: AES-128 in GCM, encryption and authentication in one pass with a 128-bit tag.
  // The default (as in WebRTC): one AES-NI/CLMUL pass instead of AES plus HMAC-SHA1, and a
  // stronger tag, for 6 bytes more per packet than the 80-bit HMAC.
  kAeadAes128Gcm,
  // RFC 3711: AES-128 counter mode with an 80-bit HMAC-SHA1 tag. What every SRTP stack and
  // GStreamer's srtpenc/srtpdec support, and what RFC 4568 SDES keys (`--srtp-key`) carry.
  kAesCm128HmacSha1_80,
};

struct SrtpProfileInfo {
  std::string_view name;       // RFC name: "AEAD_AES_128_GCM".
  std::string_view dtls_name;  // OpenSSL's use_srtp name: "SRTP_AEAD_AES_128_GCM".
  uint16_t dtls_id;            // RFC 5764 §4.1.2 / IANA "DTLS-SRTP Protection Profiles".
  size_t master_key_size;
  size_t master_salt_size;
  size_t rtp_tag_size;   // Bytes SRTP appends to an RTP packet.
  size_t rtcp_tag_size;  // Authentication tag of SRTCP (the 4-byte E+index word comes on top).
};

// RFC 7714 §12 (GCM: 12-byte salt, 16-byte tag on both RTP and RTCP), RFC 3711 §5 (AES-CM:
// 14-byte salt, HMAC-SHA1 truncated to 80 bits on both RTP and RTCP). Indexed by SrtpProfile.
inline constexpr std::array<SrtpProfileInfo, 2> kSrtpProfiles = {{
    {"AEAD_AES_128_GCM", "SRTP_AEAD_AES_128_GCM", 0x0007, 16, 12, 16, 16},
    {"AES_CM_128_HMAC_SHA1_80", "SRTP_AES128_CM_SHA1_80", 0x0001, 16, 14, 10, 10},
}};
inline constexpr std::array<SrtpProfile, 2> kAllSrtpProfiles = {SrtpProfile::kAeadAes128Gcm,
                                                                SrtpProfile::kAesCm128HmacSha1_80};

constexpr const SrtpProfileInfo& Info(SrtpProfile profile) {
  return kSrtpProfiles[static_cast<size_t>(profile)];
}
inline std::string_view ToString(SrtpProfile profile) { return Info(profile).name; }

// Bytes protecting a packet adds: the tag for RTP; the E flag + SRTCP index word and the tag for
// RTCP (RFC 3711 §3.4). Within kSrtpTrailerHeadroom for every profile.
constexpr size_t SrtpRtpOverhead(SrtpProfile profile) { return Info(profile).rtp_tag_size; }
constexpr size_t SrtpRtcpOverhead(SrtpProfile profile) { return 4 + Info(profile).rtcp_tag_size; }
// Master key followed by master salt, as libsrtp and RFC 4568 inline keys lay them out.
constexpr size_t MasterKeyAndSaltSize(SrtpProfile profile) {
  return Info(profile).master_key_size + Info(profile).master_salt_size;
}

// By RFC name (case-sensitive, as in SDP) or OpenSSL name.
std::optional<SrtpProfile> SrtpProfileFromName(std::string_view name);
std::optional<SrtpProfile> SrtpProfileFromDtlsId(uint16_t id);

}  // namespace comodal

#endif  // TRANSPORT_SRTP_SRTP_PROFILE_H_
