#include "transport/srtp/dtls_transport.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <mutex>

#include "transport/base/byte_io.h"
#include "transport/srtp/openssl_error.h"

namespace comodal {
namespace {

// RFC 5764 §4.2: the exporter label of DTLS-SRTP keying material.
constexpr std::string_view kExporterLabel = "EXTRACTOR-dtls_srtp";
constexpr size_t kDtlsRecordHeaderSize = 13;  // RFC 6347 §4.1
constexpr uint8_t kContentTypeHandshake = 22;
constexpr uint8_t kHandshakeTypeClientHello = 1;
// A handshake record larger than this is not one of ours (certificates are fragmented to the
// MTU); it is still handed to OpenSSL, which judges it. Reads use a buffer this large.
constexpr size_t kMaxDatagramSize = 65536;

}  // namespace

struct DtlsTransport::Impl {
  DtlsConfig config;
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  DtlsState state = DtlsState::kNew;
  std::string error;
  std::optional<SrtpKeys> keys;
  std::optional<CertificateFingerprint> presented;
  std::optional<Timestamp> started_at;
  std::optional<TimeDelta> handshake_duration;
  uint64_t retransmissions = 0;
  uint64_t datagrams_received = 0;
  uint64_t datagrams_sent = 0;
  // The datagram OpenSSL reads during the current call, and what it writes.
  std::span<const uint8_t> inbound;
  bool inbound_consumed = true;
  std::vector<std::vector<uint8_t>> outbound;
  // Why the peer's certificate was refused, or the alert the peer sent: clearer than OpenSSL's
  // reason string, which only says that verification failed.
  std::string verify_error;
  std::string peer_alert;

  ~Impl() {
    SSL_free(ssl);  // Frees the BIO too.
    SSL_CTX_free(context);
  }

  DtlsOutput Output(Timestamp now);
  void Fail(std::string why);
  void Advance(Timestamp now);
  void Connected(Timestamp now);
};

namespace {

// A BIO whose reads return the one datagram being processed and whose writes each become one
// outgoing datagram: DTLS needs datagram boundaries kept, which OpenSSL 3.0's memory BIO does
// not do.
int BioWrite(BIO* bio, const char* data, int size) {
  auto* impl = static_cast<DtlsTransport::Impl*>(BIO_get_data(bio));
  if (size <= 0) return 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data);
  impl->outbound.emplace_back(bytes, bytes + size);
  return size;
}

int BioRead(BIO* bio, char* data, int size) {
  auto* impl = static_cast<DtlsTransport::Impl*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (impl->inbound_consumed || size <= 0) {
    BIO_set_retry_read(bio);
    return -1;
  }
  // A datagram longer than the reader's buffer is truncated, as a datagram socket would do.
  const size_t n = std::min(impl->inbound.size(), static_cast<size_t>(size));
  std::copy_n(impl->inbound.data(), n, reinterpret_cast<uint8_t*>(data));
  impl->inbound_consumed = true;
  return static_cast<int>(n);
}

long BioControl(BIO* bio, int command, long, void*) {
  auto* impl = static_cast<DtlsTransport::Impl*>(BIO_get_data(bio));
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return impl->inbound_consumed ? 0 : static_cast<long>(impl->inbound.size());
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:  // The MTU given is already the datagram's.
    case BIO_CTRL_WPENDING:
    default:
      return 0;
  }
}

int BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* DatagramBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "comodal datagram");
    BIO_meth_set_write(m, BioWrite);
    BIO_meth_set_read(m, BioRead);
    BIO_meth_set_ctrl(m, BioControl);
    BIO_meth_set_create(m, BioCreate);
    return m;
  }();
  return method;
}

DtlsTransport::Impl* ImplOf(const SSL* ssl) {
  return static_cast<DtlsTransport::Impl*>(SSL_get_app_data(ssl));
}

// DTLS_set_timer_cb: called with 0 when a flight is sent (the initial timeout), and with the
// last timeout when it expired (before the flight is resent).
unsigned int RetransmissionTimer(SSL* ssl, unsigned int previous_us) {
  DtlsTransport::Impl* impl = ImplOf(ssl);
  const auto initial = static_cast<unsigned int>(impl->config.initial_retransmission_timeout.us());
  const auto max = static_cast<unsigned int>(impl->config.max_retransmission_timeout.us());
  if (previous_us == 0) return initial;
  ++impl->retransmissions;
  return std::min(max, previous_us > max / 2 ? max : previous_us * 2);
}

