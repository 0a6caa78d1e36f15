#include "transport/srtp/secure_datagram_path.h"

#include <algorithm>

#include "transport/base/logging.h"
#include "transport/rtp/packet_demux.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

// The largest datagram a socket hands over (UdpSocket::kMaxDatagramSize), plus room for the
// trailer protection adds.
constexpr size_t kMaxDatagramSize = 65536;

}  // namespace

std::string_view ToString(SrtpKeying keying) {
  return keying == SrtpKeying::kDtlsSrtp ? "dtls-srtp" : "static-key";
}

Result<std::unique_ptr<SecureDatagramPath>, std::string> SecureDatagramPath::WithDtls(
    TaskScheduler& scheduler, const DtlsConfig& config, SendDatagram send, DeliverPacket deliver) {
  auto dtls = DtlsTransport::Create(config);
  if (!dtls.ok()) return dtls.error();
  std::unique_ptr<SecureDatagramPath> path(new SecureDatagramPath(
      scheduler, SrtpKeying::kDtlsSrtp, std::move(send), std::move(deliver)));
  path->dtls_config_ = config;
  path->dtls_ = std::move(*dtls);
  return path;
}

Result<std::unique_ptr<SecureDatagramPath>, std::string> SecureDatagramPath::WithStaticKeys(
    TaskScheduler& scheduler, const SrtpKeys& keys, SendDatagram send, DeliverPacket deliver) {
  auto session = SrtpSession::Create(keys);
  if (!session.ok()) return session.error();
  std::unique_ptr<SecureDatagramPath> path(new SecureDatagramPath(
      scheduler, SrtpKeying::kStaticKey, std::move(send), std::move(deliver)));
  path->session_ = std::move(*session);
  return path;
}

SecureDatagramPath::SecureDatagramPath(TaskScheduler& scheduler, SrtpKeying keying,
                                       SendDatagram send, DeliverPacket deliver)
    : scheduler_(scheduler),
      keying_(keying),
      send_(std::move(send)),
      deliver_(std::move(deliver)),
      outgoing_(kMaxDatagramSize + kSrtpTrailerHeadroom),
      incoming_(kMaxDatagramSize) {}

SecureDatagramPath::~SecureDatagramPath() { timer_.Cancel(); }

std::optional<SrtpProfile> SecureDatagramPath::profile() const {
  return session_ ? std::optional(session_->profile()) : std::nullopt;
}

void SecureDatagramPath::Start() {
  if (!dtls_ || dtls_->role() != DtlsRole::kClient || dtls_->state() != DtlsState::kNew) return;
  const Timestamp now = scheduler_.Now();
  Handle(*dtls_, dtls_->Start(now), now);
}

void SecureDatagramPath::Close() {
  if (!dtls_ || dtls_->state() != DtlsState::kConnected) return;
  const Timestamp now = scheduler_.Now();
  Handle(*dtls_, dtls_->Close(now), now);
}

void SecureDatagramPath::Drop(DropCounter& counter, const Error& error, Timestamp now) {
  if (auto summary = counter.Count(error, now)) {
    // Packets a handshake in progress holds back are expected; the rest deserve attention.
    GetLogger("transport.srtp")
        ->log(error.code == ErrorCode::kNoKeys ? spdlog::level::info : spdlog::level::warn, "{}",
              *summary);
  }
}

void SecureDatagramPath::SendPacket(std::span<const uint8_t> packet, Timestamp now) {
  const PacketKind kind = ClassifyPacket(packet);
  if (kind != PacketKind::kRtp && kind != PacketKind::kRtcp) {
    Drop(stats_.out_drops, Error{ErrorCode::kInvalidArgument, "not an RTP or RTCP packet"}, now);
    return;
  }
  if (!session_) {
    Drop(stats_.out_drops,
         Error{ErrorCode::kNoKeys, "no SRTP keys yet: the DTLS handshake has not completed"}, now);
    return;
  }
  if (packet.size() > kMaxDatagramSize) {
    Drop(stats_.out_drops, Error{ErrorCode::kBadLength, "larger than a datagram"}, now);
    return;
  }
  std::copy(packet.begin(), packet.end(), outgoing_.begin());
  const Result<size_t> protected_size = kind == PacketKind::kRtp
                                            ? session_->ProtectRtp(outgoing_, packet.size())
                                            : session_->ProtectRtcp(outgoing_, packet.size());
  if (!protected_size.ok()) {
    Drop(stats_.out_drops, protected_size.error(), now);
    return;
  }
  ++(kind == PacketKind::kRtp ? stats_.rtp_protected : stats_.rtcp_protected);
  send_(std::span<const uint8_t>(outgoing_.data(), *protected_size), now);
}

bool SecureDatagramPath::OnDatagram(std::span<const uint8_t> datagram, Timestamp arrival) {
  const PacketKind kind = ClassifyPacket(datagram);
  if (kind == PacketKind::kDtls) return OnDtls(datagram, arrival);
  if (kind != PacketKind::kRtp && kind != PacketKind::kRtcp) {
    Drop(stats_.other_in_drops,
         Error{ErrorCode::kUnsupported, "neither DTLS, SRTP nor SRTCP (RFC 7983 first byte)"},
         arrival);
    return false;
  }
  const bool rtp = kind == PacketKind::kRtp;
  DropCounter& drops = rtp ? stats_.srtp_in_drops : stats_.srtcp_in_drops;
  if (!session_) {
    Drop(drops, Error{ErrorCode::kNoKeys, "no SRTP keys yet: the DTLS handshake has not completed"},
         arrival);
    return false;
  }
  if (datagram.size() > incoming_.size()) {
    Drop(drops, Error{ErrorCode::kBadLength, "larger than a datagram"}, arrival);
    return false;
  }
  std::copy(datagram.begin(), datagram.end(), incoming_.begin());
  const std::span<uint8_t> packet(incoming_.data(), datagram.size());
  const Result<size_t> plain_size =
      rtp ? session_->UnprotectRtp(packet) : session_->UnprotectRtcp(packet);
  if (!plain_size.ok()) {
    Drop(drops, plain_size.error(), arrival);
    return false;
  }
  ++(rtp ? stats_.rtp_unprotected : stats_.rtcp_unprotected);
  deliver_(packet.first(*plain_size), arrival);
  return true;
}

