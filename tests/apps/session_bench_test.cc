#include "apps/session_bench.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"

namespace comodal::apps {
namespace {

using ::testing::HasSubstr;

testing::CommandResult Comodal(const std::string& arguments) {
  return testing::RunCommand(std::string(COMODAL_BINARY) + " " + arguments + " 2>&1");
}

TEST(SessionBenchCliTest, BadArgumentsAreNamedAndWriteNothing) {
  const std::string json = testing::TestTempDir() + "/session_bench_bad.json";
  std::filesystem::remove(json);
  auto sites = Comodal("bench session --sites 0 --json " + json);
  EXPECT_EQ(sites.exit_code, 2);
  EXPECT_THAT(sites.output, HasSubstr("--sites must be 1 to 30, got 0"));
  EXPECT_THAT(Comodal("bench session --outage-min -5").output,
              HasSubstr("--outage-min must be above 0 and at most 1440, got -5"));
  EXPECT_THAT(Comodal("bench session --bulk-share 1.5").output,
              HasSubstr("--bulk-share must be above 0 and at most 1, got 1.5"));
  EXPECT_THAT(Comodal("bench session --duration 3").output,
              HasSubstr("--duration must be 10 to 86400 s, got 3"));
  EXPECT_THAT(Comodal("bench session --profile no-such-link").output, HasSubstr("no-such-link"));
  EXPECT_FALSE(std::filesystem::exists(json));
}

// A short lesson with one site cut off for a minute: the report has every figure the issue
// names, and says nothing was lost.
TEST(SessionBenchCliTest, WritesTheReport) {
  const std::string json = testing::TestTempDir() + "/session_bench.json";
  std::filesystem::remove(json);
  auto run = Comodal(
      "bench session --profile geo-vsat --sites 2 --duration 150 --outage-min 0.5 "
      "--offline-ops 300 --offline-blob-mb 0.5 --json " +
      json);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(json);
  const nlohmann::json report = nlohmann::json::parse(in);
  EXPECT_EQ(report["profile"], "geo-vsat");
  EXPECT_EQ(report["sites"], 2);
  EXPECT_EQ(report["ops_lost"], 0);
  EXPECT_EQ(report["ops_duplicated"], 0);
  EXPECT_EQ(report["replicas_identical"], true);
  EXPECT_EQ(report["offline_ops"], 300);
  EXPECT_EQ(report["blob_resumed_without_resend"], true);
  for (const char* key :
       {"ops_total", "propagation_ms_p95", "resync_s", "resync_bytes", "clock_offset_ms_p95"}) {
    EXPECT_TRUE(report[key].is_number()) << key;
  }
}

}  // namespace
}  // namespace comodal::apps
