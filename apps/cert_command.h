#ifndef APPS_CERT_COMMAND_H_
#define APPS_CERT_COMMAND_H_

#include <ostream>
#include <string>

namespace comodal::apps {

struct CertOptions {
  std::string out_dir;  // Writes cert.pem and key.pem here (created if missing).
  std::string show;     // Or: prints the fingerprint of this certificate file.
  std::string name = "comodal";
  int days = 3650;
};

// `comodal cert --out DIR`: a node's DTLS identity, a self-signed ECDSA P-256 certificate and its
// key (DIR/cert.pem, DIR/key.pem readable by the owner only); prints the SHA-256 fingerprint
// that the peer pins with --peer-fingerprint. Never replaces existing files.
// `comodal cert --show CERT`: prints a certificate's fingerprint alone on one line.
// Exit status: 0 done, 2 bad arguments, 1 the files could not be written or read.
int RunCert(const CertOptions& options, std::ostream& out, std::ostream& err);

}  // namespace comodal::apps

#endif  // APPS_CERT_COMMAND_H_