// Replaces chain verification: a self-signed certificate is trusted exactly when its SHA-256
// fingerprint is the pinned one. Its dates are not checked: the pin is the trust (as in WebRTC),
// and a site box's clock may be wrong after an outage.
int VerifyPinnedCertificate(X509_STORE_CTX* store, void* arg) {
  auto* impl = static_cast<DtlsTransport::Impl*>(arg);
  X509* certificate = X509_STORE_CTX_get0_cert(store);
  if (certificate == nullptr) {
    impl->verify_error = "the peer presented no certificate";
    X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  impl->presented = Sha256Fingerprint(*certificate);
  if (*impl->presented != *impl->config.peer_fingerprint) {
    impl->verify_error = "the peer's certificate has fingerprint " + impl->presented->ToString() +
                         ", not the pinned " + impl->config.peer_fingerprint->ToString();
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  return 1;
}

void InfoCallback(const SSL* ssl, int where, int value) {
  if ((where & SSL_CB_READ_ALERT) == 0) return;
  DtlsTransport::Impl* impl = ImplOf(ssl);
  impl->peer_alert = std::string("the peer sent a ") + SSL_alert_type_string_long(value) +
                     " alert: " + SSL_alert_desc_string_long(value);
  const int description = value & 0xFF;
  if (description == SSL_AD_BAD_CERTIFICATE || description == SSL_AD_CERTIFICATE_UNKNOWN) {
    impl->peer_alert = "the peer refused this end's certificate (" + impl->peer_alert +
                       "): the peer must pin this end's fingerprint " +
                       impl->config.certificate->fingerprint().ToString();
  }
}

}  // namespace

std::string_view ToString(DtlsState state) {
  switch (state) {
    case DtlsState::kNew:
      return "new";
    case DtlsState::kConnecting:
      return "connecting";
    case DtlsState::kConnected:
      return "connected";
    case DtlsState::kFailed:
      return "failed";
    case DtlsState::kClosed:
      return "closed";
  }
  return "unknown";
}

std::string_view ToString(DtlsRole role) { return role == DtlsRole::kClient ? "client" : "server"; }

Result<std::unique_ptr<DtlsTransport>, std::string> DtlsTransport::Create(
    const DtlsConfig& config) {
  if (!config.certificate) return std::string("DTLS needs a certificate and its private key");
  if (!config.peer_fingerprint) {
    return std::string(
        "DTLS needs the peer's certificate fingerprint (nothing is trusted unpinned)");
  }
  if (config.srtp_profiles.empty()) return std::string("DTLS-SRTP needs at least one SRTP profile");
  if (config.initial_retransmission_timeout <= TimeDelta::Zero() ||
      config.max_retransmission_timeout < config.initial_retransmission_timeout ||
      config.max_retransmission_timeout > TimeDelta::Seconds(600)) {
    return std::string("DTLS retransmission timeouts must be 0 < initial <= max <= 600 s");
  }
  if (config.mtu < 256 || config.mtu > 65507) {
    return std::string("DTLS MTU must be 256..65507 bytes");
  }
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  ERR_clear_error();
  impl->context = SSL_CTX_new(DTLS_method());
  if (impl->context == nullptr) return TakeOpenSslErrors("cannot create a DTLS context");
  SSL_CTX* context = impl->context;
  std::string profiles;
  for (SrtpProfile profile : config.srtp_profiles) {
    if (!profiles.empty()) profiles += ':';
    profiles += Info(profile).dtls_name;
  }
  // ECDHE for forward secrecy, AEAD ciphers only; ECDSA certificates as generated here, RSA ones
  // if an operator brings them.
  const bool configured =
      SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) == 1 &&
      SSL_CTX_set_cipher_list(context, "ECDHE+AESGCM:ECDHE+CHACHA20") == 1 &&
      SSL_CTX_use_certificate(context, config.certificate->x509()) == 1 &&
      SSL_CTX_use_PrivateKey(context, config.certificate->private_key()) == 1 &&
      SSL_CTX_check_private_key(context) == 1 &&
      SSL_CTX_set_tlsext_use_srtp(context, profiles.c_str()) == 0;  // 0 is success here.
  if (!configured) return "DTLS setup failed: " + TakeOpenSslErrors("unknown reason");
  // Mutual authentication: the server asks for the client's certificate too.
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_cert_verify_callback(context, VerifyPinnedCertificate, impl.get());
  // The MTU is ours (no socket to ask); no renegotiation, no session tickets: one handshake per
  // connection, keys from it alone.
  SSL_CTX_set_options(context, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  SSL_CTX_set_info_callback(context, InfoCallback);

  impl->ssl = SSL_new(context);
  BIO* bio = BIO_new(DatagramBioMethod());
  if (impl->ssl == nullptr || bio == nullptr) {
    BIO_free(bio);
    return TakeOpenSslErrors("cannot create a DTLS connection");
  }
  BIO_set_data(bio, impl.get());
  SSL_set_bio(impl->ssl, bio, bio);  // One reference, owned by the SSL from now on.
  SSL_set_app_data(impl->ssl, impl.get());
  SSL_set_mtu(impl->ssl, static_cast<long>(config.mtu));
  DTLS_set_timer_cb(impl->ssl, RetransmissionTimer);
  if (config.role == DtlsRole::kClient) {
    SSL_set_connect_state(impl->ssl);
  } else {
    SSL_set_accept_state(impl->ssl);
  }
  return std::unique_ptr<DtlsTransport>(new DtlsTransport(std::move(impl)));
}

DtlsTransport::DtlsTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DtlsTransport::~DtlsTransport() = default;

void DtlsTransport::Impl::Fail(std::string why) {
  state = DtlsState::kFailed;
  error = std::move(why);
}

void DtlsTransport::Impl::Connected(Timestamp now) {
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl);
  const std::optional<SrtpProfile> profile =
      selected != nullptr ? SrtpProfileFromDtlsId(static_cast<uint16_t>(selected->id))
                          : std::nullopt;
  if (!profile) {
    Fail(
        "DTLS handshake failed: no SRTP profile in common with the peer (use_srtp, RFC 5764 "
        "§4.1.1)");
    return;
  }
  // RFC 5764 §4.2: client key, server key, client salt, server salt.
  const size_t key_size = Info(*profile).master_key_size;
  const size_t salt_size = Info(*profile).master_salt_size;
  std::vector<uint8_t> material(2 * (key_size + salt_size));
  if (SSL_export_keying_material(ssl, material.data(), material.size(), kExporterLabel.data(),
                                 kExporterLabel.size(), nullptr, 0, 0) != 1) {
    Fail("DTLS handshake failed: exporting the SRTP keying material failed: " +
         TakeOpenSslErrors("unknown reason"));
    return;
  }
  auto key_and_salt = [&](bool client) {
    std::vector<uint8_t> out(material.begin() + (client ? 0 : key_size),
                             material.begin() + (client ? 0 : key_size) + key_size);
    const size_t salt_at = 2 * key_size + (client ? 0 : salt_size);
    out.insert(out.end(), material.begin() + salt_at, material.begin() + salt_at + salt_size);
    return out;
  };
  const bool client = config.role == DtlsRole::kClient;
  keys = SrtpKeys{*profile, key_and_salt(client), key_and_salt(!client)};
  OPENSSL_cleanse(material.data(), material.size());
  state = DtlsState::kConnected;
  handshake_duration = now - started_at.value_or(now);
}

