#include "transport/srtp/certificate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/support/subprocess.h"

namespace comodal {
namespace {

using ::testing::HasSubstr;

std::string FreshDir(const std::string& name) {
  const std::string dir = testing::TestTempDir() + "/certificate_test_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(CertificateTest, GeneratesASelfSignedP256CertificateWithItsFingerprint) {
  auto certificate = Certificate::Generate("site-maripasoula");
  ASSERT_TRUE(certificate.ok()) << certificate.error();
  EXPECT_EQ((*certificate)->common_name(), "site-maripasoula");
  const std::string fingerprint = (*certificate)->fingerprint().ToString();
  EXPECT_TRUE(std::regex_match(fingerprint, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}")))
      << fingerprint;
  // Each certificate has its own key, hence its own fingerprint.
  auto other = Certificate::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->fingerprint(), (*certificate)->fingerprint());
  EXPECT_THAT((*certificate)->CertificatePem(), HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT((*certificate)->PrivateKeyPem(), HasSubstr("-----BEGIN PRIVATE KEY-----"));
}

TEST(CertificateTest, WritesAndLoadsPemFilesWithAPrivateKeyFile) {
  const std::string dir = FreshDir("write_load");
  auto certificate = Certificate::Generate();
  ASSERT_TRUE(certificate.ok());
  const std::string cert_path = dir + "/cert.pem";
  const std::string key_path = dir + "/key.pem";
  ASSERT_EQ((*certificate)->Write(cert_path, key_path), std::nullopt);
  struct stat key_stat {};
  ASSERT_EQ(::stat(key_path.c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);

  auto loaded = Certificate::Load(cert_path, key_path);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ((*loaded)->fingerprint(), (*certificate)->fingerprint());
  // The certificate alone (what a peer's operator is given) tells its fingerprint.
  EXPECT_EQ(ReadCertificateFingerprint(cert_path).value(), (*certificate)->fingerprint());
  EXPECT_THAT(ReadCertificateFingerprint(key_path).error(), HasSubstr("no PEM certificate"));

  // An identity already on disk is not replaced.
  auto again = (*certificate)->Write(cert_path, key_path);
  ASSERT_TRUE(again.has_value());
  EXPECT_THAT(*again, HasSubstr("already exists"));
}

TEST(CertificateTest, FingerprintIsTheOneOpenSslComputes) {
  const auto openssl = testing::FindProgram("openssl");
  if (!openssl) GTEST_SKIP() << "openssl command not installed";
  const std::string dir = FreshDir("openssl_cli");
  auto certificate = Certificate::Generate();
  ASSERT_TRUE(certificate.ok());
  ASSERT_EQ((*certificate)->Write(dir + "/cert.pem", dir + "/key.pem"), std::nullopt);
  const testing::CommandResult result =
      testing::RunCommand(*openssl + " x509 -in " + dir + "/cert.pem -noout -fingerprint -sha256");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("=" + (*certificate)->fingerprint().ToString()));
  // And it is self-signed ECDSA P-256 with SHA-256.
  const testing::CommandResult text =
      testing::RunCommand(*openssl + " x509 -in " + dir + "/cert.pem -noout -text");
  EXPECT_THAT(text.output, HasSubstr("ecdsa-with-SHA256"));
  EXPECT_THAT(text.output, HasSubstr("prime256v1"));
}

TEST(CertificateTest, RefusesAKeyOfAnotherCertificateAndBadFiles) {
  auto a = Certificate::Generate();
  auto b = Certificate::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  auto mixed = Certificate::FromPem((*a)->CertificatePem(), (*b)->PrivateKeyPem());
  ASSERT_FALSE(mixed.ok());
  EXPECT_THAT(mixed.error(), HasSubstr("does not belong to the certificate"));

  auto garbage = Certificate::FromPem("not a certificate", (*a)->PrivateKeyPem());
  ASSERT_FALSE(garbage.ok());
  EXPECT_THAT(garbage.error(), HasSubstr("no PEM certificate"));

  auto missing = Certificate::Load("/nonexistent/cert.pem", "/nonexistent/key.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error(), HasSubstr("/nonexistent/cert.pem"));
}

TEST(CertificateFingerprintTest, ParsesWhatItPrintsInEitherCaseAndWithTheSdpPrefix) {
  auto certificate = Certificate::Generate();
  ASSERT_TRUE(certificate.ok());
  const CertificateFingerprint& fingerprint = (*certificate)->fingerprint();
  const std::string text = fingerprint.ToString();
  EXPECT_EQ(CertificateFingerprint::Parse(text).value(), fingerprint);
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(CertificateFingerprint::Parse(lower).value(), fingerprint);
  EXPECT_EQ(CertificateFingerprint::Parse("sha-256 " + text).value(), fingerprint);
}

TEST(CertificateFingerprintTest, SaysWhatIsWrongWithBadText) {
  const std::string good(
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"
      "67:89");
  ASSERT_TRUE(CertificateFingerprint::Parse(good).ok());
  EXPECT_THAT(CertificateFingerprint::Parse(good.substr(3)).error(), HasSubstr("32 hex pairs"));
  std::string not_hex = good;
  not_hex[4] = 'G';
  EXPECT_THAT(CertificateFingerprint::Parse(not_hex).error(), HasSubstr("byte 2"));
  std::string no_colon = good;
  no_colon[8] = '-';
  EXPECT_THAT(CertificateFingerprint::Parse(no_colon).error(), HasSubstr("separated by ':'"));
}

}  // namespace
}  // namespace comodal
