#include "apps/cert_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "tests/support/subprocess.h"
#include "transport/srtp/certificate.h"

namespace comodal::apps {
namespace {

using ::testing::HasSubstr;

struct CertRun {
  int status;
  std::string out;
  std::string err;
};

CertRun Cert(const CertOptions& options) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = RunCert(options, out, err);
  return {status, out.str(), err.str()};
}

TEST(CertCommandTest, WritesAnIdentityAndPrintsItsFingerprint) {
  const std::string dir = testing::TestTempDir() + "/cert_command/site";
  std::filesystem::remove_all(dir);
  CertOptions options;
  options.out_dir = dir;
  options.name = "site-1";
  const CertRun made = Cert(options);
  ASSERT_EQ(made.status, 0) << made.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(made.out, match,
                                std::regex("fingerprint: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\n")))
      << made.out;
  auto loaded = Certificate::Load(dir + "/cert.pem", dir + "/key.pem");
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ((*loaded)->fingerprint().ToString(), match[1].str());
  EXPECT_EQ((*loaded)->common_name(), "site-1");
  struct stat key {};
  ASSERT_EQ(::stat((dir + "/key.pem").c_str(), &key), 0);
  EXPECT_EQ(key.st_mode & 0777, 0600u);

  // --show prints the same fingerprint, alone on its line (for scripts).
  CertOptions show;
  show.show = dir + "/cert.pem";
  const CertRun shown = Cert(show);
  EXPECT_EQ(shown.status, 0);
  EXPECT_EQ(shown.out, match[1].str() + "\n");

  // Running it again does not replace the identity the peer has pinned.
  const CertRun again = Cert(options);
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  EXPECT_EQ(Certificate::Load(dir + "/cert.pem", dir + "/key.pem").value()->fingerprint(),
            (*loaded)->fingerprint());
}

TEST(CertCommandTest, ArgumentErrors) {
  EXPECT_EQ(Cert({}).status, 2);
  CertOptions both;
  both.out_dir = "x";
  both.show = "y";
  EXPECT_EQ(Cert(both).status, 2);
  CertOptions bad_days;
  bad_days.out_dir = testing::TestTempDir() + "/cert_command/never";
  bad_days.days = 0;
  EXPECT_THAT(Cert(bad_days).err, HasSubstr("--days"));
  CertOptions missing;
  missing.show = "/nonexistent/cert.pem";
  const CertRun run = Cert(missing);
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.err, HasSubstr("/nonexistent/cert.pem"));
}

}  // namespace
}  // namespace comodal::apps
