#ifndef TESTS_TRANSPORT_SRTP_DTLS_TEST_PEERS_H_
#define TESTS_TRANSPORT_SRTP_DTLS_TEST_PEERS_H_

#include <gtest/gtest.h>

#include <memory>

#include "transport/srtp/certificate.h"
#include "transport/srtp/dtls_transport.h"

namespace comodal {

// A fresh self-signed identity for one test peer.
inline std::shared_ptr<const Certificate> NewCertificate() {
  auto certificate = Certificate::Generate();
  EXPECT_TRUE(certificate.ok());
  return std::shared_ptr<const Certificate>(std::move(*certificate));
}

// A DTLS end presenting `own` and pinning `peer`'s fingerprint.
inline DtlsConfig PinnedConfig(DtlsRole role, std::shared_ptr<const Certificate> own,
                               const Certificate& peer) {
  DtlsConfig config;
  config.role = role;
  config.certificate = std::move(own);
  config.peer_fingerprint = peer.fingerprint();
  return config;
}

}  // namespace comodal

#endif  // TESTS_TRANSPORT_SRTP_DTLS_TEST_PEERS_H_
