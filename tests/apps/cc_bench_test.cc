#include "apps/cc_bench.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/subprocess.h"

namespace comodal::apps {
namespace {

using ::testing::HasSubstr;

// A record made by hand: 20 s at 200 ms, 1 Mbit/s of capacity (0.5 Mbit/s from 10 s), the
// delivered rate and target given per sample.
CcRunRecord Record(double (*delivered_kbps)(double t), double (*capacity_kbps)(double t)) {
  CcRunRecord record;
  record.duration = TimeDelta::Seconds(20);
  record.ladder_top = DataRate::KilobitsPerSec(2500);
  for (int i = 1; i <= 100; ++i) {
    CcRunRecord::Sample s;
    s.at = TimeDelta::Millis(200 * i);
    const double t = s.at.seconds_f();
    s.capacity = DataRate::KilobitsPerSec(static_cast<int64_t>(capacity_kbps(t)));
    s.delivered =
        DataRate::KilobitsPerSec(static_cast<int64_t>(delivered_kbps(t))) * TimeDelta::Millis(200);
    s.target = DataRate::KilobitsPerSec(static_cast<int64_t>(delivered_kbps(t)));
    record.samples.push_back(s);
  }
  return record;
}

TEST(CcBenchMetricsTest, UtilisationAndTimeToNinetyPercentFollowTheSeries) {
  // Ramps to 950 kbit/s over 5 s, then holds.
  auto record =
      Record([](double t) { return t < 5 ? 190.0 * t : 950.0; }, [](double) { return 1000.0; });
  const CcMetrics m = ComputeCcMetrics(record, link::LinkDirectionConfig{}, TimeDelta::Seconds(5));
  ASSERT_TRUE(m.utilization.has_value());
  EXPECT_NEAR(*m.utilization, 0.95, 0.001);
  // The mean of the second before t reaches 900 kbit/s: 190 * (t - 0.5) >= 900 at t ~ 5.2 s.
  ASSERT_TRUE(m.time_to_90pct_s.has_value());
  EXPECT_NEAR(*m.time_to_90pct_s, 5.2, 0.21);
  EXPECT_EQ(m.rate_series_kbps.size(), 100u);
  EXPECT_DOUBLE_EQ(m.rate_series_kbps[99][1], 1000.0);
  EXPECT_NEAR(m.rate_series_kbps[99][2], 950.0, 0.5);
  // Nothing here applies.
  EXPECT_FALSE(m.drain_time_s.has_value());
  EXPECT_FALSE(m.max_handover_rate_dip.has_value());
  EXPECT_FALSE(m.outage_resume_s.has_value());
  EXPECT_FALSE(m.queue_delay_ms_p95.has_value());
}

TEST(CcBenchMetricsTest, TheLadderTopIsTheReferenceOnAFastLink) {
  auto record = Record([](double) { return 2375.0; }, [](double) { return 60000.0; });
  const CcMetrics m = ComputeCcMetrics(record, link::LinkDirectionConfig{}, TimeDelta::Seconds(5));
  EXPECT_NEAR(*m.utilization, 0.95, 0.001);
}

TEST(CcBenchMetricsTest, DrainTimeIsUntilTheQueueStaysShortForASecond) {
  auto record =
      Record([](double) { return 500.0; }, [](double t) { return t < 10 ? 1000.0 : 500.0; });
  // The drop is in the interval ending at 10.2 s; from 10.0 s the queue is 300 ms, short again
  // at 12.5 s but back up at 13.0 s for a moment, short for good from 13.2 s.
  for (int ms = 9000; ms < 20000; ms += 50) {
    const TimeDelta at = TimeDelta::Millis(ms);
    TimeDelta delay = TimeDelta::Millis(10);
    if ((ms >= 10000 && ms < 12500) || ms == 13000) delay = TimeDelta::Millis(300);
    record.queue_delays.push_back({at, delay});
  }
  const CcMetrics m = ComputeCcMetrics(record, link::LinkDirectionConfig{});
  ASSERT_TRUE(m.drain_time_s.has_value());
  EXPECT_NEAR(*m.drain_time_s, 3.25, 0.01);  // 13.25 s - 10.0 s.
  EXPECT_NEAR(*m.queue_delay_ms_p95, 300, 3);
}

TEST(CcBenchMetricsTest, HandoverDipAndOutageRecovery) {
  link::LinkDirectionConfig downlink;
  downlink.handovers = link::HandoverConfig{};
  downlink.handovers->first_at = TimeDelta::Seconds(5);  // One handover in the run.
  downlink.handovers->period = TimeDelta::Seconds(100);
  downlink.outages.push_back({TimeDelta::Seconds(12), TimeDelta::Seconds(14)});
  auto record = Record(
      [](double t) {
        if (t > 5.4 && t <= 6) return 600.0;  // A dip after the handover.
        if (t > 12 && t <= 14) return 0.0;    // The outage.
        if (t > 14 && t <= 16) return 400.0;  // Half the rate before, then all of it.
        return 800.0;
      },
      [](double t) { return t > 12 && t <= 14 ? 0.0 : 1000.0; });
  record.frames_rendered = {TimeDelta::Millis(11900), TimeDelta::Millis(14700)};
  const CcMetrics m = ComputeCcMetrics(record, downlink, TimeDelta::Seconds(1));
  ASSERT_TRUE(m.max_handover_rate_dip.has_value());
  EXPECT_NEAR(*m.max_handover_rate_dip, 0.25, 1e-9);
  ASSERT_TRUE(m.outage_resume_s.has_value());
  EXPECT_NEAR(*m.outage_resume_s, 0.7, 1e-9);
  // 90 % of the 800 kbit/s before the outage, over a second: from 16.8 s (16.0-16.8 at 800,
  // 15.8-16.0 at 400: 720), 2.8 s after the link came back.
  ASSERT_TRUE(m.outage_recovery_s.has_value());
  EXPECT_NEAR(*m.outage_recovery_s, 2.8, 1e-9);
}

std::string Comodal(const std::string& arguments) {
  return testing::RunCommand(std::string(COMODAL_BINARY) + " " + arguments + " 2>&1").output;
}

TEST(CcBenchCliTest, BadArgumentsAreNamedAndChangeNothing) {
  auto result = testing::RunCommand(std::string(COMODAL_BINARY) + " bench cc --duration 0 2>&1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("--duration must be from 1 to 7200 seconds, got 0"));
  EXPECT_THAT(Comodal("bench cc --loss 1.5"),
              HasSubstr("--loss must be from 0 to below 1, got 1.5"));
  EXPECT_THAT(Comodal("bench cc --profile no-such-link"), HasSubstr("no-such-link"));
  EXPECT_THAT(Comodal("bench cc --all --profile leo"), HasSubstr("excludes"));
  EXPECT_THAT(Comodal("bench"), HasSubstr("comodal bench: name a benchmark: cc"));
}

// --log-rate: each rate and ladder change with the run's simulated time (a 3 s run: the start
// at 0 s, the first probe's answer about one 600 ms round trip later), not the wall clock's.
TEST(CcBenchCliTest, TheRateLogCarriesSimulatedTime) {
  const std::string output = Comodal("bench cc --profile geo-vsat --duration 3 --log-rate");
  EXPECT_THAT(output, HasSubstr("[t=0.000 s] [engine.rate] [info] target 300 kbit/s (start)"));
  EXPECT_THAT(
      output,
      ::testing::ContainsRegex(
          R"(\[t=[01]\.[0-9]{3} s\] \[engine\.rate\] \[info\] target [0-9]+ kbit/s \(probe\))"));
}

// A short run end to end: both senders, the report's shape.
TEST(CcBenchCliTest, WritesTheReportOfBothSenders) {
  const std::string path = testing::TestTempDir() + "/cc_bench_report.json";
  auto result =
      testing::RunCommand(std::string(COMODAL_BINARY) +
                          " bench cc --profile geo-vsat --duration 6 --json " + path + " 2>&1");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("geo-vsat, 6 s"));
  std::ifstream file(path);
  const auto report = nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["profile"], "geo-vsat");
  EXPECT_EQ(report["duration_s"], 6.0);
  for (const char* sender : {"comodal", "fixed_rate"}) {
    const auto& m = report[sender];
    for (const char* key :
         {"utilization", "time_to_90pct_s", "queue_delay_ms_p50", "queue_delay_ms_p95",
          "drain_time_s", "loss_before_repair", "loss_after_repair", "queue_drops",
          "freezes_per_min", "audio_concealed_ratio", "max_handover_rate_dip"}) {
      EXPECT_TRUE(m.contains(key)) << sender << " " << key;
    }
    ASSERT_EQ(m["rate_series_kbps"].size(), 30u) << sender;
    EXPECT_EQ(m["rate_series_kbps"][29][1], 1000.0);
    EXPECT_GT(m["rate_series_kbps"][29][2].get<double>(), 0.0);
    EXPECT_TRUE(m["drain_time_s"].is_null());
    EXPECT_TRUE(m["max_handover_rate_dip"].is_null());
  }
  // The adaptive sender probes up to the link within the run; the fixed one sends 900 kbit/s.
  EXPECT_EQ(report["fixed_rate_kbps"], 900.0);
}

}  // namespace
}  // namespace comodal::apps
