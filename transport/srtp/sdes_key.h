#ifndef TRANSPORT_SRTP_SDES_KEY_H_
#define TRANSPORT_SRTP_SDES_KEY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "transport/base/result.h"
#include "transport/srtp/srtp_session.h"

namespace comodal {

// A static SRTP key given in configuration, as RFC 4568 SDES carries it in an "inline:" key
// parameter: base64 (RFC 4648) of the 16-byte master key followed by the 14-byte master salt,
// hence AES_CM_128_HMAC_SHA1_80 (the profile GStreamer's srtpenc/srtpdec default to). Both
// directions use it, as a pair of srtpenc/srtpdec configured with one key do. For
// interoperability tests only: the key never changes, so two runs with it reuse keystream.
// The error says what is wrong with the text, never repeating the key.
Result<SrtpKeys, std::string> ParseSdesKey(std::string_view base64);

// Base64 (RFC 4648, with padding) of `bytes`: how such a key is written.
std::string EncodeBase64(std::span<const uint8_t> bytes);

}  // namespace comodal

#endif  // TRANSPORT_SRTP_SDES_KEY_H_
