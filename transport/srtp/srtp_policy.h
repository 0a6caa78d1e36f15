#ifndef TRANSPORT_SRTP_SRTP_POLICY_H_
#define TRANSPORT_SRTP_SRTP_POLICY_H_

// libsrtp2's terms: for transport/srtp and the benches that measure libsrtp2 itself.
#include <srtp2/srtp.h>

#include <cstdint>
#include <cstring>

#include "transport/srtp/srtp_profile.h"
#include "transport/srtp/srtp_session.h"

namespace comodal {

// The libsrtp2 policy of an SrtpSession context: `profile`'s crypto for RTP and RTCP, any SSRC
// in `direction`, the session's replay window, and byte-identical repeats allowed on send
// (SrtpSession::ProtectRtp lets through only those). `key` (master key and salt) must outlive
// srtp_create().
inline srtp_policy_t SrtpPolicyFor(SrtpProfile profile, srtp_ssrc_type_t direction, uint8_t* key) {
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  if (profile == SrtpProfile::kAeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  policy.ssrc.type = direction;
  policy.key = key;
  policy.window_size = SrtpSession::kReplayWindow;
  policy.allow_repeat_tx = 1;
  policy.next = nullptr;
  return policy;
}

}  // namespace comodal

#endif  // TRANSPORT_SRTP_SRTP_POLICY_H_
