#ifndef TRANSPORT_SRTP_CERTIFICATE_H_
#define TRANSPORT_SRTP_CERTIFICATE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "transport/base/result.h"

struct x509_st;      // OpenSSL's X509.
struct evp_pkey_st;  // OpenSSL's EVP_PKEY.

namespace comodal {

// The SHA-256 digest of a certificate's DER encoding (RFC 8122 §5, as SDP's a=fingerprint
// carries it): what a node pins to know its peer.
class CertificateFingerprint {
 public:
  static constexpr size_t kSize = 32;

  explicit CertificateFingerprint(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}
  // "AB:CD:..." (32 hex pairs separated by colons, either case), optionally preceded by
  // "sha-256 " as in an SDP fingerprint attribute. The error says what is wrong with the text.
  static Result<CertificateFingerprint, std::string> Parse(std::string_view text);

  // Upper-case hex pairs separated by colons: "AB:CD:...:EF" (95 characters).
  std::string ToString() const;
  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }

  friend bool operator==(const CertificateFingerprint&, const CertificateFingerprint&) = default;

 private:
  std::array<uint8_t, kSize> bytes_;
};

// The fingerprint of a certificate OpenSSL holds (the peer's, during a handshake).
CertificateFingerprint Sha256Fingerprint(const x509_st& x509);

// The fingerprint of the certificate in a PEM file (no key needed): what an operator pins for a
// peer whose certificate file they were given. The error names the file.
Result<CertificateFingerprint, std::string> ReadCertificateFingerprint(const std::string& path);

// A node's DTLS identity: a self-signed certificate and its private key (ECDSA P-256 when
// generated here), kept as PEM files by the operator. OpenSSL stays behind this header.
class Certificate {
 public:
  // A fresh ECDSA P-256 key and a self-signed X.509 v3 certificate for it, signed with
  // ECDSA-SHA256, valid from a day ago (clock skew between sites) for `validity_days`.
  static Result<std::unique_ptr<Certificate>, std::string> Generate(
      std::string_view common_name = "comodal", int validity_days = 3650);
  // From PEM text; the key must belong to the certificate.
  static Result<std::unique_ptr<Certificate>, std::string> FromPem(std::string_view certificate_pem,
                                                                   std::string_view key_pem);
  // From PEM files; errors name the file.
  static Result<std::unique_ptr<Certificate>, std::string> Load(const std::string& certificate_path,
                                                                const std::string& key_path);
  ~Certificate();
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;

  std::string CertificatePem() const;
  std::string PrivateKeyPem() const;
  // Writes the certificate (mode 0644) and the unencrypted private key (mode 0600, created so:
  // never readable by others, even for an instant). Refuses to replace existing files, so that a
  // pinned identity is not lost by mistake. Returns an error naming the file, or nullopt.
  std::optional<std::string> Write(const std::string& certificate_path,
                                   const std::string& key_path) const;

  const CertificateFingerprint& fingerprint() const { return fingerprint_; }
  // Subject common name.
  std::string common_name() const;

  // OpenSSL's objects, for transport/srtp/ only (DtlsTransport); owned by this object.
  x509_st* x509() const { return x509_; }
  evp_pkey_st* private_key() const { return key_; }

 private:
  Certificate(x509_st* x509, evp_pkey_st* key, CertificateFingerprint fingerprint);

  x509_st* x509_;
  evp_pkey_st* key_;
  CertificateFingerprint fingerprint_;
};

}  // namespace comodal

#endif  // TRANSPORT_SRTP_CERTIFICATE_H_
