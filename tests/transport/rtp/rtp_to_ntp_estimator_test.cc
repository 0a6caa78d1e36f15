#include "transport/rtp/rtp_to_ntp_estimator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace comodal {
namespace {

// 2023-ish on the NTP timescale.
constexpr TimeDelta kEpochOffset = TimeDelta::Seconds(int64_t{3'900'000'000});

// A sender whose RTP clock runs `ppm` fast relative to its NTP clock.
struct Sender {
  int clock_rate = 90'000;
  double ppm = 0;
  uint32_t rtp_at_zero = 123'456'789;

  NtpTime Ntp(TimeDelta t) const { return NtpTime::FromTimeSinceEpoch(kEpochOffset + t); }
  uint32_t Rtp(TimeDelta t) const {
    const double ticks = clock_rate * (1 + ppm * 1e-6) * t.seconds_f();
    return rtp_at_zero + static_cast<uint32_t>(static_cast<int64_t>(std::llround(ticks)));
  }
};

// Estimate minus truth, in microseconds.
double ErrorUs(const RtpToNtpEstimator& estimator, const Sender& sender, TimeDelta t) {
  const std::optional<NtpTime> estimate = estimator.Estimate(sender.Rtp(t));
  EXPECT_TRUE(estimate.has_value());
  if (!estimate) return 1e12;
  const int64_t diff = static_cast<int64_t>(estimate->value() - sender.Ntp(t).value());
  return static_cast<double>(diff) * 1e6 / 4294967296.0;
}

TEST(RtpToNtpEstimatorTest, NothingBeforeTheFirstReport) {
  RtpToNtpEstimator estimator(48'000);
  EXPECT_FALSE(estimator.Estimate(1234).has_value());
  EXPECT_FALSE(estimator.EstimatedClockRate().has_value());
  EXPECT_EQ(estimator.num_reports(), 0u);
}

TEST(RtpToNtpEstimatorTest, OneReportExtrapolatesAtTheNominalRate) {
  RtpToNtpEstimator estimator(90'000);
  const NtpTime ntp(0xE98B0A00u, 0x80000000u);  // x.5 s
  EXPECT_TRUE(estimator.OnSenderReport(ntp, 1'000'000));
  EXPECT_EQ(estimator.Estimate(1'000'000), ntp);
  EXPECT_EQ(estimator.Estimate(1'090'000), NtpTime(0xE98B0A01u, 0x80000000u));
  EXPECT_EQ(estimator.Estimate(955'000), NtpTime(0xE98B0A00u, 0x00000000u));
  EXPECT_EQ(*estimator.EstimatedClockRate(), 90'000.0);
}

TEST(RtpToNtpEstimatorTest, ReportsCloserThanTheFitSpanKeepTheNominalRate) {
  Sender sender{.clock_rate = 48'000, .ppm = 5000};  // Absurdly fast, to see it ignored.
  RtpToNtpEstimator estimator(48'000);
  EXPECT_TRUE(
      estimator.OnSenderReport(sender.Ntp(TimeDelta::Zero()), sender.Rtp(TimeDelta::Zero())));
  EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Millis(500)),
                                       sender.Rtp(TimeDelta::Millis(500))));
  EXPECT_EQ(*estimator.EstimatedClockRate(), 48'000.0);
}

TEST(RtpToNtpEstimatorTest, FitsTheSendersClockDrift) {
  // 50 ppm: 1.5 ms of error 30 s after the last SR at the nominal rate.
  const Sender sender{.clock_rate = 90'000, .ppm = 50};
  RtpToNtpEstimator nominal(90'000);
  RtpToNtpEstimator estimator(90'000);
  ASSERT_TRUE(nominal.OnSenderReport(sender.Ntp(TimeDelta::Seconds(60)),
                                     sender.Rtp(TimeDelta::Seconds(60))));
  for (int s = 0; s <= 60; s += 5) {
    EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(s)),
                                         sender.Rtp(TimeDelta::Seconds(s))));
  }
  EXPECT_EQ(estimator.num_reports(), RtpToNtpEstimator::kMaxReports);
  EXPECT_NEAR(*estimator.EstimatedClockRate(), 90'004.5, 0.05);
  EXPECT_NEAR(ErrorUs(nominal, sender, TimeDelta::Seconds(90)), 1'500, 1);
  EXPECT_NEAR(ErrorUs(estimator, sender, TimeDelta::Seconds(90)), 0, 5);
  // Between the reports too, and back before the window.
  EXPECT_NEAR(ErrorUs(estimator, sender, TimeDelta::Millis(37'123)), 0, 5);
  EXPECT_NEAR(ErrorUs(estimator, sender, TimeDelta::Seconds(2)), 0, 5);
}

TEST(RtpToNtpEstimatorTest, RtpTimestampsWrap) {
  // The 32-bit RTP clock wraps 3 s after the first SR.
  const Sender sender{.clock_rate = 90'000, .ppm = -30, .rtp_at_zero = 0xFFFFFFFFu - 270'000};
  RtpToNtpEstimator estimator(90'000);
  for (int s = 0; s <= 8; s += 2) {
    EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(s)),
                                         sender.Rtp(TimeDelta::Seconds(s))));
  }
  EXPECT_NEAR(*estimator.EstimatedClockRate(), 90'000 * (1 - 30e-6), 0.2);
  EXPECT_NEAR(ErrorUs(estimator, sender, TimeDelta::Seconds(1)), 0, 20);   // Before the wrap.
  EXPECT_NEAR(ErrorUs(estimator, sender, TimeDelta::Seconds(12)), 0, 20);  // After it.
}

TEST(RtpToNtpEstimatorTest, DuplicateAndOlderReportsAreIgnored) {
  const Sender sender;
  RtpToNtpEstimator estimator(90'000);
  EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(5)),
                                       sender.Rtp(TimeDelta::Seconds(5))));
  EXPECT_FALSE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(5)),
                                        sender.Rtp(TimeDelta::Seconds(5))));
  // An SR overtaken by the newer one (reordered RTCP) is stale.
  EXPECT_FALSE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(4)),
                                        sender.Rtp(TimeDelta::Seconds(4))));
  EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(6)),
                                       sender.Rtp(TimeDelta::Seconds(6))));
  EXPECT_EQ(estimator.num_reports(), 2u);
  // Duplicates never add up to a reset.
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(6)),
                                          sender.Rtp(TimeDelta::Seconds(6))));
  }
  EXPECT_EQ(estimator.num_reports(), 2u);
}

