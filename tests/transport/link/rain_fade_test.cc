#include "transport/link/rain_fade.h"

#include <gtest/gtest.h>

namespace comodal::link {
namespace {

const DataRate kClearSky = DataRate::KilobitsPerSec(1000);

TEST(RainFadeTest, BestModcodFollowsTheDvbS2Thresholds) {
  EXPECT_EQ(BestModcod(-3.0), nullptr);
  EXPECT_EQ(BestModcod(-2.35)->name, "QPSK 1/4");
  EXPECT_EQ(BestModcod(1.0)->name, "QPSK 1/2");
  // 16APSK 3/4 (10.21 dB) carries more than 8PSK 9/10 (10.98 dB): the fastest decodable wins.
  EXPECT_EQ(BestModcod(11.0)->name, "16APSK 3/4");
  EXPECT_EQ(BestModcod(20.0)->name, "32APSK 9/10");
}

// A fade rising to 9 dB over a minute, held two minutes, then clearing over a minute: capacity
// steps down MODCOD by MODCOD, bottoms out at the ratio of efficiencies, and comes back.
TEST(RainFadeTest, CapacityStepsDownAndBackWithTheFade) {
  RainFadeConfig fade;
  fade.clear_sky_esn0_db = 11.0;  // 16APSK 3/4, 2.966728 bit/symbol.
  fade.attenuation = {{TimeDelta::Zero(), 0},
                      {TimeDelta::Seconds(60), 0},
                      {TimeDelta::Seconds(120), 9},
                      {TimeDelta::Seconds(240), 9},
                      {TimeDelta::Seconds(300), 0}};
  auto schedule = ApplyRainFade(CapacitySchedule::Constant(kClearSky), fade);
  ASSERT_TRUE(schedule.ok()) << schedule.error();
  EXPECT_EQ(schedule->RateAt(TimeDelta::Seconds(30)), kClearSky);
  // 11 - 9 = 2 dB: QPSK 1/2 (0.988858); 0.988858 / 2.966728 = 33.3 %.
  EXPECT_NEAR(schedule->RateAt(TimeDelta::Seconds(180)).kbps_f(), 1000 * 0.988858 / 2.966728, 0.5);
  EXPECT_EQ(schedule->RateAt(TimeDelta::Seconds(400)), kClearSky);

  // Monotone down during the rise, monotone up during the recovery, several MODCOD steps each.
  int down = 0, up = 0;
  const auto& steps = schedule->steps();
  for (size_t i = 1; i < steps.size(); ++i) {
    if (steps[i].at <= TimeDelta::Seconds(120)) {
      EXPECT_LT(steps[i].rate, steps[i - 1].rate);
      ++down;
    } else {
      EXPECT_GE(steps[i].at, TimeDelta::Seconds(240));
      EXPECT_GT(steps[i].rate, steps[i - 1].rate);
      ++up;
    }
  }
  EXPECT_GE(down, 5);
  EXPECT_GE(up, 5);
}

TEST(RainFadeTest, StepsUpOnlyWithTheHysteresisMargin) {
  RainFadeConfig fade;
  fade.clear_sky_esn0_db = 11.0;
  fade.hysteresis_db = 1.0;
  fade.sample = TimeDelta::Seconds(1);
  // Down to 9.5 dB of attenuation (1.5 dB: QPSK 1/2 at 1.00 dB decodes), then back by 0.5 dB to
  // 9 dB (2.0 dB: QPSK 3/5 needs 2.23 dB), then to 8 dB (3.0 dB): QPSK 3/5 would decode, but it
  // needs 2.23 + 1.0 = 3.23 dB to step up to it, so the terminal stays on QPSK 1/2 at 3.0 dB.
  fade.attenuation = {{TimeDelta::Zero(), 9.5},
                      {TimeDelta::Seconds(10), 9.5},
                      {TimeDelta::Seconds(11), 8.0},
                      {TimeDelta::Seconds(20), 8.0},
                      {TimeDelta::Seconds(21), 7.0}};
  auto schedule = ApplyRainFade(CapacitySchedule::Constant(kClearSky), fade);
  ASSERT_TRUE(schedule.ok()) << schedule.error();
  const DataRate qpsk_1_2 = kClearSky * (0.988858 / 2.966728);
  EXPECT_EQ(schedule->RateAt(TimeDelta::Seconds(5)), qpsk_1_2);
  EXPECT_EQ(schedule->RateAt(TimeDelta::Seconds(15)), qpsk_1_2);
  // At 7 dB of attenuation (4.0 dB): 4.0 - 1.0 = 3.0 clears QPSK 3/5 (2.23) but not QPSK 2/3
  // (3.10).
  EXPECT_EQ(schedule->RateAt(TimeDelta::Seconds(25)), kClearSky * (1.188304 / 2.966728));
}

TEST(RainFadeTest, DeepFadeIsAnOutageAndErrorsAreClear) {
  RainFadeConfig fade;
  fade.clear_sky_esn0_db = 5.0;
  fade.attenuation = {{TimeDelta::Zero(), 0}, {TimeDelta::Seconds(10), 12}};
  auto schedule = ApplyRainFade(CapacitySchedule::Constant(kClearSky), fade);
  ASSERT_TRUE(schedule.ok());
  EXPECT_EQ(schedule->RateAt(TimeDelta::Seconds(20)), DataRate::Zero());  // -7 dB < -2.35 dB.
  EXPECT_EQ(schedule->TransmissionEnd(TimeDelta::Seconds(20), DataSize::Bytes(100)),
            TimeDelta::PlusInfinity());

  fade.clear_sky_esn0_db = -5;
  auto too_weak = ApplyRainFade(CapacitySchedule::Constant(kClearSky), fade);
  ASSERT_FALSE(too_weak.ok());
  EXPECT_NE(too_weak.error().find("below every DVB-S2 MODCOD"), std::string::npos);

  fade.clear_sky_esn0_db = 10;
  auto looping = ApplyRainFade(
      CapacitySchedule({{TimeDelta::Zero(), kClearSky}}, TimeDelta::Seconds(1)), fade);
  ASSERT_FALSE(looping.ok());
}

}  // namespace
}  // namespace comodal::link
