#ifndef TRANSPORT_SRTP_CRYPTO_LIBRARIES_H_
#define TRANSPORT_SRTP_CRYPTO_LIBRARIES_H_

#include "transport/base/library_check.h"

namespace comodal {

// libsrtp2: version, and that the library initialises with its crypto kernel self-tests.
LibraryCheck CheckLibSrtp();
// OpenSSL: version, and that it makes the ECDSA P-256 key DTLS-SRTP certificates use.
LibraryCheck CheckOpenSsl();

}  // namespace comodal

#endif  // TRANSPORT_SRTP_CRYPTO_LIBRARIES_H_