TEST(RtpToNtpEstimatorTest, OneInconsistentReportIsIgnored) {
  const Sender sender{.clock_rate = 48'000};
  RtpToNtpEstimator estimator(48'000);
  for (int s = 0; s < 4; ++s) {
    ASSERT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(s)),
                                         sender.Rtp(TimeDelta::Seconds(s))));
  }
  // 100 ms off the line: rejected, and the estimate is untouched.
  EXPECT_FALSE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(4)),
                                        sender.Rtp(TimeDelta::Seconds(4)) + 4'800));
  EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(5)),
                                       sender.Rtp(TimeDelta::Seconds(5))));
  EXPECT_NEAR(ErrorUs(estimator, sender, TimeDelta::Seconds(6)), 0, 1);
  // Within the tolerance (SR timestamps a few ms off the capture clock): taken.
  EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(7)),
                                       sender.Rtp(TimeDelta::Seconds(7)) + 96));
}

TEST(RtpToNtpEstimatorTest, ResetsAfterThreeInconsistentReportsInARow) {
  Sender sender{.clock_rate = 90'000};
  RtpToNtpEstimator estimator(90'000);
  for (int s = 0; s < 5; ++s) {
    ASSERT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(s)),
                                         sender.Rtp(TimeDelta::Seconds(s))));
  }
  // The sender restarts its RTP clock at a new random offset.
  sender.rtp_at_zero = 0x0BADF00Du;
  EXPECT_FALSE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(5)),
                                        sender.Rtp(TimeDelta::Seconds(5))));
  EXPECT_FALSE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(6)),
                                        sender.Rtp(TimeDelta::Seconds(6))));
  EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(7)),
                                       sender.Rtp(TimeDelta::Seconds(7))));
  EXPECT_EQ(estimator.num_reports(), 1u);
  EXPECT_NEAR(ErrorUs(estimator, sender, TimeDelta::Seconds(9)), 0, 1);
  EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(8)),
                                       sender.Rtp(TimeDelta::Seconds(8))));
}

TEST(RtpToNtpEstimatorTest, NtpClockSteppedBackResets) {
  const Sender sender;
  RtpToNtpEstimator estimator(90'000);
  for (int s = 10; s < 15; ++s) {
    ASSERT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(s)),
                                         sender.Rtp(TimeDelta::Seconds(s))));
  }
  // The sender's NTP clock is stepped 8 s back; its RTP clock runs on.
  auto stepped = [&](int s) { return sender.Ntp(TimeDelta::Seconds(s - 8)); };
  EXPECT_FALSE(estimator.OnSenderReport(stepped(15), sender.Rtp(TimeDelta::Seconds(15))));
  EXPECT_FALSE(estimator.OnSenderReport(stepped(16), sender.Rtp(TimeDelta::Seconds(16))));
  EXPECT_TRUE(estimator.OnSenderReport(stepped(17), sender.Rtp(TimeDelta::Seconds(17))));
  EXPECT_EQ(estimator.Estimate(sender.Rtp(TimeDelta::Seconds(18))), stepped(18));
}

TEST(RtpToNtpEstimatorTest, ReportAfterAnOutageOfHours) {
  // Ten hours without SRs: the RTP clock wrapped (2^32 ticks is 13.3 h at 90 kHz, but half of it,
  // the unwrapping range, is 6.6 h).
  const Sender sender{.clock_rate = 90'000, .ppm = 20};
  RtpToNtpEstimator estimator(90'000);
  for (int s = 0; s <= 20; s += 5) {
    ASSERT_TRUE(estimator.OnSenderReport(sender.Ntp(TimeDelta::Seconds(s)),
                                         sender.Rtp(TimeDelta::Seconds(s))));
  }
  const TimeDelta later = TimeDelta::Seconds(10 * 3600);
  EXPECT_TRUE(estimator.OnSenderReport(sender.Ntp(later), sender.Rtp(later)));
  EXPECT_NEAR(ErrorUs(estimator, sender, later + TimeDelta::Seconds(3)), 0, 20);
}

}  // namespace
}  // namespace comodal