bool SecureDatagramPath::OnDtls(std::span<const uint8_t> datagram, Timestamp arrival) {
  ++stats_.dtls_datagrams_in;
  if (!dtls_) {
    Drop(stats_.other_in_drops,
         Error{ErrorCode::kUnsupported, "DTLS on a path keyed with a static key"}, arrival);
    return false;
  }
  const bool server = dtls_->role() == DtlsRole::kServer;
  const std::optional<std::array<uint8_t, 32>> hello =
      server ? DtlsClientHelloRandom(datagram) : std::nullopt;
  DtlsTransport* target = pending_ ? pending_.get() : dtls_.get();
  if (hello) {
    if (dtls_->state() == DtlsState::kNew || hello == hello_random_) {
      // The first hello, or the current handshake's hello again (a retransmission).
      hello_random_ = hello;
      target = dtls_.get();
    } else if (hello != pending_hello_random_) {
      // A new connection attempt: run it beside the keys in use.
      auto fresh = DtlsTransport::Create(*dtls_config_);
      if (!fresh.ok()) {
        GetLogger("transport.srtp")->error("cannot start a DTLS handshake: {}", fresh.error());
        return false;
      }
      pending_ = std::move(*fresh);
      pending_hello_random_ = hello;
      pending_timeout_ = Timestamp::PlusInfinity();
      target = pending_.get();
    }
  }
  // From the peer as far as can be told: a hello to a server, or the next flight of a handshake
  // under way. Not what arrives after a handshake ended (alerts, retransmitted flights).
  const bool attributed = hello.has_value() || target->state() == DtlsState::kConnecting;
  Handle(*target, target->OnDatagram(datagram, arrival), arrival);
  return attributed;
}

void SecureDatagramPath::Handle(DtlsTransport& dtls, DtlsOutput output, Timestamp now) {
  for (const std::vector<uint8_t>& datagram : output.datagrams) {
    ++stats_.dtls_datagrams_out;
    send_(datagram, now);
  }
  const bool is_pending = &dtls == pending_.get();
  (is_pending ? pending_timeout_ : dtls_timeout_) = output.next_timeout;

  const DtlsState state = dtls.state();
  if (is_pending) {
    if (state == DtlsState::kFailed) {
      // The keys in use stay; the failed attempt is reported and forgotten.
      const std::string error = dtls.error();
      pending_.reset();
      pending_hello_random_.reset();
      pending_timeout_ = Timestamp::PlusInfinity();
      ReportFailure(error);
    }
    if (state != DtlsState::kConnected) {
      ArmTimer();
      return;
    }
    // The peer reconnected: its new keys replace the old ones from now on.
    dtls_ = std::move(pending_);
    hello_random_ = pending_hello_random_;
    dtls_timeout_ = pending_timeout_;
    pending_hello_random_.reset();
    pending_timeout_ = Timestamp::PlusInfinity();
    session_.reset();
    reported_state_ = DtlsState::kConnecting;
  }
  if (state != reported_state_) {
    reported_state_ = state;
    if (state == DtlsState::kConnected) {
      auto session = SrtpSession::Create(*dtls.srtp_keys());
      if (!session.ok()) {
        // Cannot happen with keys a handshake exported; reported as a failed handshake.
        ReportFailure("SRTP session: " + session.error());
      } else {
        session_ = std::move(*session);
        ++stats_.handshakes_completed;
        GetLogger("transport.srtp")
            ->info("DTLS {} connected: {} keys, peer certificate {}", ToString(dtls.role()),
                   ToString(session_->profile()), dtls.presented_fingerprint()->ToString());
        if (on_state_) on_state_(DtlsState::kConnected, "");
      }
    } else if (state == DtlsState::kFailed) {
      ReportFailure(dtls.error());
    } else if (state == DtlsState::kClosed) {
      if (on_state_) on_state_(DtlsState::kClosed, dtls.error());
    }
  }
  ArmTimer();
}

void SecureDatagramPath::ReportFailure(const std::string& error) {
  ++stats_.handshakes_failed;
  stats_.last_handshake_error = error;
  GetLogger("transport.srtp")->error("{}", error);
  if (on_state_) on_state_(DtlsState::kFailed, error);
}

void SecureDatagramPath::OnTimer() {
  timer_at_ = Timestamp::PlusInfinity();
  const Timestamp now = scheduler_.Now();
  if (dtls_ && dtls_timeout_ <= now) Handle(*dtls_, dtls_->OnTimeout(now), now);
  if (pending_ && pending_timeout_ <= now) Handle(*pending_, pending_->OnTimeout(now), now);
  ArmTimer();
}

void SecureDatagramPath::ArmTimer() {
  Timestamp next = dtls_ ? dtls_timeout_ : Timestamp::PlusInfinity();
  if (pending_) next = std::min(next, pending_timeout_);
  if (next == timer_at_ && timer_.pending()) return;
  timer_.Cancel();
  timer_at_ = next;
  if (next.IsInfinite()) return;
  timer_ = scheduler_.PostDelayedTask(next - scheduler_.Now(), [this] { OnTimer(); });
}

}  // namespace comodal
