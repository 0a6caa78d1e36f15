#ifndef TRANSPORT_SRTP_SECURE_DATAGRAM_PATH_H_
#define TRANSPORT_SRTP_SECURE_DATAGRAM_PATH_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "transport/base/drop_counter.h"
#include "transport/base/result.h"
#include "transport/srtp/dtls_transport.h"
#include "transport/srtp/srtp_session.h"
#include "transport/time/task_scheduler.h"

namespace comodal {

// How a secured path got its keys.
enum class SrtpKeying : uint8_t {
  kDtlsSrtp,   // A DTLS-SRTP handshake with a pinned peer certificate.
  kStaticKey,  // A key given in configuration (interoperability tests only).
};
std::string_view ToString(SrtpKeying keying);

struct SecureDatagramPathStats {
  uint64_t rtp_protected = 0;
  uint64_t rtcp_protected = 0;
  uint64_t rtp_unprotected = 0;
  uint64_t rtcp_unprotected = 0;
  uint64_t dtls_datagrams_in = 0;
  uint64_t dtls_datagrams_out = 0;
  uint64_t handshakes_completed = 0;  // More than one when a peer reconnected.
  uint64_t handshakes_failed = 0;
  std::string last_handshake_error;  // Why the last failed handshake failed.
  // Dropped, by reason (ErrorCode): incoming SRTP and SRTCP (kAuthenticationFailed, kReplayed,
  // kNoKeys, kTruncated, ...), other incoming datagrams (kUnsupported: STUN, ZRTP, TURN, unknown
  // first byte, DTLS on a statically keyed path), and outgoing RTP/RTCP (kNoKeys before the
  // handshake completed, or what protection refused).
  DropCounter srtp_in_drops{"SRTP packets", TimeDelta::Seconds(10), "rejected"};
  DropCounter srtcp_in_drops{"SRTCP packets", TimeDelta::Seconds(10), "rejected"};
  DropCounter other_in_drops{"datagrams", TimeDelta::Seconds(10), "rejected"};
  DropCounter out_drops{"outgoing RTP/RTCP packets", TimeDelta::Seconds(10), "unsent"};
};

// One flow's UDP 5-tuple carrying DTLS, SRTP and SRTCP together (RFC 7983, RFC 5764 §5.1.2),
// between the socket and the media session:
//
//   media ──SendPacket(plain RTP/RTCP)──▶ protect ──▶ send(datagram) ──▶ socket
//   socket ──OnDatagram(datagram)──▶ classify by first byte ─┬─ DTLS ──▶ handshake
//                                                            └─ SRTP/SRTCP ──▶ unprotect
//                                                                 ──▶ deliver(plain RTP/RTCP)
//
// Nothing passes before keys exist: outgoing packets are dropped (counted, kNoKeys) until the
// handshake completes, and so is anything incoming that is not DTLS. Every datagram dropped is
// counted by reason and summarised in a rate-limited log line (component "transport.srtp").
//
// With DTLS, the client (DtlsRole::kClient) starts the handshake in Start(); a server waits for a
// ClientHello. A server also accepts a new ClientHello after it connected or failed (the peer
// restarted, or retried with a corrected certificate): the new handshake runs beside the keys in
// use, which it replaces only when it completes with the pinned certificate.
//
// Timers run on the scheduler given (real or simulated); every other input carries its time.
class SecureDatagramPath {
 public:
  // Hands a datagram to the network (the UDP socket).
  using SendDatagram = std::function<void(std::span<const uint8_t> datagram, Timestamp now)>;
  // Hands a plain RTP or RTCP packet up to the media session.
  using DeliverPacket = std::function<void(std::span<const uint8_t> packet, Timestamp arrival)>;
  // Called when the handshake completes (state kConnected), fails or the peer closes; `error`
  // says why for the last two.
  using StateHandler = std::function<void(DtlsState state, const std::string& error)>;