void DtlsTransport::Impl::Advance(Timestamp now) {
  ERR_clear_error();
  if (state == DtlsState::kConnecting) {
    const int result = SSL_do_handshake(ssl);
    if (result == 1) {
      Connected(now);
      return;
    }
    const int reason = SSL_get_error(ssl, result);
    if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) return;
    std::string why = !verify_error.empty() ? verify_error
                      : !peer_alert.empty() ? peer_alert
                                            : TakeOpenSslErrors("the DTLS handshake failed");
    ERR_clear_error();
    Fail("DTLS handshake failed: " + why);
    return;
  }
  if (state == DtlsState::kConnected) {
    // After the handshake only DTLS control traffic arrives: a retransmitted last flight of the
    // peer (answered by OpenSSL with ours) or an alert. There is no application data.
    std::array<uint8_t, 2048> scratch;
    const int result = SSL_read(ssl, scratch.data(), static_cast<int>(scratch.size()));
    if (result > 0) return;
    const int reason = SSL_get_error(ssl, result);
    if (reason == SSL_ERROR_ZERO_RETURN) {
      state = DtlsState::kClosed;
      error = "the peer closed the DTLS connection";
    } else if (reason == SSL_ERROR_SSL) {
      state = DtlsState::kClosed;
      error = !peer_alert.empty() ? peer_alert : TakeOpenSslErrors("DTLS connection error");
    }
    ERR_clear_error();
  }
}

DtlsOutput DtlsTransport::Impl::Output(Timestamp now) {
  DtlsOutput out;
  datagrams_sent += outbound.size();
  out.datagrams = std::move(outbound);
  outbound.clear();
  if (state == DtlsState::kConnecting || state == DtlsState::kConnected) {
    timeval remaining{};
    if (DTLSv1_get_timeout(ssl, &remaining) == 1) {
      out.next_timeout =
          now + TimeDelta::Seconds(remaining.tv_sec) + TimeDelta::Micros(remaining.tv_usec);
    }
  }
  return out;
}

