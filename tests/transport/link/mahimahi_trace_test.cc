#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "transport/link/capacity_schedule.h"
#include "transport/link/link_model.h"

namespace comodal::link {
namespace {

using ::testing::HasSubstr;

TEST(MahimahiTraceTest, OneOpportunityPerMillisecondIsTwelveMegabits) {
  std::string trace;
  for (int ms = 1; ms <= 10; ++ms) trace += std::to_string(ms) + "\n";
  auto schedule = CapacitySchedule::FromMahimahiTrace(trace);
  ASSERT_TRUE(schedule.ok()) << schedule.error();
  EXPECT_EQ(schedule->repeat_period(), TimeDelta::Millis(10));
  ASSERT_EQ(schedule->steps().size(), 1u);
  EXPECT_EQ(schedule->RateAt(TimeDelta::Seconds(7)), DataRate::MegabitsPerSec(12));

  // Through the link model: 1500 bytes per millisecond for a second, within 2 %.
  LinkDirectionConfig config;
  config.capacity = *schedule;
  const Timestamp start = Timestamp::Seconds(1);
  LinkModel model(config, start, 1);
  for (int i = 0; i < 2000; ++i)
    (void)model.Send(LinkPacket{static_cast<uint64_t>(i), std::vector<uint8_t>(1500)}, start);
  EXPECT_NEAR(static_cast<double>(model.DeliverDue(start + TimeDelta::Seconds(1)).size()), 1000,
              20);
}

TEST(MahimahiTraceTest, PacketsWaitForTheNextOpportunityAndTheTraceLoops) {
  // Opportunities at 5 ms and 10 ms; 10 is the period, so its opportunity falls at 0 of each loop.
  auto schedule = CapacitySchedule::FromMahimahiTrace("5\n10\n");
  ASSERT_TRUE(schedule.ok()) << schedule.error();
  const DataSize packet = DataSize::Bytes(1500);
  EXPECT_EQ(schedule->TransmissionEnd(TimeDelta::Millis(1), packet), TimeDelta::Millis(6));
  EXPECT_EQ(schedule->TransmissionEnd(TimeDelta::Millis(6), packet), TimeDelta::Millis(11));
  EXPECT_EQ(schedule->TransmissionEnd(TimeDelta::Millis(1003), packet), TimeDelta::Millis(1006));
  EXPECT_EQ(schedule->RateAt(TimeDelta::Millis(5)), schedule->RateAt(TimeDelta::Millis(2005)));
  EXPECT_EQ(schedule->RateAt(TimeDelta::Millis(7)), DataRate::Zero());
}

TEST(MahimahiTraceTest, LongGapsCostNothing) {
  // One opportunity per 100 000 s loop (found by fuzzing: a dense per-millisecond table would
  // take 800 MB here). The lone opportunity at the period falls at 0 of each loop.
  auto schedule = CapacitySchedule::FromMahimahiTrace("100000000\n");
  ASSERT_TRUE(schedule.ok()) << schedule.error();
  EXPECT_EQ(schedule->steps().size(), 2u);
  EXPECT_EQ(schedule->TransmissionEnd(TimeDelta::Millis(1), DataSize::Bytes(1500)),
            TimeDelta::Millis(100'000'001));
}

TEST(MahimahiTraceTest, ErrorsNameTheLine) {
  auto bad_number = CapacitySchedule::FromMahimahiTrace("1\n2\nabc\n");
  ASSERT_FALSE(bad_number.ok());
  EXPECT_EQ(bad_number.error(),
            "line 3: 'abc' is not a whole, non-negative number of milliseconds");
  auto backwards = CapacitySchedule::FromMahimahiTrace("1\n5\n\n4\n");
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error(), "line 4: 4 goes back in time after 5");
  EXPECT_THAT(CapacitySchedule::FromMahimahiTrace("-3\n").error(), HasSubstr("line 1:"));
  EXPECT_EQ(CapacitySchedule::FromMahimahiTrace("\n\n").error(),
            "the trace has no delivery opportunity");
  EXPECT_THAT(CapacitySchedule::FromMahimahiTrace("0\n0\n").error(), HasSubstr("must end after 0"));
  // Windows line endings and surrounding blanks are fine.
  EXPECT_TRUE(CapacitySchedule::FromMahimahiTrace(" 1\r\n2 \r\n").ok());
}

}  // namespace
}  // namespace comodal::link
