#include "transport/srtp/openssl_error.h"

#include <openssl/err.h>

namespace comodal {

std::string TakeOpenSslErrors(const std::string& fallback) {
  std::string reasons;
  while (const unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    if (!reasons.empty()) reasons += "; ";
    reasons += reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
  }
  return reasons.empty() ? fallback : reasons;
}

}  // namespace comodal
