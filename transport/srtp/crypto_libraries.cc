#include "transport/srtp/crypto_libraries.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <srtp2/srtp.h>

namespace comodal {

LibraryCheck CheckLibSrtp() {
  LibraryCheck check{"libsrtp2", srtp_get_version_string(), false, ""};
  const srtp_err_status_t status = srtp_init();
  check.ok = status == srtp_err_status_ok;
  check.detail =
      check.ok ? "srtp_init passed" : "srtp_init failed with status " + std::to_string(status);
  return check;
}

LibraryCheck CheckOpenSsl() {
  LibraryCheck check{"OpenSSL", OpenSSL_version(OPENSSL_VERSION), false, ""};
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  check.ok = key != nullptr;
  check.detail = check.ok ? "ECDSA P-256 key generated" : "ECDSA P-256 key generation failed";
  EVP_PKEY_free(key);
  return check;
}

}  // namespace comodal
