#include "transport/srtp/srtp_session.h"

#include <srtp2/srtp.h>
#include <string.h>

#include <array>
#include <climits>
#include <cstring>
#include <mutex>

#include "transport/base/byte_io.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/srtp/srtp_policy.h"

namespace comodal {
namespace {

static_assert(SrtpRtcpOverhead(SrtpProfile::kAeadAes128Gcm) <= kSrtpTrailerHeadroom &&
                  SrtpRtcpOverhead(SrtpProfile::kAesCm128HmacSha1_80) <= kSrtpTrailerHeadroom &&
                  SrtpRtpOverhead(SrtpProfile::kAeadAes128Gcm) <= kSrtpTrailerHeadroom,
              "serialisers' trailer headroom must fit every profile's SRTP/SRTCP trailer");

constexpr size_t kRtpFixedHeader = 12;
constexpr size_t kRtcpHeader = 8;
constexpr size_t kSrtcpIndexSize = 4;
// libsrtp takes lengths as int; nothing bigger than a UDP datagram reaches it.
constexpr size_t kMaxPacketSize = 65536;
// A sender has a handful of SSRCs (audio, video, their repair streams); a cap keeps the repeat
// records bounded whatever a caller hands in.
constexpr size_t kMaxOutgoingSsrcs = 64;

srtp_err_status_t InitLibSrtp() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_ok;
  std::call_once(once, [] { status = srtp_init(); });
  return status;
}

// The RTP header's length (fixed part, CSRCs, header extension), checked against the bytes.
Result<size_t> RtpHeaderSize(std::span<const uint8_t> packet) {
  if (packet.size() < kRtpFixedHeader)
    return Error{ErrorCode::kTruncated, "shorter than an RTP header"};
  if ((packet[0] >> 6) != 2) return Error{ErrorCode::kBadVersion, "RTP version is not 2"};
  size_t size = kRtpFixedHeader + 4 * size_t{packet[0] & 0x0Fu};
  if ((packet[0] & 0x10) != 0) {
    if (packet.size() < size + 4) {
      return Error{ErrorCode::kTruncated, "RTP header extension header past the end"};
    }
    size += 4 + 4 * size_t{LoadBE16(packet.data() + size + 2)};
  }
  if (packet.size() < size) return Error{ErrorCode::kTruncated, "RTP header past the end"};
  return size;
}

Status CheckRtcpHeader(std::span<const uint8_t> packet) {
  if (packet.size() < kRtcpHeader)
    return Error{ErrorCode::kTruncated, "shorter than an RTCP header"};
  if ((packet[0] >> 6) != 2) return Error{ErrorCode::kBadVersion, "RTCP version is not 2"};
  return Status::Ok();
}

// A 64-bit digest of a packet's bytes: tells an identical retransmission from different bytes
// under the same index. The input is this end's own packets, so it need not resist collisions
// an attacker would search for; it must be cheap next to the cipher, hence four independent
// multiply-xor lanes over 32-byte blocks (bench/transport/srtp_session_bench.cc: the whole
// wrapper adds about a tenth to AES-GCM's time on a media packet).
uint64_t Digest(std::span<const uint8_t> bytes) {
  constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
  auto mix = [](uint64_t hash, uint64_t word) {
    hash = (hash ^ word) * kMultiplier;
    return hash ^ (hash >> 29);
  };
  std::array<uint64_t, 4> lanes = {bytes.size(), 1, 2, 3};
  size_t i = 0;
  for (; i + 32 <= bytes.size(); i += 32) {
    for (size_t lane = 0; lane < lanes.size(); ++lane) {
      lanes[lane] = mix(lanes[lane], LoadBE64(bytes.data() + i + 8 * lane));
    }
  }
  uint64_t hash = 0;
  for (uint64_t lane : lanes) hash = mix(hash, lane);
  for (; i < bytes.size(); ++i) hash = mix(hash, bytes[i]);
  return hash ^ (hash >> 32);
}

Error UnprotectError(srtp_err_status_t status, bool rtcp) {
  switch (status) {
    case srtp_err_status_auth_fail:
    case srtp_err_status_cipher_fail:  // An AEAD (GCM) tag mismatch.
      return Error{ErrorCode::kAuthenticationFailed,
                   rtcp ? "SRTCP authentication tag does not match"
                        : "SRTP authentication tag does not match"};
    case srtp_err_status_replay_fail:
      return Error{ErrorCode::kReplayed,
                   rtcp ? "SRTCP index already received" : "SRTP index already received"};
    case srtp_err_status_replay_old:
      return Error{ErrorCode::kReplayed, rtcp ? "SRTCP index older than the replay window"
                                              : "SRTP index older than the replay window"};
    default:
      return Error{ErrorCode::kMalformed,
                   rtcp ? "libsrtp rejected the SRTCP packet" : "libsrtp rejected the SRTP packet"};
  }
}

Error ProtectError(srtp_err_status_t status) {
  if (status == srtp_err_status_replay_old) {
    return Error{ErrorCode::kReplayed, "index older than the replay window: too late to resend"};
  }
  return Error{ErrorCode::kMalformed, "libsrtp refused to protect the packet"};
}

Result<srtp_ctx_t_*, std::string> CreateContext(SrtpProfile profile, std::vector<uint8_t> key,
                                                srtp_ssrc_type_t direction) {
  if (key.size() != MasterKeyAndSaltSize(profile)) {
    return std::string(ToString(profile)) + " needs " +
           std::to_string(MasterKeyAndSaltSize(profile)) + " bytes of master key and salt, got " +
           std::to_string(key.size());
  }
  srtp_policy_t policy = SrtpPolicyFor(profile, direction, key.data());
  srtp_t context = nullptr;
  const srtp_err_status_t status = srtp_create(&context, &policy);
  explicit_bzero(key.data(), key.size());  // libsrtp keeps only the derived session keys.
  if (status != srtp_err_status_ok) {
    return "libsrtp refused the " + std::string(ToString(profile)) + " policy (status " +
           std::to_string(status) + ")";
  }
  return context;
}

}  // namespace

