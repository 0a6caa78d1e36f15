#include "session/clock/hybrid_logical_clock.h"

#include <gtest/gtest.h>

#include <ostream>
#include <random>

namespace comodal::session {

void PrintTo(const HlcTimestamp& t, std::ostream* os) { *os << t.wall_ms << "." << t.logical; }

namespace {

constexpr Timestamp kT0 = Timestamp::Seconds(1'700'000'000);

// Readings only grow, even when the physical clock stands still or steps back (an NTP step).
TEST(HybridLogicalClockTest, ReadingsGrowWhateverThePhysicalClockDoes) {
  HybridLogicalClock clock;
  HlcTimestamp previous = clock.Now(kT0);
  EXPECT_EQ(previous, (HlcTimestamp{kT0.ms(), 0}));
  for (TimeDelta step : {TimeDelta::Zero(), TimeDelta::Millis(5), TimeDelta::Millis(-2000),
                         TimeDelta::Zero(), TimeDelta::Seconds(3)}) {
    const HlcTimestamp now = clock.Now(kT0 + step);
    EXPECT_GT(now, previous);
    previous = now;
  }
  // Back on physical time once it passes the readings.
  EXPECT_EQ(clock.Now(kT0 + TimeDelta::Seconds(4)), (HlcTimestamp{kT0.ms() + 4000, 0}));
}

// A node whose clock is behind still orders its answer after the message it answers (a site's
// hand raised after the teacher's question), and its readings stay near its own physical time
// plus what it observed.
TEST(HybridLogicalClockTest, AnOperationAfterAnObservedOneIsOrderedAfterIt) {
  HybridLogicalClock hub;
  HybridLogicalClock site;
  const TimeDelta skew = TimeDelta::Millis(1500);  // The site's clock is 1.5 s behind.
  const HlcTimestamp question = hub.Now(kT0);
  ASSERT_TRUE(site.Observe(question, kT0 - skew + TimeDelta::Millis(300)).ok());
  const HlcTimestamp answer = site.Now(kT0 - skew + TimeDelta::Millis(310));
  EXPECT_GT(answer, question);
  EXPECT_EQ(answer.wall_ms, question.wall_ms);
  // The hub, observing the answer, goes on from its own time.
  ASSERT_TRUE(hub.Observe(answer, kT0 + TimeDelta::Millis(600)).ok());
  EXPECT_EQ(hub.Now(kT0 + TimeDelta::Millis(601)), (HlcTimestamp{kT0.ms() + 601, 0}));
}

// A reading far in the future (a wrong or hostile clock) is refused and changes nothing.
TEST(HybridLogicalClockTest, AReadingTooFarAheadIsRefused) {
  HybridLogicalClock clock;
  const HlcTimestamp before = clock.Now(kT0);
  const HlcTimestamp ahead{kT0.ms() + 61'000, 0};
  const Status refused = clock.Observe(ahead, kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(clock.last(), before);
  EXPECT_FALSE(clock.Observe(HlcTimestamp{HlcTimestamp::kMaxWallMs, 0}, kT0).ok());
  EXPECT_FALSE(clock.Observe(HlcTimestamp{-1, 0}, kT0).ok());
  // Within the bound it is taken (the observation is an event too: counter 8, then 9).
  ASSERT_TRUE(clock.Observe(HlcTimestamp{kT0.ms() + 59'000, 7}, kT0).ok());
  EXPECT_EQ(clock.Now(kT0), (HlcTimestamp{kT0.ms() + 59'000, 9}));
}

// More events in one millisecond than the counter holds: readings still grow, the wall part
// moves on by a millisecond only.
TEST(HybridLogicalClockTest, ACounterSpentInOneMillisecondMovesOnAMillisecond) {
  HybridLogicalClock clock;
  HlcTimestamp previous = clock.Now(kT0);
  for (int i = 0; i < 70'000; ++i) {
    const HlcTimestamp now = clock.Now(kT0);
    ASSERT_GT(now, previous);
    previous = now;
  }
  EXPECT_EQ(previous.wall_ms, kT0.ms() + 1);
}

// Packed readings compare as the readings do, and unpack to them.
TEST(HybridLogicalClockTest, PackedReadingsKeepTheirOrder) {
  std::mt19937_64 random(5);
  for (int i = 0; i < 1000; ++i) {
    const HlcTimestamp a{static_cast<int64_t>(random() % (uint64_t{1} << 48)),
                         static_cast<uint16_t>(random())};
    const HlcTimestamp b{a.wall_ms + static_cast<int64_t>(random() % 3) - 1,
                         static_cast<uint16_t>(random())};
    EXPECT_EQ(HlcTimestamp::Unpack(a.Pack()), a);
    if (b.wall_ms >= 0) EXPECT_EQ(a < b, a.Pack() < b.Pack());
  }
}

}  // namespace
}  // namespace comodal::session