DtlsOutput DtlsTransport::Start(Timestamp now) {
  Impl& impl = *impl_;
  if (impl.config.role == DtlsRole::kClient && impl.state == DtlsState::kNew) {
    impl.state = DtlsState::kConnecting;
    impl.started_at = now;
    impl.Advance(now);
  }
  return impl.Output(now);
}

DtlsOutput DtlsTransport::OnDatagram(std::span<const uint8_t> datagram, Timestamp now) {
  Impl& impl = *impl_;
  ++impl.datagrams_received;
  if (datagram.empty() || datagram.size() > kMaxDatagramSize) return impl.Output(now);
  if (impl.state == DtlsState::kNew) {
    // A client starts with Start(); a server with a ClientHello, not with whatever came first.
    if (impl.config.role == DtlsRole::kClient || !DtlsClientHelloRandom(datagram)) {
      return impl.Output(now);
    }
    impl.state = DtlsState::kConnecting;
    impl.started_at = now;
  }
  if (impl.state != DtlsState::kConnecting && impl.state != DtlsState::kConnected) {
    return impl.Output(now);
  }
  impl.inbound = datagram;
  impl.inbound_consumed = false;
  impl.Advance(now);
  impl.inbound = {};
  impl.inbound_consumed = true;
  return impl.Output(now);
}

DtlsOutput DtlsTransport::OnTimeout(Timestamp now) {
  Impl& impl = *impl_;
  if (impl.state == DtlsState::kConnecting || impl.state == DtlsState::kConnected) {
    ERR_clear_error();
    if (DTLSv1_handle_timeout(impl.ssl) < 0) {
      // OpenSSL consulted the timer callback (counted) before deciding to give up instead of
      // resending.
      if (impl.retransmissions > 0) --impl.retransmissions;
      impl.Fail("DTLS handshake failed: no answer from the peer after " +
                std::to_string(impl.retransmissions) + " retransmissions (" +
                TakeOpenSslErrors("timed out") + ")");
    }
  }
  return impl.Output(now);
}

DtlsOutput DtlsTransport::Close(Timestamp now) {
  Impl& impl = *impl_;
  if (impl.state == DtlsState::kConnected) {
    ERR_clear_error();
    (void)SSL_shutdown(impl.ssl);  // Writes close_notify; the peer's answer is not awaited.
    ERR_clear_error();
    impl.state = DtlsState::kClosed;
    impl.error = "closed by this end";
  }
  return impl.Output(now);
}

DtlsRole DtlsTransport::role() const { return impl_->config.role; }
DtlsState DtlsTransport::state() const { return impl_->state; }
const std::string& DtlsTransport::error() const { return impl_->error; }
const std::optional<SrtpKeys>& DtlsTransport::srtp_keys() const { return impl_->keys; }
std::optional<TimeDelta> DtlsTransport::handshake_duration() const {
  return impl_->handshake_duration;
}
const std::optional<CertificateFingerprint>& DtlsTransport::presented_fingerprint() const {
  return impl_->presented;
}
uint64_t DtlsTransport::retransmissions() const { return impl_->retransmissions; }
uint64_t DtlsTransport::datagrams_received() const { return impl_->datagrams_received; }
uint64_t DtlsTransport::datagrams_sent() const { return impl_->datagrams_sent; }

std::optional<std::array<uint8_t, 32>> DtlsClientHelloRandom(std::span<const uint8_t> datagram) {
  // Record header: content type, version (2), epoch (2), sequence number (6), length (2).
  // Handshake header: type, length (3), message_seq (2), fragment_offset (3),
  // fragment_length (3). ClientHello: client_version (2), random (32).
  constexpr size_t kHandshakeHeaderSize = 12;
  constexpr size_t kRandomAt = kDtlsRecordHeaderSize + kHandshakeHeaderSize + 2;
  std::array<uint8_t, 32> random{};
  if (datagram.size() < kRandomAt + random.size()) return std::nullopt;
  const uint8_t* handshake = datagram.data() + kDtlsRecordHeaderSize;
  if (datagram[0] != kContentTypeHandshake || LoadBE16(datagram.data() + 3) != 0 ||
      handshake[0] != kHandshakeTypeClientHello || LoadBE24(handshake + 6) != 0 ||
      LoadBE24(handshake + 9) < 2 + random.size()) {
    return std::nullopt;
  }
  std::copy_n(datagram.data() + kRandomAt, random.size(), random.begin());
  return random;
}

}  // namespace comodal
