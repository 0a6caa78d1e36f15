#include "engine/timing/video_render_timing.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace comodal::engine {
namespace {

constexpr uint32_t kTicksPerFrame = 3000;  // 30 fps on the 90 kHz clock.

// When the frame `frame` was captured, on the media clock (as VideoRenderTiming counts it).
Timestamp Media(int frame) {
  return Timestamp::Micros(int64_t{frame} * kTicksPerFrame * 1'000'000 / 90'000);
}

// Frames every 33 ms, each complete 300 ms after capture (no jitter), from `from` to `to`.
void FeedSteady(VideoRenderTiming& timing, int from, int to) {
  for (int frame = from; frame < to; ++frame) {
    timing.OnFrameComplete(static_cast<uint32_t>(frame) * kTicksPerFrame,
                           Media(frame) + TimeDelta::Millis(300));
  }
}

TEST(VideoRenderTimingTest, WithoutJitterFramesAreShownOnArrival) {
  VideoRenderTiming timing;
  FeedSteady(timing, 0, 90);
  EXPECT_EQ(timing.delay(), TimeDelta::Zero());
}

// A repaired packet that came 180 ms after its frame's fastest transit: frames are held that
// long, so that the next such repair is in time, while the repairs of the window are remembered;
// then the cover goes.
TEST(VideoRenderTimingTest, RepairsAreCoveredUpToTheMaximumWaitWhileRemembered) {
  VideoRenderTiming timing;
  timing.SetMaxRepairWait(TimeDelta::Millis(250));
  FeedSteady(timing, 0, 90);
  timing.OnRepair(60 * kTicksPerFrame, Media(60) + TimeDelta::Millis(300 + 180));
  EXPECT_EQ(timing.repair_cover(), TimeDelta::Millis(180));
  EXPECT_EQ(timing.delay(), TimeDelta::Millis(180));
  // A later, smaller lateness does not lower the cover while the larger one is in the window.
  timing.OnRepair(90 * kTicksPerFrame, Media(90) + TimeDelta::Millis(300 + 50));
  EXPECT_EQ(timing.delay(), TimeDelta::Millis(180));
  // Longer than the maximum wait: covered up to it.
  timing.OnRepair(120 * kTicksPerFrame, Media(120) + TimeDelta::Millis(300 + 400));
  EXPECT_EQ(timing.delay(), TimeDelta::Millis(250));
  // 30 s later (the repair window) with no repair, only the newest lateness is left, then none
  // is older than the window.
  FeedSteady(timing, 90, 1200);
  timing.OnRepair(1200 * kTicksPerFrame, Media(1200) + TimeDelta::Millis(300 + 20));
  EXPECT_EQ(timing.delay(), TimeDelta::Millis(20));
}

TEST(VideoRenderTimingTest, RepairsAreNotWaitedForWhenTheWaitIsZero) {
  VideoRenderTiming timing;
  FeedSteady(timing, 0, 90);
  timing.OnRepair(60 * kTicksPerFrame, Media(60) + TimeDelta::Millis(300 + 700));
  EXPECT_EQ(timing.repair_cover(), TimeDelta::Zero());
  EXPECT_EQ(timing.delay(), TimeDelta::Zero());
}

TEST(VideoRenderTimingTest, TheMinimumDelayHoldsFramesAndNeverLowersTheConfiguredOne) {
  VideoRenderTiming::Config config;
  config.min_delay = TimeDelta::Millis(30);
  VideoRenderTiming timing(config);
  FeedSteady(timing, 0, 90);
  EXPECT_EQ(timing.delay(), TimeDelta::Millis(30));
  timing.SetMinDelay(TimeDelta::Millis(70));
  EXPECT_EQ(timing.delay(), TimeDelta::Millis(70));
  timing.SetMinDelay(TimeDelta::Zero());
  EXPECT_EQ(timing.delay(), TimeDelta::Millis(30));
}

}  // namespace
}  // namespace comodal::engine
