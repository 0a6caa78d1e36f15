#ifndef TRANSPORT_SRTP_OPENSSL_ERROR_H_
#define TRANSPORT_SRTP_OPENSSL_ERROR_H_

#include <string>

namespace comodal {

// The reasons in this thread's OpenSSL error queue, oldest first and joined with "; ", which
// also empties the queue; `fallback` when it holds none.
std::string TakeOpenSslErrors(const std::string& fallback);

}  // namespace comodal

#endif  // TRANSPORT_SRTP_OPENSSL_ERROR_H_
