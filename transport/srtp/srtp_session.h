#ifndef TRANSPORT_SRTP_SRTP_SESSION_H_
#define TRANSPORT_SRTP_SRTP_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "transport/base/result.h"
#include "transport/rtp/sequence_number.h"
#include "transport/srtp/srtp_profile.h"

struct srtp_ctx_t_;  // libsrtp2's session; <srtp2/srtp.h> stays in srtp_session.cc.

namespace comodal {

// The keys of one SRTP session: the profile and, for each direction, the master key followed by
// the master salt (MasterKeyAndSaltSize(profile) bytes). DTLS-SRTP derives them per handshake
// (RFC 5764 §4.2); an RFC 4568 SDES-style static key gives both directions the same bytes.
struct SrtpKeys {
  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  std::vector<uint8_t> local;   // Protects what this end sends.
  std::vector<uint8_t> remote;  // Verifies what the peer sends.
};

// SRTP and SRTCP (RFC 3711, RFC 7714) for one flow, over libsrtp2: protects outgoing RTP and
// RTCP with the local key and unprotects incoming ones with the remote key, any SSRC in each
// direction. Every operation works in place on the caller's buffer; failures are error values
// (never exceptions), so arbitrary bytes may be handed to the Unprotect functions.
//
// Replay protection (RFC 3711 §3.3.2) is on, with a window wide enough for NACK repairs:
// kReplayWindow packets per SSRC cover a repair arriving 1 s after its original at the top video
// rate (20 Mbit/s of 1200-byte packets is ~2100 packets a second). SRTCP's window is libsrtp's
// fixed 128 reports.
//
// A sender may protect the same RTP packet again (a retransmission of a packet already sent, as
// MediaSender's NACK repairs are): the same bytes under the same index produce the same SRTP
// packet and reveal nothing. Different bytes under an index already used would reuse the
// keystream (and, with GCM, the nonce, which gives away the authentication key), so ProtectRtp
// refuses them (kInvalidArgument).
class SrtpSession {
 public:
  static constexpr size_t kReplayWindow = 4096;

  // Fails when a key is not MasterKeyAndSaltSize(profile) bytes or libsrtp refuses the policy.
  static Result<std::unique_ptr<SrtpSession>, std::string> Create(const SrtpKeys& keys);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  SrtpProfile profile() const { return profile_; }

  // Protects the RTP packet in buffer[0, packet_size) in place and returns the SRTP packet's
  // size; `buffer` must have room for SrtpRtpOverhead(profile()) more bytes (serialisers leave
  // kSrtpTrailerHeadroom). Errors: kBufferTooSmall, kTruncated/kMalformed (not an RTP header),
  // kReplayed (older than the replay window), kInvalidArgument (a repeat with other bytes).
  Result<size_t> ProtectRtp(std::span<uint8_t> buffer, size_t packet_size);
  // The same for an RTCP compound packet (SrtpRtcpOverhead(profile()) more bytes).
  Result<size_t> ProtectRtcp(std::span<uint8_t> buffer, size_t packet_size);

  // Verifies and decrypts the SRTP packet in place; returns the RTP packet's size (a prefix of
  // `packet`). Errors: kAuthenticationFailed, kReplayed, kTruncated/kMalformed.
  Result<size_t> UnprotectRtp(std::span<uint8_t> packet);
  // The same for SRTCP.
  Result<size_t> UnprotectRtcp(std::span<uint8_t> packet);

 private:
  // What was protected under each recent index of one outgoing SSRC, to tell a harmless repeat
  // from a keystream reuse.
  struct SentIndex {
    int64_t index = -1;
    uint64_t digest = 0;
  };
  struct OutgoingStream {
    SeqNumUnwrapper<uint16_t> unwrapper;
    std::vector<SentIndex> recent = std::vector<SentIndex>(kReplayWindow);
  };

  SrtpSession(SrtpProfile profile, srtp_ctx_t_* outbound, srtp_ctx_t_* inbound);

  SrtpProfile profile_;
  srtp_ctx_t_* outbound_;
  srtp_ctx_t_* inbound_;
  std::unordered_map<uint32_t, OutgoingStream> outgoing_;
};

}  // namespace comodal

#endif  // TRANSPORT_SRTP_SRTP_SESSION_H_
