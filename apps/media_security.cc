#include "apps/media_security.h"

#include "transport/srtp/certificate.h"
#include "transport/srtp/sdes_key.h"

namespace comodal::apps {

std::optional<MediaSecurity> ResolveSecurity(const SecurityOptions& options, DtlsRole role,
                                             const char* command, std::ostream& err) {
  const std::string prefix = std::string("comodal ") + command + ": ";
  const int modes =
      int{!options.dtls.empty()} + int{!options.srtp_key.empty()} + int{options.no_encrypt};
  if (modes == 0) {
    err << prefix
        << "media is encrypted unless told otherwise: give --dtls CERT,KEY --peer-fingerprint FP "
           "(make them with `comodal cert --out DIR`), --srtp-key BASE64 for interoperability "
           "tests, or --no-encrypt to send RTP in the clear\n";
    return std::nullopt;
  }
  if (modes > 1) {
    err << prefix << "--dtls, --srtp-key and --no-encrypt exclude each other; give one\n";
    return std::nullopt;
  }
  if (options.dtls.empty() && !options.peer_fingerprint.empty()) {
    err << prefix << "--peer-fingerprint goes with --dtls CERT,KEY\n";
    return std::nullopt;
  }

  MediaSecurity security;
  if (!options.srtp_key.empty()) {
    auto keys = ParseSdesKey(options.srtp_key);
    if (!keys.ok()) {
      err << prefix << "--srtp-key: " << keys.error() << "\n";
      return std::nullopt;
    }
    security.static_keys = std::move(*keys);
  }
  if (!options.dtls.empty()) {
    const size_t comma = options.dtls.find(',');
    if (comma == std::string::npos || comma == 0 || comma + 1 == options.dtls.size() ||
        options.dtls.find(',', comma + 1) != std::string::npos) {
      err << prefix << "--dtls takes CERT,KEY (two PEM files, e.g. cert.pem,key.pem), got "
          << options.dtls << "\n";
      return std::nullopt;
    }
    if (options.peer_fingerprint.empty()) {
      err << prefix
          << "--dtls needs --peer-fingerprint FP: the SHA-256 fingerprint of the peer's "
             "certificate (`comodal cert --show PEER_CERT.pem` prints it)\n";
      return std::nullopt;
    }
    auto fingerprint = CertificateFingerprint::Parse(options.peer_fingerprint);
    if (!fingerprint.ok()) {
      err << prefix << "--peer-fingerprint: " << fingerprint.error() << "\n";
      return std::nullopt;
    }
    auto certificate =
        Certificate::Load(options.dtls.substr(0, comma), options.dtls.substr(comma + 1));
    if (!certificate.ok()) {
      err << prefix << "--dtls: " << certificate.error() << "\n";
      return std::nullopt;
    }
    DtlsConfig config;
    config.role = role;
    config.certificate = std::shared_ptr<const Certificate>(std::move(*certificate));
    config.peer_fingerprint = *fingerprint;
    security.dtls = std::move(config);
  }
  return security;
}

Result<std::unique_ptr<SecureDatagramPath>, std::string> MakeSecurePath(
    const MediaSecurity& security, TaskScheduler& scheduler, SecureDatagramPath::SendDatagram send,
    SecureDatagramPath::DeliverPacket deliver) {
  if (security.dtls) {
    return SecureDatagramPath::WithDtls(scheduler, *security.dtls, std::move(send),
                                        std::move(deliver));
  }
  if (security.static_keys) {
    return SecureDatagramPath::WithStaticKeys(scheduler, *security.static_keys, std::move(send),
                                              std::move(deliver));
  }
  return std::unique_ptr<SecureDatagramPath>();
}

std::string DescribeSecurity(const MediaSecurity& security) {
  if (security.dtls) {
    return std::string("DTLS-SRTP ") + std::string(ToString(security.dtls->role)) +
           ", own certificate " + security.dtls->certificate->fingerprint().ToString();
  }
  if (security.static_keys) {
    return std::string("SRTP ") + std::string(ToString(security.static_keys->profile)) +
           " with a static key (interoperability tests only)";
  }
  return "unencrypted (--no-encrypt)";
}

nlohmann::json SecurityStats(const SecureDatagramPath* path) {
  if (path == nullptr) return {{"mode", "none"}};
  const SecureDatagramPathStats& s = path->stats();
  auto optional_string = [](const std::string& text) {
    return text.empty() ? nlohmann::json() : nlohmann::json(text);
  };
  // Malformed: every reason but the three counted on their own.
  auto malformed = [](const DropCounter& drops) {
    return drops.total() - drops.count(ErrorCode::kAuthenticationFailed) -
           drops.count(ErrorCode::kReplayed) - drops.count(ErrorCode::kNoKeys);
  };
  nlohmann::json stats = {
      {"mode", ToString(path->keying())},
      {"profile", path->profile() ? nlohmann::json(ToString(*path->profile())) : nlohmann::json()},
      {"srtp_packets_in", s.rtp_unprotected},
      {"srtcp_packets_in", s.rtcp_unprotected},
      {"srtp_packets_out", s.rtp_protected},
      {"srtcp_packets_out", s.rtcp_protected},
      {"srtp_auth_failures", s.srtp_in_drops.count(ErrorCode::kAuthenticationFailed)},
      {"srtp_replays", s.srtp_in_drops.count(ErrorCode::kReplayed)},
      {"srtcp_auth_failures", s.srtcp_in_drops.count(ErrorCode::kAuthenticationFailed)},
      {"srtcp_replays", s.srtcp_in_drops.count(ErrorCode::kReplayed)},
      {"dropped_malformed", malformed(s.srtp_in_drops) + malformed(s.srtcp_in_drops)},
      {"dropped_before_keys_in",
       s.srtp_in_drops.count(ErrorCode::kNoKeys) + s.srtcp_in_drops.count(ErrorCode::kNoKeys)},
      {"dropped_before_keys_out", s.out_drops.count(ErrorCode::kNoKeys)},
      {"dropped_out_other", s.out_drops.total() - s.out_drops.count(ErrorCode::kNoKeys)},
      {"dropped_not_srtp", s.other_in_drops.total()},
  };
  if (const DtlsTransport* dtls = path->dtls()) {
    const std::optional<TimeDelta> handshake = dtls->handshake_duration();
    stats["dtls"] = {
        {"role", ToString(dtls->role())},
        {"state", ToString(dtls->state())},
        {"handshake_ms", handshake ? nlohmann::json(handshake->ms_f()) : nlohmann::json()},
        {"handshakes_completed", s.handshakes_completed},
        {"handshakes_failed", s.handshakes_failed},
        {"retransmissions", dtls->retransmissions()},
        {"datagrams_in", s.dtls_datagrams_in},
        {"datagrams_out", s.dtls_datagrams_out},
        {"peer_fingerprint", dtls->presented_fingerprint()
                                 ? nlohmann::json(dtls->presented_fingerprint()->ToString())
                                 : nlohmann::json()},
        {"last_error", optional_string(s.last_handshake_error)},
    };
  }
  return stats;
}

}  // namespace comodal::apps