Result<std::unique_ptr<SrtpSession>, std::string> SrtpSession::Create(const SrtpKeys& keys) {
  if (const srtp_err_status_t status = InitLibSrtp(); status != srtp_err_status_ok) {
    return "libsrtp failed to initialise (status " + std::to_string(status) + ")";
  }
  auto outbound = CreateContext(keys.profile, keys.local, ssrc_any_outbound);
  if (!outbound.ok()) return "local key: " + outbound.error();
  auto inbound = CreateContext(keys.profile, keys.remote, ssrc_any_inbound);
  if (!inbound.ok()) {
    srtp_dealloc(*outbound);
    return "remote key: " + inbound.error();
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(keys.profile, *outbound, *inbound));
}

SrtpSession::SrtpSession(SrtpProfile profile, srtp_ctx_t_* outbound, srtp_ctx_t_* inbound)
    : profile_(profile), outbound_(outbound), inbound_(inbound) {}

SrtpSession::~SrtpSession() {
  srtp_dealloc(outbound_);
  srtp_dealloc(inbound_);
}

Result<size_t> SrtpSession::ProtectRtp(std::span<uint8_t> buffer, size_t packet_size) {
  if (packet_size > buffer.size() || packet_size > kMaxPacketSize) {
    return Error{ErrorCode::kInvalidArgument, "packet size exceeds the buffer"};
  }
  const std::span<const uint8_t> packet = buffer.first(packet_size);
  if (auto header = RtpHeaderSize(packet); !header.ok()) return header.error();
  if (buffer.size() - packet_size < SrtpRtpOverhead(profile_)) {
    return Error{ErrorCode::kBufferTooSmall, "no room for the SRTP tag after the packet"};
  }
  const uint32_t ssrc = LoadBE32(packet.data() + 8);
  const uint16_t sequence_number = LoadBE16(packet.data() + 2);
  auto stream = outgoing_.find(ssrc);
  if (stream == outgoing_.end()) {
    if (outgoing_.size() >= kMaxOutgoingSsrcs) {
      return Error{ErrorCode::kUnsupported, "too many outgoing SSRCs on one SRTP session"};
    }
    stream = outgoing_.try_emplace(ssrc).first;
  }
  const int64_t index = stream->second.unwrapper.PeekUnwrap(sequence_number);
  const int64_t window = static_cast<int64_t>(kReplayWindow);
  SentIndex& slot =
      stream->second.recent[static_cast<size_t>(((index % window) + window) % window)];
  const uint64_t digest = Digest(packet);
  if (slot.index == index && slot.digest != digest) {
    return Error{ErrorCode::kInvalidArgument,
                 "a sequence number already protected, with other bytes: would reuse the "
                 "keystream"};
  }
  int length = static_cast<int>(packet_size);
  const srtp_err_status_t status = srtp_protect(outbound_, buffer.data(), &length);
  if (status != srtp_err_status_ok) return ProtectError(status);
  stream->second.unwrapper.Unwrap(sequence_number);
  slot = SentIndex{index, digest};
  return static_cast<size_t>(length);
}

