#ifndef APPS_MEDIA_SECURITY_H_
#define APPS_MEDIA_SECURITY_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "transport/base/result.h"
#include "transport/srtp/dtls_transport.h"
#include "transport/srtp/secure_datagram_path.h"
#include "transport/srtp/srtp_session.h"
#include "transport/time/task_scheduler.h"

namespace comodal::apps {

// How `comodal send`/`recv` protect media; exactly one of the three modes must be chosen.
struct SecurityOptions {
  std::string dtls;              // "CERT,KEY": DTLS-SRTP with this identity (PEM files).
  std::string peer_fingerprint;  // With --dtls: the only certificate the peer may present.
  std::string srtp_key;          // Base64 static key (interoperability tests only).
  bool no_encrypt = false;       // Plain RTP/RTCP, explicitly.
};

// The options checked and loaded: a DTLS configuration, static keys, or neither (--no-encrypt).
struct MediaSecurity {
  std::optional<DtlsConfig> dtls;
  std::optional<SrtpKeys> static_keys;
};

// Checks `options` for `command` ("send": the DTLS client, "recv": the server) and loads the
// certificate. On a mistake writes a message a person can act on to `err` and returns nullopt
// (the command then exits with status 2).
std::optional<MediaSecurity> ResolveSecurity(const SecurityOptions& options, DtlsRole role,
                                             const char* command, std::ostream& err);

// The path that protects media for `security`, or null for --no-encrypt.
Result<std::unique_ptr<SecureDatagramPath>, std::string> MakeSecurePath(
    const MediaSecurity& security, TaskScheduler& scheduler, SecureDatagramPath::SendDatagram send,
    SecureDatagramPath::DeliverPacket deliver);

// One line saying how media is protected, for a command's start-up line.
std::string DescribeSecurity(const MediaSecurity& security);

// The "security" object of a stats file (`path` null: no encryption).
nlohmann::json SecurityStats(const SecureDatagramPath* path);

}  // namespace comodal::apps

#endif  // APPS_MEDIA_SECURITY_H_
