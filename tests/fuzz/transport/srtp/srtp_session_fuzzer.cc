// Fuzzes SrtpSession with both profiles: arbitrary bytes unprotected as SRTP and as SRTCP must
// give an error or a shorter packet, never a crash; bytes that protect as RTP or RTCP must come
// back identical through a fresh peer session, and must be refused once one byte is changed.
// comodal-fuzz-runs: 20000
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "transport/rtp/rtp_packet.h"
#include "transport/srtp/srtp_session.h"

namespace {

using comodal::ErrorCode;
using comodal::SrtpKeys;
using comodal::SrtpProfile;
using comodal::SrtpSession;

std::vector<uint8_t> Key(SrtpProfile profile, uint8_t seed) {
  std::vector<uint8_t> key(comodal::MasterKeyAndSaltSize(profile));
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + 13 * i);
  return key;
}

std::unique_ptr<SrtpSession> Make(SrtpProfile profile, uint8_t local, uint8_t remote) {
  auto session = SrtpSession::Create(SrtpKeys{profile, Key(profile, local), Key(profile, remote)});
  if (!session.ok()) std::abort();
  return std::move(*session);
}

void Unprotect(SrtpSession& session, const uint8_t* data, size_t size, bool rtcp) {
  std::vector<uint8_t> packet(data, data + size);
  auto plain = rtcp ? session.UnprotectRtcp(packet) : session.UnprotectRtp(packet);
  if (plain.ok() && *plain > size) std::abort();
}

// Protects the input at a fresh sender; the receiver must recover it exactly, and refuse it with
// `flip` applied to one byte.
void RoundTrip(SrtpProfile profile, const uint8_t* data, size_t size, bool rtcp, size_t flip_at) {
  std::unique_ptr<SrtpSession> sender = Make(profile, 1, 2);
  std::vector<uint8_t> buffer(size + comodal::kSrtpTrailerHeadroom);
  std::copy(data, data + size, buffer.begin());
  auto protected_size = rtcp ? sender->ProtectRtcp(buffer, size) : sender->ProtectRtp(buffer, size);
  if (!protected_size.ok()) return;
  if (*protected_size !=
      size + (rtcp ? comodal::SrtpRtcpOverhead(profile) : comodal::SrtpRtpOverhead(profile))) {
    std::abort();
  }
  const std::vector<uint8_t> wire(buffer.begin(), buffer.begin() + *protected_size);

  std::unique_ptr<SrtpSession> receiver = Make(profile, 2, 1);
  std::vector<uint8_t> modified = wire;
  modified[flip_at % modified.size()] ^= 0x10;
  auto refused = rtcp ? receiver->UnprotectRtcp(modified) : receiver->UnprotectRtp(modified);
  if (refused.ok()) std::abort();

  std::vector<uint8_t> received = wire;
  auto plain = rtcp ? receiver->UnprotectRtcp(received) : receiver->UnprotectRtp(received);
  if (!plain.ok() || *plain != size || !std::equal(data, data + size, received.begin())) {
    std::abort();
  }
  // Once received, the same packet again is a replay.
  std::vector<uint8_t> again = wire;
  auto replay = rtcp ? receiver->UnprotectRtcp(again) : receiver->UnprotectRtp(again);
  if (replay.ok() || replay.error().code != ErrorCode::kReplayed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<SrtpSession> gcm = Make(SrtpProfile::kAeadAes128Gcm, 3, 4);
  static std::unique_ptr<SrtpSession> aes_cm = Make(SrtpProfile::kAesCm128HmacSha1_80, 3, 4);
  for (SrtpSession* session : {gcm.get(), aes_cm.get()}) {
    Unprotect(*session, data, size, /*rtcp=*/false);
    Unprotect(*session, data, size, /*rtcp=*/true);
  }
  const size_t flip_at = size > 0 ? data[size - 1] * 7u + size : 0;
  for (SrtpProfile profile : comodal::kAllSrtpProfiles) {
    RoundTrip(profile, data, size, /*rtcp=*/false, flip_at);
    RoundTrip(profile, data, size, /*rtcp=*/true, flip_at);
  }
  return 0;
}
