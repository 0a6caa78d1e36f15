// SRTP cost per packet: comodal's SrtpSession against libsrtp2 called directly with the same
// policy (same profile, 4096-packet replay window, repeats allowed), on a 1 136-byte media
// packet. The difference is what the wrapper adds: header checks, the repeat record that tells
// a byte-identical retransmission from keystream reuse, error mapping. Argument: 0 =
// AEAD_AES_128_GCM, 1 = AES_CM_128_HMAC_SHA1_80. items_per_second is packets per second.
#include <benchmark/benchmark.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <memory>
#include <vector>

#include "bench/transport/media_packet.h"
#include "transport/base/byte_io.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/srtp/srtp_policy.h"
#include "transport/srtp/srtp_session.h"

namespace comodal {
namespace {

constexpr size_t kPackets = 8192;  // Distinct indexes a receiver is fed before it is renewed.

SrtpProfile ProfileOf(const benchmark::State& state) {
  return state.range(0) == 0 ? SrtpProfile::kAeadAes128Gcm : SrtpProfile::kAesCm128HmacSha1_80;
}

std::vector<uint8_t> Key(SrtpProfile profile) {
  std::vector<uint8_t> key(MasterKeyAndSaltSize(profile));
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 11 + 3);
  return key;
}

// libsrtp2 with the policy SrtpSession uses.
struct RawLibSrtp {
  srtp_t context = nullptr;
  RawLibSrtp(SrtpProfile profile, bool outbound) {
    srtp_init();
    std::vector<uint8_t> key = Key(profile);
    srtp_policy_t policy =
        SrtpPolicyFor(profile, outbound ? ssrc_any_outbound : ssrc_any_inbound, key.data());
    if (srtp_create(&context, &policy) != srtp_err_status_ok) std::abort();
  }
  ~RawLibSrtp() { srtp_dealloc(context); }
};

std::unique_ptr<SrtpSession> Session(SrtpProfile profile) {
  return std::move(SrtpSession::Create({profile, Key(profile), Key(profile)}).value());
}

// Protects the packet again and again, each time under the next sequence number, as a sender
// does: the plain packet is copied into the send buffer first (both sides).
template <typename Protect>
void ProtectLoop(benchmark::State& state, Protect protect) {
  const std::vector<uint8_t> packet = MakeMediaPacket();
  std::vector<uint8_t> buffer(kMaxPacketBufferSize);
  uint16_t sequence_number = 0;
  for (auto _ : state) {
    std::memcpy(buffer.data(), packet.data(), packet.size());
    StoreBE16(buffer.data() + 2, sequence_number++);
    benchmark::DoNotOptimize(protect(buffer, packet.size()));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SrtpSessionProtectRtp(benchmark::State& state) {
  std::unique_ptr<SrtpSession> session = Session(ProfileOf(state));
  ProtectLoop(state, [&](std::vector<uint8_t>& buffer, size_t size) {
    return session->ProtectRtp(buffer, size).value();
  });
}
BENCHMARK(BM_SrtpSessionProtectRtp)->Arg(0)->Arg(1);

void BM_LibSrtpProtectRtp(benchmark::State& state) {
  RawLibSrtp raw(ProfileOf(state), /*outbound=*/true);
  ProtectLoop(state, [&](std::vector<uint8_t>& buffer, size_t size) {
    int length = static_cast<int>(size);
    if (srtp_protect(raw.context, buffer.data(), &length) != srtp_err_status_ok) std::abort();
    return length;
  });
}
BENCHMARK(BM_LibSrtpProtectRtp)->Arg(0)->Arg(1);

// Unprotects kPackets distinct SRTP packets in turn (each copied into the receive buffer, as
// SecureDatagramPath does); the receiver is renewed, off the clock, when they are used up.
template <typename MakeReceiver, typename Unprotect>
void UnprotectLoop(benchmark::State& state, MakeReceiver make_receiver, Unprotect unprotect) {
  std::unique_ptr<SrtpSession> sender = Session(ProfileOf(state));
  const std::vector<uint8_t> packet = MakeMediaPacket();
  std::vector<std::vector<uint8_t>> protected_packets;
  for (size_t i = 0; i < kPackets; ++i) {
    std::vector<uint8_t> buffer(kMaxPacketBufferSize);
    std::memcpy(buffer.data(), packet.data(), packet.size());
    StoreBE16(buffer.data() + 2, static_cast<uint16_t>(i));
    buffer.resize(sender->ProtectRtp(buffer, packet.size()).value());
    protected_packets.push_back(std::move(buffer));
  }
  auto receiver = make_receiver();
  std::vector<uint8_t> buffer(kMaxPacketBufferSize);
  size_t next = 0;
  for (auto _ : state) {
    if (next == kPackets) {
      state.PauseTiming();
      receiver = make_receiver();
      next = 0;
      state.ResumeTiming();
    }
    const std::vector<uint8_t>& srtp = protected_packets[next++];
    std::memcpy(buffer.data(), srtp.data(), srtp.size());
    benchmark::DoNotOptimize(unprotect(*receiver, buffer, srtp.size()));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SrtpSessionUnprotectRtp(benchmark::State& state) {
  UnprotectLoop(
      state, [&] { return Session(ProfileOf(state)); },
      [](SrtpSession& session, std::vector<uint8_t>& buffer, size_t size) {
        return session.UnprotectRtp(std::span(buffer.data(), size)).value();
      });
}
BENCHMARK(BM_SrtpSessionUnprotectRtp)->Arg(0)->Arg(1);

void BM_LibSrtpUnprotectRtp(benchmark::State& state) {
  UnprotectLoop(
      state, [&] { return std::make_unique<RawLibSrtp>(ProfileOf(state), false); },
      [](RawLibSrtp& raw, std::vector<uint8_t>& buffer, size_t size) {
        int length = static_cast<int>(size);
        if (srtp_unprotect(raw.context, buffer.data(), &length) != srtp_err_status_ok) {
          std::abort();
        }
        return length;
      });
}
BENCHMARK(BM_LibSrtpUnprotectRtp)->Arg(0)->Arg(1);

}  // namespace
}  // namespace comodal