  static Result<std::unique_ptr<SecureDatagramPath>, std::string> WithDtls(TaskScheduler& scheduler,
                                                                           const DtlsConfig& config,
                                                                           SendDatagram send,
                                                                           DeliverPacket deliver);
  static Result<std::unique_ptr<SecureDatagramPath>, std::string> WithStaticKeys(
      TaskScheduler& scheduler, const SrtpKeys& keys, SendDatagram send, DeliverPacket deliver);
  ~SecureDatagramPath();
  SecureDatagramPath(const SecureDatagramPath&) = delete;
  SecureDatagramPath& operator=(const SecureDatagramPath&) = delete;

  void set_state_handler(StateHandler handler) { on_state_ = std::move(handler); }

  // A DTLS client sends its ClientHello; otherwise nothing.
  void Start();
  // A plain RTP packet or RTCP compound from the media session (its SendDatagram): protected
  // and sent, or dropped and counted. The bytes are copied; no headroom is needed in `packet`.
  void SendPacket(std::span<const uint8_t> packet, Timestamp now);
  // Every datagram received on the flow's socket. Returns true when it can be attributed to the
  // peer: an SRTP/SRTCP packet that authenticated, or a DTLS datagram that starts (ClientHello
  // to a server) or continues a handshake. A listener learns where to answer only from those
  // (symmetric RTP, RFC 4961), so forged media cannot redirect its feedback; a forged hello can
  // until the peer's next authenticated packet, and wins nothing but unauthenticated handshake
  // messages.
  bool OnDatagram(std::span<const uint8_t> datagram, Timestamp arrival);
  // Sends DTLS close_notify (DTLS keying); packets already protected stay valid.
  void Close();

  SrtpKeying keying() const { return keying_; }
  // True once SRTP keys exist.
  bool secure() const { return session_ != nullptr; }
  std::optional<SrtpProfile> profile() const;
  // The DTLS connection whose keys are in use (or the handshake under way); null for a static
  // key.
  const DtlsTransport* dtls() const { return dtls_.get(); }
  const SecureDatagramPathStats& stats() const { return stats_; }

 private:
  SecureDatagramPath(TaskScheduler& scheduler, SrtpKeying keying, SendDatagram send,
                     DeliverPacket deliver);

  // Returns whether the datagram is attributable to the peer (see OnDatagram).
  bool OnDtls(std::span<const uint8_t> datagram, Timestamp arrival);
  // Sends what a DTLS call produced and re-arms the timer; reports state changes of `dtls`.
  void Handle(DtlsTransport& dtls, DtlsOutput output, Timestamp now);
  void ReportFailure(const std::string& error);
  void OnTimer();
  void ArmTimer();
  void Drop(DropCounter& counter, const Error& error, Timestamp now);

  TaskScheduler& scheduler_;
  const SrtpKeying keying_;
  SendDatagram send_;
  DeliverPacket deliver_;
  StateHandler on_state_;
  std::optional<DtlsConfig> dtls_config_;
  std::unique_ptr<DtlsTransport> dtls_;
  DtlsState reported_state_ = DtlsState::kNew;  // Of `dtls_`, as last reported.
  // A server's second handshake, started by a new ClientHello while `dtls_` is done.
  std::unique_ptr<DtlsTransport> pending_;
  std::optional<std::array<uint8_t, 32>> hello_random_;  // Of the handshake in `dtls_`.
  std::optional<std::array<uint8_t, 32>> pending_hello_random_;
  Timestamp dtls_timeout_ = Timestamp::PlusInfinity();
  Timestamp pending_timeout_ = Timestamp::PlusInfinity();
  TaskHandle timer_;
  Timestamp timer_at_ = Timestamp::PlusInfinity();
  std::unique_ptr<SrtpSession> session_;
  // Packets are protected and unprotected in these, never in the caller's buffer.
  std::vector<uint8_t> outgoing_;
  std::vector<uint8_t> incoming_;
  SecureDatagramPathStats stats_;
};

}  // namespace comodal

#endif  // TRANSPORT_SRTP_SECURE_DATAGRAM_PATH_H_
