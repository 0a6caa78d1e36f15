#include "apps/cert_command.h"

#include <filesystem>
#include <system_error>

#include "transport/srtp/certificate.h"

namespace comodal::apps {

int RunCert(const CertOptions& options, std::ostream& out, std::ostream& err) {
  if (options.out_dir.empty() == options.show.empty()) {
    err << "comodal cert: give --out DIR (make a certificate) or --show CERT (print its "
           "fingerprint)\n";
    return 2;
  }
  if (!options.show.empty()) {
    auto fingerprint = ReadCertificateFingerprint(options.show);
    if (!fingerprint.ok()) {
      err << "comodal cert: " << fingerprint.error() << "\n";
      return 1;
    }
    out << fingerprint->ToString() << "\n";
    return 0;
  }
  if (options.days < 1 || options.days > 36500) {
    err << "comodal cert: --days must be 1..36500, got " << options.days << "\n";
    return 2;
  }
  auto certificate = Certificate::Generate(options.name, options.days);
  if (!certificate.ok()) {
    err << "comodal cert: " << certificate.error() << "\n";
    return 2;  // Only the name or the validity can be wrong.
  }
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    err << "comodal cert: " << options.out_dir << ": " << error.message() << "\n";
    return 1;
  }
  const std::string cert_path = (std::filesystem::path(options.out_dir) / "cert.pem").string();
  const std::string key_path = (std::filesystem::path(options.out_dir) / "key.pem").string();
  if (auto failed = (*certificate)->Write(cert_path, key_path)) {
    err << "comodal cert: " << *failed << "\n";
    return 1;
  }
  out << "cert: wrote " << cert_path << " and " << key_path
      << " (ECDSA P-256, CN=" << (*certificate)->common_name() << ", valid " << options.days
      << " days)\n"
      << "fingerprint: " << (*certificate)->fingerprint().ToString() << "\n"
      << "give the peer this fingerprint (its --peer-fingerprint) and use --dtls " << cert_path
      << "," << key_path << " here\n";
  return 0;
}

}  // namespace comodal::apps
