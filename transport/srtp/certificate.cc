#include "transport/srtp/certificate.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "transport/srtp/openssl_error.h"

namespace comodal {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Never prompts for a passphrase: an encrypted key file is an error, not a terminal prompt.
int NoPassphrase(char*, int, int, void*) { return -1; }

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct X509Deleter {
  void operator()(X509* x509) const { X509_free(x509); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

X509Ptr X509FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
}

constexpr char kNoCertificate[] = "no PEM certificate (\"BEGIN CERTIFICATE\") could be read: ";

std::string Pem(const std::function<int(BIO*)>& write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return "";
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : "";
}

// The file's contents, or nullopt with `error` naming it.
std::optional<std::string> ReadFile(const std::string& path, const char* what, std::string& error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = std::string(what) + " " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Creates `path` with `mode` (failing if it exists) and writes `text` to it.
std::optional<std::string> WriteNewFile(const std::string& path, const std::string& text,
                                        mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return path + ": " +
           (errno == EEXIST ? std::string("already exists; remove it first to replace it")
                            : std::string(std::strerror(errno)));
  }
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string error = path + ": " + std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    ::unlink(path.c_str());
    return path + ": " + std::strerror(errno);
  }
  return std::nullopt;
}

}  // namespace

Result<CertificateFingerprint, std::string> CertificateFingerprint::Parse(std::string_view text) {
  constexpr std::string_view kPrefix = "sha-256 ";
  if (text.size() >= kPrefix.size()) {
    std::string prefix(text.substr(0, kPrefix.size()));
    for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (prefix == kPrefix) text.remove_prefix(kPrefix.size());
  }
  constexpr size_t kTextSize = kSize * 3 - 1;
  if (text.size() != kTextSize) {
    return "a SHA-256 fingerprint is 32 hex pairs separated by colons (" +
           std::to_string(kTextSize) + " characters, e.g. as `comodal cert` prints it), got " +
           std::to_string(text.size()) + " characters";
  }
  std::array<uint8_t, kSize> bytes{};
  for (size_t i = 0; i < kSize; ++i) {
    const int high = HexValue(text[3 * i]);
    const int low = HexValue(text[3 * i + 1]);
    if (high < 0 || low < 0) {
      return "fingerprint byte " + std::to_string(i + 1) + " is not two hex digits";
    }
    if (i + 1 < kSize && text[3 * i + 2] != ':') {
      return "fingerprint bytes must be separated by ':' (after byte " + std::to_string(i + 1) +
             ")";
    }
    bytes[i] = static_cast<uint8_t>(high * 16 + low);
  }
  return CertificateFingerprint(bytes);
}

std::string CertificateFingerprint::ToString() const {
  std::string text;
  text.reserve(kSize * 3);
  for (uint8_t byte : bytes_) {
    if (!text.empty()) text += ':';
    text += kHexDigits[byte >> 4];
    text += kHexDigits[byte & 0x0F];
  }
  return text;
}

CertificateFingerprint Sha256Fingerprint(const x509_st& x509) {
  std::array<uint8_t, CertificateFingerprint::kSize> digest{};
  unsigned int size = 0;
  // Only fails on allocation failure; an all-zero fingerprint then matches no pinned one.
  if (X509_digest(&x509, EVP_sha256(), digest.data(), &size) != 1 || size != digest.size()) {
    digest.fill(0);
  }
  return CertificateFingerprint(digest);
}

Result<CertificateFingerprint, std::string> ReadCertificateFingerprint(const std::string& path) {
  std::string error;
  const std::optional<std::string> pem = ReadFile(path, "certificate", error);
  if (!pem) return error;
  const X509Ptr x509 = X509FromPem(*pem);
  if (!x509) return path + ": " + kNoCertificate + TakeOpenSslErrors("unreadable");
  return Sha256Fingerprint(*x509);
}

Certificate::Certificate(x509_st* x509, evp_pkey_st* key, CertificateFingerprint fingerprint)
    : x509_(x509), key_(key), fingerprint_(fingerprint) {}

Certificate::~Certificate() {
  X509_free(x509_);
  EVP_PKEY_free(key_);
}