Result<size_t> SrtpSession::ProtectRtcp(std::span<uint8_t> buffer, size_t packet_size) {
  if (packet_size > buffer.size() || packet_size > kMaxPacketSize) {
    return Error{ErrorCode::kInvalidArgument, "packet size exceeds the buffer"};
  }
  if (Status header = CheckRtcpHeader(buffer.first(packet_size)); !header.ok()) {
    return header.error();
  }
  if (buffer.size() - packet_size < SrtpRtcpOverhead(profile_)) {
    return Error{ErrorCode::kBufferTooSmall, "no room for the SRTCP index and tag"};
  }
  int length = static_cast<int>(packet_size);
  const srtp_err_status_t status = srtp_protect_rtcp(outbound_, buffer.data(), &length);
  if (status != srtp_err_status_ok) return ProtectError(status);
  return static_cast<size_t>(length);
}

Result<size_t> SrtpSession::UnprotectRtp(std::span<uint8_t> packet) {
  if (packet.size() > kMaxPacketSize) return Error{ErrorCode::kBadLength, "larger than a datagram"};
  auto header = RtpHeaderSize(packet);
  if (!header.ok()) return header.error();
  if (packet.size() < *header + SrtpRtpOverhead(profile_)) {
    return Error{ErrorCode::kTruncated, "no room for the SRTP tag after the RTP header"};
  }
  int length = static_cast<int>(packet.size());
  const srtp_err_status_t status = srtp_unprotect(inbound_, packet.data(), &length);
  if (status != srtp_err_status_ok) return UnprotectError(status, /*rtcp=*/false);
  return static_cast<size_t>(length);
}

Result<size_t> SrtpSession::UnprotectRtcp(std::span<uint8_t> packet) {
  if (packet.size() > kMaxPacketSize) return Error{ErrorCode::kBadLength, "larger than a datagram"};
  if (Status header = CheckRtcpHeader(packet); !header.ok()) return header.error();
  if (packet.size() < kRtcpHeader + kSrtcpIndexSize + Info(profile_).rtcp_tag_size) {
    return Error{ErrorCode::kTruncated, "no room for the SRTCP index and tag"};
  }
  int length = static_cast<int>(packet.size());
  const srtp_err_status_t status = srtp_unprotect_rtcp(inbound_, packet.data(), &length);
  if (status != srtp_err_status_ok) return UnprotectError(status, /*rtcp=*/true);
  return static_cast<size_t>(length);
}

}  // namespace comodal
