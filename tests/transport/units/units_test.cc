#include <gtest/gtest.h>

#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {
namespace {

TEST(TimeDeltaTest, NamedFactoriesAgree) {
  static_assert(TimeDelta::Seconds(2) == TimeDelta::Millis(2000));
  static_assert(TimeDelta::Millis(3) == TimeDelta::Micros(3000));
  EXPECT_EQ(TimeDelta::Millis(1.5).us(), 1500);
  EXPECT_EQ(TimeDelta::Seconds(0.25).ms(), 250);
  EXPECT_EQ(TimeDelta::Micros(1499).ms(), 1);  // Rounded to nearest.
  EXPECT_EQ(TimeDelta::Micros(1500).ms(), 2);
  EXPECT_EQ(TimeDelta::Micros(-1500).ms(), -2);
  EXPECT_DOUBLE_EQ(TimeDelta::Millis(20).seconds_f(), 0.02);
}

TEST(TimeDeltaTest, ArithmeticAndComparison) {
  constexpr TimeDelta a = TimeDelta::Millis(300);
  constexpr TimeDelta b = TimeDelta::Millis(20);
  static_assert(a + b == TimeDelta::Millis(320));
  static_assert(a - b == TimeDelta::Millis(280));
  static_assert(-b == TimeDelta::Millis(-20));
  static_assert(a > b);
  EXPECT_EQ(b * 3, TimeDelta::Millis(60));
  EXPECT_EQ(3 * b, TimeDelta::Millis(60));
  EXPECT_EQ(b * 0.5, TimeDelta::Millis(10));
  EXPECT_EQ(a / 3, TimeDelta::Millis(100));
  EXPECT_DOUBLE_EQ(a / b, 15.0);
  EXPECT_EQ(TimeDelta::Millis(-7).Abs(), TimeDelta::Millis(7));
  EXPECT_EQ(TimeDelta::Clamp(a, TimeDelta::Zero(), TimeDelta::Millis(100)), TimeDelta::Millis(100));
  TimeDelta c = a;
  c += b;
  c -= TimeDelta::Millis(1);
  EXPECT_EQ(c, TimeDelta::Millis(319));
}

TEST(TimeDeltaTest, InfinitiesAbsorbAndSaturate) {
  constexpr TimeDelta inf = TimeDelta::PlusInfinity();
  static_assert(inf.IsInfinite() && inf.IsPlusInfinity() && !inf.IsFinite());
  static_assert(TimeDelta::MinusInfinity() < TimeDelta::Millis(-1'000'000'000));
  EXPECT_EQ(inf + TimeDelta::Seconds(5), inf);
  EXPECT_EQ(inf - TimeDelta::Seconds(5), inf);
  EXPECT_EQ(-inf, TimeDelta::MinusInfinity());
  EXPECT_EQ(inf * 2, inf);
  EXPECT_EQ(inf * -2, TimeDelta::MinusInfinity());
  EXPECT_EQ(inf * 0, TimeDelta::Zero());
  EXPECT_EQ(inf / 4, inf);
  EXPECT_TRUE(std::isinf(inf.seconds_f()));
  // Finite values that overflow saturate to infinity instead of wrapping.
  EXPECT_EQ(TimeDelta::Seconds(int64_t{1} << 62), inf);
  EXPECT_EQ(TimeDelta::Micros(INT64_MAX - 1) + TimeDelta::Micros(5), inf);
}

TEST(TimestampTest, PointsAndDurations) {
  constexpr Timestamp t0 = Timestamp::Seconds(10);
  constexpr Timestamp t1 = t0 + TimeDelta::Millis(600);
  static_assert(t1 - t0 == TimeDelta::Millis(600));
  static_assert(t0 - t1 == TimeDelta::Millis(-600));
  static_assert(t1 - TimeDelta::Millis(600) == t0);
  static_assert(TimeDelta::Millis(1) + t0 == Timestamp::Micros(10'001'000));
  EXPECT_EQ(t1.ms(), 10'600);
  EXPECT_EQ(Timestamp::PlusInfinity() - t0, TimeDelta::PlusInfinity());
  EXPECT_EQ(t0 - Timestamp::MinusInfinity(), TimeDelta::PlusInfinity());
  EXPECT_EQ(t0 + TimeDelta::PlusInfinity(), Timestamp::PlusInfinity());
  Timestamp t = t0;
  t += TimeDelta::Seconds(1);
  EXPECT_EQ(t, Timestamp::Seconds(11));
}

TEST(DataRateTest, FactoriesAndAccessors) {
  static_assert(DataRate::KilobitsPerSec(256) == DataRate::BitsPerSec(256'000));
  static_assert(DataRate::MegabitsPerSec(1) == DataRate::KilobitsPerSec(1000));
  EXPECT_EQ(DataRate::KilobitsPerSec(1.5).bps(), 1500);
  EXPECT_EQ(DataRate::BitsPerSec(255'500).kbps(), 256);
  EXPECT_DOUBLE_EQ(DataRate::KilobitsPerSec(256).kbps_f(), 256.0);
}

TEST(CrossUnitTest, SizeRateAndTime) {
  // 1 Mbit/s for 600 ms is 75 000 bytes.
  constexpr DataSize bdp = DataRate::MegabitsPerSec(1) * TimeDelta::Millis(600);
  static_assert(bdp == DataSize::Bytes(75'000));
  static_assert(TimeDelta::Millis(600) * DataRate::MegabitsPerSec(1) == bdp);
  // A 1200-byte packet at 256 kbit/s takes 37.5 ms to serialise.
  static_assert(DataSize::Bytes(1200) / DataRate::KilobitsPerSec(256) == TimeDelta::Micros(37'500));
  static_assert(DataSize::Bytes(1200) / TimeDelta::Micros(37'500) == DataRate::KilobitsPerSec(256));
  EXPECT_EQ(DataSize::Kilobytes(1) + DataSize::Bytes(24), DataSize::Bytes(1024));
  EXPECT_DOUBLE_EQ(DataSize::Bytes(3).bits_f(), 24.0);
}

TEST(CrossUnitTest, ZeroAndInfinityLimits) {
  EXPECT_EQ(DataSize::Bytes(10) / TimeDelta::Zero(), DataRate::PlusInfinity());
  EXPECT_EQ(DataSize::Bytes(10) / DataRate::Zero(), TimeDelta::PlusInfinity());
  EXPECT_EQ(DataSize::Bytes(10) / TimeDelta::PlusInfinity(), DataRate::Zero());
  EXPECT_EQ(DataSize::Bytes(10) / DataRate::PlusInfinity(), TimeDelta::Zero());
  EXPECT_EQ(DataRate::PlusInfinity() * TimeDelta::Seconds(1), DataSize::PlusInfinity());
  EXPECT_EQ(DataRate::PlusInfinity() * TimeDelta::Zero(), DataSize::Zero());
  EXPECT_EQ(DataRate::KilobitsPerSec(100) * TimeDelta::MinusInfinity(), DataSize::MinusInfinity());
  // Large finite products do not overflow on the way (128-bit intermediate).
  EXPECT_EQ(DataRate::MegabitsPerSec(100) * TimeDelta::Seconds(86'400 * 365),
            DataSize::Bytes(int64_t{100'000'000} / 8 * 86'400 * 365));
}

TEST(UnitsTest, ToStringNamesTheUnit) {
  EXPECT_EQ(ToString(TimeDelta::Millis(600)), "600 ms");
  EXPECT_EQ(ToString(TimeDelta::Micros(250)), "250 us");
  EXPECT_EQ(ToString(TimeDelta::PlusInfinity()), "+inf ms");
  EXPECT_EQ(ToString(DataRate::KilobitsPerSec(256)), "256000 bps");
  EXPECT_EQ(ToString(DataSize::Bytes(1200)), "1200 bytes");
  EXPECT_EQ(ToString(Timestamp::Millis(5)), "5 ms");
}

}  // namespace
}  // namespace comodal