Result<std::unique_ptr<Certificate>, std::string> Certificate::Generate(
    std::string_view common_name, int validity_days) {
  if (validity_days < 1) return std::string("a certificate must be valid for at least a day");
  if (common_name.empty() || common_name.size() > 64) {
    return std::string("the common name must be 1 to 64 characters");  // RFC 5280 ub-common-name
  }
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  X509Ptr x509(X509_new());
  if (!key || !x509) return TakeOpenSslErrors("ECDSA P-256 key generation failed");

  // A random positive 64-bit serial number (RFC 5280 §4.1.2.2).
  std::array<uint8_t, 8> serial{};
  BIGNUM* serial_number = nullptr;
  bool ok = RAND_bytes(serial.data(), static_cast<int>(serial.size())) == 1;
  serial[0] &= 0x7F;
  ok = ok && (serial_number = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  ok = ok && BN_to_ASN1_INTEGER(serial_number, X509_get_serialNumber(x509.get())) != nullptr;
  BN_free(serial_number);

  const std::string name(common_name);
  X509_NAME* subject = X509_get_subject_name(x509.get());
  ok =
      ok && X509_set_version(x509.get(), 2) == 1  // X.509 v3
      && X509_gmtime_adj(X509_getm_notBefore(x509.get()), -24 * 3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(x509.get()), long{validity_days} * 24 * 3600) != nullptr &&
      X509_set_pubkey(x509.get(), key.get()) == 1 &&
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                                 0) == 1 &&
      X509_set_issuer_name(x509.get(), subject) == 1 &&
      X509_sign(x509.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return TakeOpenSslErrors("self-signed certificate creation failed");
  const CertificateFingerprint fingerprint = Sha256Fingerprint(*x509);
  return std::unique_ptr<Certificate>(new Certificate(x509.release(), key.release(), fingerprint));
}

Result<std::unique_ptr<Certificate>, std::string> Certificate::FromPem(
    std::string_view certificate_pem, std::string_view key_pem) {
  BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  X509Ptr x509 = X509FromPem(certificate_pem);
  if (!x509) return kNoCertificate + TakeOpenSslErrors("unreadable");
  KeyPtr key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr)
                     : nullptr);
  if (!key) {
    return "no unencrypted PEM private key could be read: " + TakeOpenSslErrors("unreadable");
  }
  if (X509_check_private_key(x509.get(), key.get()) != 1) {
    TakeOpenSslErrors("");
    return std::string("the private key does not belong to the certificate");
  }
  const CertificateFingerprint fingerprint = Sha256Fingerprint(*x509);
  return std::unique_ptr<Certificate>(new Certificate(x509.release(), key.release(), fingerprint));
}

Result<std::unique_ptr<Certificate>, std::string> Certificate::Load(
    const std::string& certificate_path, const std::string& key_path) {
  std::string error;
  const std::optional<std::string> certificate_pem =
      ReadFile(certificate_path, "certificate", error);
  if (!certificate_pem) return error;
  const std::optional<std::string> key_pem = ReadFile(key_path, "private key", error);
  if (!key_pem) return error;
  auto certificate = FromPem(*certificate_pem, *key_pem);
  if (!certificate.ok()) return certificate_path + ", " + key_path + ": " + certificate.error();
  return certificate;
}

std::string Certificate::CertificatePem() const {
  return Pem([this](BIO* bio) { return PEM_write_bio_X509(bio, x509_); });
}

std::string Certificate::PrivateKeyPem() const {
  return Pem([this](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key_, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

std::optional<std::string> Certificate::Write(const std::string& certificate_path,
                                              const std::string& key_path) const {
  const std::string certificate_pem = CertificatePem();
  const std::string key_pem = PrivateKeyPem();
  if (certificate_pem.empty() || key_pem.empty()) return TakeOpenSslErrors("PEM encoding failed");
  // The key first: a certificate without its key on disk would be worse than nothing.
  if (auto error = WriteNewFile(key_path, key_pem, 0600)) return error;
  if (auto error = WriteNewFile(certificate_path, certificate_pem, 0644)) {
    ::unlink(key_path.c_str());
    return error;
  }
  return std::nullopt;
}

std::string Certificate::common_name() const {
  const X509_NAME* subject = X509_get_subject_name(x509_);
  std::array<char, 256> name{};
  const int size = X509_NAME_get_text_by_NID(subject, NID_commonName, name.data(),
                                             static_cast<int>(name.size()));
  return size > 0 ? std::string(name.data(), static_cast<size_t>(size)) : "";
}

}  // namespace comodal
