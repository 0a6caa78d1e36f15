#include "transport/link/codel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace comodal::link {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(10);

// RFC 8289 §5: nothing is dropped until the sojourn time has stayed above target for one
// interval; then drops come at interval/sqrt(count) spacing; a sojourn below target ends it.
TEST(CoDelTest, DropsFollowTheControlLawAndStopBelowTarget) {
  CoDel codel(CoDelConfig{});
  std::vector<int64_t> drop_ms;
  // A packet reaches the head every millisecond having waited 20 ms (above the 5 ms target).
  for (int ms = 0; ms <= 400; ++ms) {
    if (codel.ShouldDrop(kStart + TimeDelta::Millis(ms), TimeDelta::Millis(20))) {
      drop_ms.push_back(ms);
    }
  }
  // First above target at 0 ms -> first drop at 100 ms; the next is scheduled from it with
  // count 1, then each after with the count raised: +100/sqrt(1), +100/sqrt(2), ...
  std::vector<int64_t> expected;
  double next = 100;
  for (int count = 1; next <= 400; ++count) {
    expected.push_back(static_cast<int64_t>(std::ceil(next)));
    next += 100 / std::sqrt(count);
  }
  EXPECT_EQ(expected, (std::vector<int64_t>{100, 200, 271, 329, 379}));
  EXPECT_EQ(drop_ms, expected);
  EXPECT_TRUE(codel.dropping());
  // One packet below target ends the dropping state; the next above-target one starts a new
  // interval rather than dropping.
  EXPECT_FALSE(codel.ShouldDrop(kStart + TimeDelta::Millis(401), TimeDelta::Millis(2)));
  EXPECT_FALSE(codel.dropping());
  EXPECT_FALSE(codel.ShouldDrop(kStart + TimeDelta::Millis(402), TimeDelta::Millis(20)));
  EXPECT_EQ(codel.drops(), expected.size());
}

TEST(CoDelTest, ShortBurstsAboveTargetAreNotDropped) {
  CoDel codel(CoDelConfig{});
  // 90 ms above target, 1 ms below, repeatedly: never a full interval above.
  for (int cycle = 0; cycle < 50; ++cycle) {
    for (int ms = 0; ms < 90; ++ms) {
      EXPECT_FALSE(
          codel.ShouldDrop(kStart + TimeDelta::Millis(cycle * 91 + ms), TimeDelta::Millis(50)));
    }
    EXPECT_FALSE(codel.ShouldDrop(kStart + TimeDelta::Millis(cycle * 91 + 90), TimeDelta::Zero()));
  }
  EXPECT_EQ(codel.drops(), 0u);
}

// RFC 8289 §5.5: re-entering the dropping state soon after leaving it resumes near the drop rate
// it had reached, instead of starting again at one drop per interval.
TEST(CoDelTest, ReenteringSoonResumesTheEarlierDropRate) {
  CoDel codel(CoDelConfig{});
  Timestamp t = kStart;
  for (int ms = 0; ms < 1000; ++ms, t += TimeDelta::Millis(1)) {
    (void)codel.ShouldDrop(t, TimeDelta::Millis(20));
  }
  const uint64_t drops_first_second = codel.drops();
  ASSERT_GT(drops_first_second, 10u);
  (void)codel.ShouldDrop(t, TimeDelta::Zero());  // Leaves the dropping state.
  // Above target again: after one interval it drops, then faster than 1 per 100 ms.
  std::vector<int64_t> drop_ms;
  for (int ms = 1; ms <= 400; ++ms) {
    if (codel.ShouldDrop(t + TimeDelta::Millis(ms), TimeDelta::Millis(20))) drop_ms.push_back(ms);
  }
  ASSERT_GE(drop_ms.size(), 3u);
  EXPECT_EQ(drop_ms[0], 101);
  EXPECT_LT(drop_ms[1] - drop_ms[0], 40);  // A fresh start would wait 71 ms.
}

}  // namespace
}  // namespace comodal::link
