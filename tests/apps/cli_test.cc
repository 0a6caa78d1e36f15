// The `comodal` binary as a user runs it: a real process, its output and exit code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "apps/selfcheck.h"
#include "tests/support/subprocess.h"

namespace comodal {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

testing::CommandResult Comodal(const std::string& arguments) {
  return testing::RunCommand(std::string(COMODAL_BINARY) + " " + arguments + " 2>&1");
}

TEST(CliTest, HelpListsEachSubcommandWithOneLine) {
  auto result = Comodal("--help");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr("Subcommands:"));
  EXPECT_THAT(result.output,
              HasSubstr("selfcheck                   Check every linked library and a real "
                        "RTP/RTCP round trip over loopback UDP"));
}

TEST(CliTest, BadInvocationsFailWithAClearMessage) {
  auto none = Comodal("");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_THAT(none.output, HasSubstr("A subcommand is required"));
  auto unknown = Comodal("teleport");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.output, HasSubstr("unknown subcommand 'teleport'"));
  auto extra = Comodal("selfcheck --frobnicate");
  EXPECT_NE(extra.exit_code, 0);
  EXPECT_THAT(extra.output, HasSubstr("--frobnicate"));
}

TEST(CliTest, SelfcheckPassesEveryLineOnThisMachine) {
  auto result = Comodal("selfcheck");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::istringstream lines(result.output);
  std::string line;
  int checks = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("selfcheck:", 0) == 0) continue;
    EXPECT_THAT(line, MatchesRegex("PASS  .*")) << line;
    ++checks;
  }
  // Every library the binary links, then the RTP/RTCP round trip.
  EXPECT_EQ(checks, 13);
  for (const char* name :
       {"GStreamer", "libsrtp2", "OpenSSL", "libopus", "libvpx", "Boost", "SQLite", "toml++",
        "CLI11", "nlohmann-json", "spdlog", "fmt", "RTP/RTCP"}) {
    EXPECT_THAT(result.output, HasSubstr(name));
  }
  EXPECT_THAT(result.output, HasSubstr("selfcheck: all 13 checks passed"));
}

TEST(SelfcheckTest, RoundTripFailsClearlyWhenTheAddressCannotBeBound) {
  // 192.0.2.1 (TEST-NET-1, RFC 5737) is not an address of this machine: the bind fails and the
  // line says why instead of passing or hanging.
  LibraryCheck check = apps::CheckRtpRoundTrip("192.0.2.1");
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.detail, HasSubstr("cannot bind UDP 192.0.2.1:0"));
}

TEST(SelfcheckTest, ReportsFailuresInTheExitCode) {
  std::ostringstream out;
  const int code = apps::RunSelfcheck(out);
  EXPECT_EQ(code, 0) << out.str();
  EXPECT_THAT(out.str(), Not(HasSubstr("FAIL")));
}

}  // namespace
}  // namespace comodal
