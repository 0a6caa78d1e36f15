#include "transport/time/ntp_time.h"

#include <gtest/gtest.h>

namespace comodal {
namespace {

TEST(NtpTimeTest, SecondsAndFractions) {
  // 0.5 s is 2^31 fractions.
  NtpTime t = NtpTime::FromTimeSinceEpoch(TimeDelta::Millis(3'500));
  EXPECT_EQ(t.seconds(), 3u);
  EXPECT_EQ(t.fractions(), 0x80000000u);
  EXPECT_EQ(t.ToTimeSinceEpoch(), TimeDelta::Millis(3'500));
  EXPECT_EQ(t.ToCompact(), 0x00038000u);  // Middle 32 bits: 3 s in 16.16.
}

TEST(NtpTimeTest, MicrosecondRoundTrip) {
  for (int64_t us :
       {int64_t{1}, int64_t{999'999}, int64_t{123'456'789}, int64_t{3'900'000'000'123}}) {
    NtpTime t = NtpTime::FromTimeSinceEpoch(TimeDelta::Micros(us));
    EXPECT_EQ(t.ToTimeSinceEpoch(), TimeDelta::Micros(us)) << us;
  }
}

TEST(NtpTimeTest, CompactConversions) {
  EXPECT_EQ(TimeDeltaToCompactNtp(TimeDelta::Seconds(1)), 65536u);
  EXPECT_EQ(CompactNtpToTimeDelta(65536 / 2), TimeDelta::Millis(500));
  EXPECT_EQ(TimeDeltaToCompactNtp(TimeDelta::Millis(-5)), 0u);
  EXPECT_EQ(TimeDeltaToCompactNtp(TimeDelta::Seconds(100'000)), 0xFFFFFFFFu);
}

TEST(NtpTimeTest, RoundTripFromReportBlock) {
  // RFC 3550 §6.4.1 example: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s),
  // DLSR = 0x0005:4000 (5.250 s) -> RTT = 6.125 s.
  EXPECT_EQ(RoundTripFromCompactNtp(0xB7108000u, 0xB7052000u, 0x00054000u),
            TimeDelta::Millis(6125));
  // A report claiming more delay than elapsed is clamped to zero, not a huge RTT.
  EXPECT_EQ(RoundTripFromCompactNtp(100, 90, 20), TimeDelta::Zero());
  // Wraps of the 16-bit seconds field are handled.
  EXPECT_EQ(RoundTripFromCompactNtp(0x00010000u, 0xFFFF8000u, 0), TimeDelta::Millis(1500));
}

}  // namespace
}  // namespace comodal
