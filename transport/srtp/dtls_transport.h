#ifndef TRANSPORT_SRTP_DTLS_TRANSPORT_H_
#define TRANSPORT_SRTP_DTLS_TRANSPORT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "transport/base/result.h"
#include "transport/srtp/certificate.h"
#include "transport/srtp/srtp_profile.h"
#include "transport/srtp/srtp_session.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// The side that connects is the DTLS client (`comodal send`, the hub calling a site); the side
// that listens is the server (`comodal recv`). RFC 5763 §5's a=setup negotiation is replaced by
// this fixed rule, since comodal has no SDP exchange.
enum class DtlsRole : uint8_t { kClient, kServer };

enum class DtlsState : uint8_t {
  kNew,         // Server: no ClientHello yet. Client: Start() not called.
  kConnecting,  // Handshake under way.
  kConnected,   // Handshake done, peer certificate matched the pinned fingerprint, keys exported.
  kFailed,      // Handshake failed (error() says why); no keys.
  kClosed,      // The peer sent close_notify (or Close() was called) after connecting.
};
std::string_view ToString(DtlsState state);
std::string_view ToString(DtlsRole role);

struct DtlsConfig {
  DtlsRole role = DtlsRole::kClient;
  std::shared_ptr<const Certificate> certificate;
  // The only certificate the peer may present (both sides pin: mutual authentication).
  std::optional<CertificateFingerprint> peer_fingerprint;
  // Offered (client) or accepted (server) in order of preference (RFC 5764 §4.1.1).
  std::vector<SrtpProfile> srtp_profiles = {SrtpProfile::kAeadAes128Gcm,
                                            SrtpProfile::kAesCm128HmacSha1_80};
  // Handshake retransmission (RFC 6347 §4.2.4): a flight is resent when its answer has not come
  // after this long, then after twice as long each time, up to the maximum. RFC 6347's 1 s is
  // below a GEO round trip plus a flight's transmission on a 256 kbit/s uplink in a loaded
  // modem; 1.5 s (twice DESIGN.md's worst GEO RTT of 750 ms) resends only what was really lost.
  // OpenSSL gives up after 12 retransmissions: about 90 s with these values.
  TimeDelta initial_retransmission_timeout = TimeDelta::Millis(1500);
  TimeDelta max_retransmission_timeout = TimeDelta::Seconds(8);
  // Largest datagram the handshake writes (certificate flights are fragmented to fit).
  size_t mtu = 1200;
};

// What a call produced: datagrams for the peer, in order, and when OnTimeout wants to be called
// (PlusInfinity: no timer).
struct [[nodiscard]] DtlsOutput {
  std::vector<std::vector<uint8_t>> datagrams;
  Timestamp next_timeout = Timestamp::PlusInfinity();
};

// DTLS 1.2 with the use_srtp extension (RFC 5764) over OpenSSL, as a state machine over
// datagrams: no socket, no thread, no clock of its own. Each input carries its time; each call
// returns the datagrams to send and the next timer. On completion it checks the peer's
// certificate against the pinned SHA-256 fingerprint (a peer presenting any other certificate
// fails the handshake with an error naming both fingerprints) and exports the SRTP keys
// (RFC 5764 §4.2, "EXTRACTOR-dtls_srtp"), each end's local key being its own write key.
//
// Timers: the retransmission durations are DtlsConfig's (OpenSSL's DTLS_set_timer_cb), but
// OpenSSL decides whether a timer expired against its own real-time clock, not against the
// times given here. next_timeout is the time given plus what OpenSSL says remains, so on a real
// clock the two agree; under simulated time a handshake without loss never needs a timer and
// behaves the same, while retransmission after loss only happens once real time has passed
// (tests exercise it in real time).
//
// No HelloVerifyRequest cookie exchange: it would cost a GEO round trip (~600 ms) on every
// connection, and what it guards against (a spoofed ClientHello turning the server into an
// amplifier) is bounded here by the server's small ECDSA flight (about 4x a ClientHello).
class DtlsTransport {
 public:
  static Result<std::unique_ptr<DtlsTransport>, std::string> Create(const DtlsConfig& config);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Client: sends the ClientHello. Server: nothing to do until the first datagram.
  DtlsOutput Start(Timestamp now);
  // A DTLS datagram from the peer (first byte 20-63, RFC 7983).
  DtlsOutput OnDatagram(std::span<const uint8_t> datagram, Timestamp now);
  // Called at (or after) the last next_timeout: resends the last flight if OpenSSL's timer
  // expired; fails the handshake after too many attempts.
  DtlsOutput OnTimeout(Timestamp now);
  // Sends close_notify if connected; the state becomes kClosed.
  DtlsOutput Close(Timestamp now);

  DtlsRole role() const;
  DtlsState state() const;
  // Why the handshake failed or the connection closed; empty otherwise.
  const std::string& error() const;
  // Set once connected: the negotiated profile and this end's and the peer's keys.
  const std::optional<SrtpKeys>& srtp_keys() const;
  // From the first handshake datagram sent or received to completion.
  std::optional<TimeDelta> handshake_duration() const;
  // The fingerprint of the certificate the peer presented, once it did.
  const std::optional<CertificateFingerprint>& presented_fingerprint() const;
  // Flights resent after a timeout.
  uint64_t retransmissions() const;
  uint64_t datagrams_received() const;
  uint64_t datagrams_sent() const;

  struct Impl;

 private:
  explicit DtlsTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The random of a ClientHello when `datagram` starts with a DTLS record carrying the first
// fragment of one (RFC 6347 §4.1, §4.2.2: handshake content type 22, epoch 0, handshake type 1,
// fragment offset 0), else nullopt. A listener tells a new connection attempt from a
// retransmission of the hello it already answered by this value.
std::optional<std::array<uint8_t, 32>> DtlsClientHelloRandom(std::span<const uint8_t> datagram);

}  // namespace comodal

#endif  // TRANSPORT_SRTP_DTLS_TRANSPORT_H_
