#include "engine/media/freeze_detector.h"

#include <gtest/gtest.h>

namespace comodal::engine {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(100);
constexpr TimeDelta kFrame = TimeDelta::Micros(33'333);

// DESIGN.md: a freeze is a gap over max(3 x mean interval, mean + 150 ms). At 30 fps the second
// term rules: 183 ms.
TEST(FreezeDetectorTest, GapOverTheMeanPlus150MsIsAFreeze) {
  FreezeDetector detector;
  Timestamp t = kStart;
  for (int i = 0; i < 30; ++i, t += kFrame) detector.OnFrameRendered(t);
  t += TimeDelta::Millis(150);  // A gap of 183 ms: not yet.
  detector.OnFrameRendered(t);
  EXPECT_EQ(detector.freezes(), 0u);
  t += TimeDelta::Millis(190);
  detector.OnFrameRendered(t);
  EXPECT_EQ(detector.freezes(), 1u);
  EXPECT_EQ(detector.total_freeze_duration(), TimeDelta::Millis(190));
  EXPECT_EQ(detector.longest_gap(), TimeDelta::Millis(190));
}

// At 5 fps (the encoder dropping frames on a narrow link) 3 x mean rules: 600 ms.
TEST(FreezeDetectorTest, SlowStreamsAreJudgedByTheirOwnPace) {
  FreezeDetector detector;
  Timestamp t = kStart;
  for (int i = 0; i < 30; ++i, t += TimeDelta::Millis(200)) detector.OnFrameRendered(t);
  const Timestamp last = t - TimeDelta::Millis(200);
  detector.OnFrameRendered(last + TimeDelta::Millis(550));
  EXPECT_EQ(detector.freezes(), 0u);
  detector.OnFrameRendered(last + TimeDelta::Millis(550 + 650));
  EXPECT_EQ(detector.freezes(), 1u);
}

// A stall that lasts until the stream ends is a freeze too; a clean end is not.
TEST(FreezeDetectorTest, StallUntilTheEndOfTheStreamCounts) {
  FreezeDetector stalled;
  FreezeDetector clean;
  Timestamp t = kStart;
  for (int i = 0; i < 30; ++i, t += kFrame) {
    stalled.OnFrameRendered(t);
    clean.OnFrameRendered(t);
  }
  stalled.OnStreamEnd(t + TimeDelta::Seconds(2));
  clean.OnStreamEnd(t);
  EXPECT_EQ(stalled.freezes(), 1u);
  EXPECT_EQ(clean.freezes(), 0u);
}

}  // namespace
}  // namespace comodal::engine
