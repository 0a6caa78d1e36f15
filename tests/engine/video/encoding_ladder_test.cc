#include "engine/video/encoding_ladder.h"

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

namespace comodal::engine {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(1000);

DataRate Kbps(double kbps) { return DataRate::KilobitsPerSec(kbps); }
Timestamp At(double seconds) { return kStart + TimeDelta::Seconds(seconds); }

// Default config, 640x360@30, 0.06 bit/pixel: the rung minima are
//   0: 640x360@30 414.7k  1: 640x360@20 276.5k  2: 640x360@15 207.4k  3: 480x268@15 115.8k
//   4: 320x180@15  51.8k  5: 320x180@10  34.6k  6: 160x90@10    8.6k

TEST(EncodingLadderTest, RungsHaveEvenSizesAndTheListedOrder) {
  const EncodingLadder ladder(EncodingLadderConfig{});
  const std::vector<LadderRung> expected = {
      {640, 360, 30}, {640, 360, 20}, {640, 360, 15}, {480, 268, 15},
      {320, 180, 15}, {320, 180, 10}, {160, 90, 10},
  };
  ASSERT_EQ(ladder.rungs().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(ladder.rungs()[i], expected[i]) << "rung " << i;
    EXPECT_EQ(ladder.rungs()[i].width % 2, 0);
    EXPECT_EQ(ladder.rungs()[i].height % 2, 0);
  }
  // Each rung needs less than the one above it.
  for (size_t i = 1; i < expected.size(); ++i) {
    EXPECT_LT(ladder.MinimumRate(i), ladder.MinimumRate(i - 1)) << "rung " << i;
  }
  EXPECT_EQ(ladder.MinimumRate(0).bps(), 414'720);

  EncodingLadderConfig hd;
  hd.width = 1280;
  hd.height = 720;
  const EncodingLadder hd_ladder(hd);
  ASSERT_EQ(hd_ladder.rungs().size(), 7u);
  EXPECT_EQ(hd_ladder.rungs()[3], (LadderRung{960, 540, 15}));
  EXPECT_EQ(hd_ladder.rungs()[6], (LadderRung{320, 180, 10}));

  // 854x480: 3/4 is 640.5x360 -> 640x360; 1/2 is 427x240 -> 426x240 -> 424x240 (0.7 % aspect).
  EncodingLadderConfig wide;
  wide.width = 854;
  wide.height = 480;
  const EncodingLadder wide_ladder(wide);
  EXPECT_EQ(wide_ladder.rungs()[3], (LadderRung{640, 360, 15}));
  EXPECT_EQ(wide_ladder.rungs()[4], (LadderRung{424, 240, 15}));
  EXPECT_EQ(wide_ladder.rungs()[6], (LadderRung{212, 120, 10}));
}

TEST(EncodingLadderTest, FrameRatesStayAtOrAboveTheMinimumWithoutRepeatedRungs) {
  EncodingLadderConfig config;
  config.frame_rate = 15;
  const EncodingLadder ladder(config);
  const std::vector<LadderRung> expected = {
      {640, 360, 15}, {640, 360, 10}, {480, 268, 10}, {320, 180, 10}, {160, 90, 10}};
  EXPECT_EQ(ladder.rungs(), expected);

  // 1/4 of 240x136 is 60 px wide: below the 64 px floor, left out.
  EncodingLadderConfig small;
  small.width = 240;
  small.height = 136;
  const EncodingLadder small_ladder(small);
  EXPECT_EQ(small_ladder.rungs().back(), (LadderRung{120, 68, 10}));
}

TEST(EncodingLadderTest, ValidateRejectsUnusableConfigs) {
  EXPECT_TRUE(EncodingLadder::Validate(EncodingLadderConfig{}).ok());
  EncodingLadderConfig bad;
  bad.width = 0;
  EXPECT_FALSE(EncodingLadder::Validate(bad).ok());
  bad = {};
  bad.frame_rate = 0;
  EXPECT_FALSE(EncodingLadder::Validate(bad).ok());
  bad = {};
  bad.min_frame_rate = 40;
  EXPECT_FALSE(EncodingLadder::Validate(bad).ok());
  bad = {};
  bad.step_up_margin = 0.9;
  EXPECT_FALSE(EncodingLadder::Validate(bad).ok());
  bad = {};
  bad.max_drop_share = 1;
  EXPECT_EQ(EncodingLadder::Validate(bad).error().code, ErrorCode::kInvalidArgument);
}

TEST(EncodingLadderTest, FirstTargetPicksTheHighestRungItsRateMeets) {
  const std::pair<double, size_t> cases[] = {{2000, 0}, {415, 0}, {414, 1}, {300, 1}, {250, 2},
                                             {150, 3},  {60, 4},  {40, 5},  {20, 6},  {1, 6}};
  for (auto [kbps, index] : cases) {
    EncodingLadder ladder(EncodingLadderConfig{});
    const std::optional<LadderChange> change = ladder.OnTargetRate(Kbps(kbps), At(0));
    ASSERT_TRUE(change.has_value()) << kbps;
    EXPECT_EQ(change->reason, LadderReason::kStart);
    EXPECT_EQ(change->from, ladder.rungs()[0]);
    EXPECT_EQ(change->to, ladder.rungs()[index]) << kbps << " kbit/s";
    EXPECT_EQ(change->rate, Kbps(kbps));
    EXPECT_EQ(ladder.index(), index) << kbps << " kbit/s";
    // The same rate again changes nothing.
    EXPECT_FALSE(ladder.OnTargetRate(Kbps(kbps), At(30)).has_value()) << kbps;
  }
}

TEST(EncodingLadderTest, FallingRateStepsFrameRateBeforeResolution) {
  EncodingLadderConfig config;
  config.min_bits_per_pixel = 0.1;  // 300 kbit/s then lands on the 3/4 size.
  EncodingLadder ladder(config);
  std::vector<size_t> visited;
  std::vector<LadderReason> reasons;
  // 2 Mbit/s falling linearly to 300 kbit/s over 60 s, then steady; a target every 250 ms.
  for (int tick = 0; tick <= 360; ++tick) {
    const double t = tick * 0.25;
    const double kbps = t >= 60 ? 300 : 2000 - (2000 - 300) * t / 60;
    if (auto change = ladder.OnTargetRate(Kbps(kbps), At(t))) {
      visited.push_back(ladder.index());
      reasons.push_back(change->reason);
    }
  }
  EXPECT_EQ(visited, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(reasons, (std::vector<LadderReason>{LadderReason::kStart, LadderReason::kRateDown,
                                                LadderReason::kRateDown, LadderReason::kRateDown}));
  // Frame rate went down at full size before the size changed.
  const auto& rungs = ladder.rungs();
  EXPECT_EQ(rungs[1].width, 640);
  EXPECT_EQ(rungs[2].width, 640);
  EXPECT_LT(rungs[1].frame_rate, rungs[0].frame_rate);
  EXPECT_LT(rungs[2].frame_rate, rungs[1].frame_rate);
  EXPECT_LT(rungs[3].width, 640);
  EXPECT_EQ(rungs[3].frame_rate, rungs[2].frame_rate);
}

TEST(EncodingLadderTest, BigDropStepsSeveralRungsAtOnceButAtMostOncePerSpacing) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(2000), At(0)).has_value());
  // Within min_time_between_steps of the start: held.
  EXPECT_FALSE(ladder.OnTargetRate(Kbps(100), At(1)).has_value());
  EXPECT_EQ(ladder.index(), 0u);
  const std::optional<LadderChange> change = ladder.OnTargetRate(Kbps(100), At(2));
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->reason, LadderReason::kRateDown);
  EXPECT_EQ(change->to, (LadderRung{320, 180, 15}));
  EXPECT_EQ(ladder.index(), 4u);
  // A further drop right after waits for the spacing too.
  EXPECT_FALSE(ladder.OnTargetRate(Kbps(20), At(3)).has_value());
  const std::optional<LadderChange> next = ladder.OnTargetRate(Kbps(20), At(4));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(ladder.index(), 6u);
}

// Counts changes (after the start) while the rate alternates between `low` and `high` every
// 500 ms for 60 s.
int ChangesWhileOscillating(EncodingLadder& ladder, DataRate low, DataRate high) {
  int changes = 0;
  for (int tick = 1; tick <= 120; ++tick) {
    changes += ladder.OnTargetRate(tick % 2 ? low : high, At(tick * 0.5)).has_value();
  }
  return changes;
}

TEST(EncodingLadderTest, RateOscillatingAroundTheStepDownThresholdChangesOnce) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(2000), At(0)).has_value());
  const DataRate threshold = ladder.MinimumRate(0);
  EXPECT_EQ(ChangesWhileOscillating(ladder, threshold * 0.9, threshold * 1.1), 1);
  EXPECT_EQ(ladder.index(), 1u);
}

TEST(EncodingLadderTest, RateOscillatingAroundTheStepUpThresholdChangesOnce) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(300), At(0)).has_value());
  ASSERT_EQ(ladder.index(), 1u);
  const DataRate threshold = ladder.MinimumRate(0) * ladder.config().step_up_margin;
  EXPECT_EQ(ChangesWhileOscillating(ladder, threshold * 0.9, threshold * 1.1), 1);
  EXPECT_EQ(ladder.index(), 0u);
}

// Around the 3/4-size threshold, where each change would cost a keyframe.
TEST(EncodingLadderTest, RateOscillatingAroundAResolutionThresholdChangesOnce) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(130), At(0)).has_value());
  ASSERT_EQ(ladder.index(), 3u);
  const DataRate threshold = ladder.MinimumRate(3);
  EXPECT_EQ(ChangesWhileOscillating(ladder, threshold * 0.9, threshold * 1.1), 1);
  EXPECT_EQ(ladder.index(), 4u);
}

TEST(EncodingLadderTest, StepUpWaitsAfterAStepDownAndClimbsOneRungAtATime) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(2000), At(0)).has_value());
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(100), At(3)).has_value());
  ASSERT_EQ(ladder.index(), 4u);
  std::vector<std::pair<double, size_t>> steps;  // (time since start, rung index)
  for (int tick = 7; tick <= 80; ++tick) {       // 3.5 s .. 40 s, every 500 ms, at plenty of rate.
    const double t = tick * 0.5;
    if (auto change = ladder.OnTargetRate(Kbps(5000), At(t))) {
      EXPECT_EQ(change->reason, LadderReason::kRateUp);
      steps.emplace_back(t, ladder.index());
    }
  }
  // 10 s after the step down, then one rung per min_time_between_steps.
  const std::vector<std::pair<double, size_t>> expected = {{13, 3}, {15, 2}, {17, 1}, {19, 0}};
  EXPECT_EQ(steps, expected);
}

TEST(EncodingLadderTest, ClimbingFromALowStartGoesStraightToWhereTheRateLeads) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(150), At(0)).has_value());
  ASSERT_EQ(ladder.index(), 3u);
  // The first probe answers within a round trip: no waiting, several rungs at once, with the
  // step-up margin (640x360 at 20 fps needs 276 kbit/s, x 1.3 = 359).
  auto change = ladder.OnTargetRate(Kbps(360), At(0.6));
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->reason, LadderReason::kRateUp);
  EXPECT_EQ(ladder.index(), 1u);
  change = ladder.OnTargetRate(Kbps(5000), At(0.7));
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(ladder.index(), 0u);
  // Once it has stepped down (steps still spaced), climbing waits and goes one rung at a time.
  EXPECT_FALSE(ladder.OnTargetRate(Kbps(250), At(1)).has_value());
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(250), At(3)).has_value());
  EXPECT_EQ(ladder.index(), 2u);
  EXPECT_FALSE(ladder.OnTargetRate(Kbps(5000), At(12.5)).has_value());
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(5000), At(13)).has_value());
  EXPECT_EQ(ladder.index(), 1u);
}

// Feeds one second of 30 fps encoder results starting at `from`, every `drop_every`-th frame
// dropped (0: none), with a target of `rate` every 500 ms; returns the changes.
std::vector<LadderChange> RunSecond(EncodingLadder& ladder, double from, DataRate rate,
                                    int drop_every) {
  std::vector<LadderChange> changes;
  for (int frame = 0; frame < 30; ++frame) {
    const Timestamp now = At(from + frame / 30.0);
    if (frame % 15 == 0) {
      if (auto change = ladder.OnTargetRate(rate, now)) changes.push_back(*change);
    }
    const bool encoded = drop_every == 0 || frame % drop_every != 0;
    if (auto change = ladder.OnEncoderResult(encoded, now)) changes.push_back(*change);
  }
  return changes;
}

TEST(EncodingLadderTest, SustainedEncoderDropsStepDownAndTheRungIsNotReenteredAtTheSameRate) {
  EncodingLadder ladder(EncodingLadderConfig{});
  const DataRate rate = Kbps(600);
  // Without what the drops taught, 600 kbit/s would be enough to step back up to the top.
  ASSERT_GE(rate, ladder.MinimumRate(0) * ladder.config().step_up_margin);
  ASSERT_TRUE(ladder.OnTargetRate(rate, At(0)).has_value());
  ASSERT_EQ(ladder.index(), 0u);

  // A third of the frames dropped: the step comes once the spacing after the start allows it.
  std::vector<LadderChange> changes;
  for (int s = 0; s < 3; ++s) {
    for (const LadderChange& c : RunSecond(ladder, s, rate, 3)) changes.push_back(c);
  }
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].reason, LadderReason::kEncoderDrops);
  EXPECT_EQ(changes[0].to, ladder.rungs()[1]);
  EXPECT_EQ(changes[0].rate, rate);
  EXPECT_EQ(ladder.index(), 1u);
  EXPECT_EQ(ladder.MinimumRate(0), rate * 1.25);

  // A minute at the same rate without drops: the top rung is not re-entered.
  for (int s = 3; s < 63; ++s) {
    EXPECT_TRUE(RunSecond(ladder, s, rate, 0).empty()) << "at " << s << " s";
  }
  EXPECT_EQ(ladder.index(), 1u);

  // A clearly higher rate (1.3 x the learned 750 kbit/s) brings it back.
  const std::vector<LadderChange> up = RunSecond(ladder, 63, Kbps(1000), 0);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].reason, LadderReason::kRateUp);
  EXPECT_EQ(ladder.index(), 0u);
}

TEST(EncodingLadderTest, OccasionalEncoderDropsDoNotStepDown) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(600), At(0)).has_value());
  for (int s = 0; s < 30; ++s) {
    EXPECT_TRUE(RunSecond(ladder, s, Kbps(600), 10).empty()) << "at " << s << " s";
  }
  EXPECT_EQ(ladder.index(), 0u);
}

// Drops are judged over the last drop_window: a long clean past does not dilute them.
TEST(EncodingLadderTest, EncoderDropsAreJudgedOverTheRecentWindow) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(600), At(0)).has_value());
  for (int s = 0; s < 20; ++s) ASSERT_TRUE(RunSecond(ladder, s, Kbps(600), 0).empty());
  std::vector<LadderChange> changes = RunSecond(ladder, 20, Kbps(600), 3);
  for (const LadderChange& c : RunSecond(ladder, 21, Kbps(600), 3)) changes.push_back(c);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].reason, LadderReason::kEncoderDrops);
}

// After a step the encoder repays its keyframe by dropping frames: those must not step again.
TEST(EncodingLadderTest, DropsRightAfterAStepDoNotStepAgain) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(250), At(0)).has_value());
  ASSERT_EQ(ladder.rung().frame_rate, 15);
  // 15 fps for 10 s: the first 6 frames after the start dropped (20 % of a 2 s window), then
  // every 15th (7 %).
  for (int frame = 0; frame < 150; ++frame) {
    const Timestamp now = At(frame / 15.0);
    if (frame % 8 == 0) EXPECT_FALSE(ladder.OnTargetRate(Kbps(250), now).has_value());
    const bool encoded = frame >= 6 && frame % 15 != 0;
    EXPECT_FALSE(ladder.OnEncoderResult(encoded, now).has_value()) << "frame " << frame;
  }
  EXPECT_EQ(ladder.index(), 2u);
}

// 30 fps capture times over 10 s with a deterministic jitter of -3..+3 ms; the count of kept
// frames in each second.
std::vector<int> KeptPerSecond(EncodingLadder& ladder, std::vector<bool>* kept_out = nullptr) {
  std::vector<int> per_second(10, 0);
  for (int k = 0; k < 300; ++k) {
    const int jitter_ms = (k * 7919 + 13) % 7 - 3;
    const Timestamp capture = At(20 + k / 30.0) + TimeDelta::Millis(jitter_ms);
    const bool keep = ladder.ShouldEncode(capture);
    per_second[static_cast<size_t>(k / 30)] += keep;
    if (kept_out) kept_out->push_back(keep);
  }
  return per_second;
}

TEST(EncodingLadderTest, ShouldEncodeKeepsHalfTheFramesAtHalfRate) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(250), At(0)).has_value());
  ASSERT_EQ(ladder.rung().frame_rate, 15);
  std::vector<bool> kept;
  EXPECT_EQ(KeptPerSecond(ladder, &kept), std::vector<int>(10, 15));
  for (size_t k = 1; k < kept.size(); ++k) {
    EXPECT_NE(kept[k], kept[k - 1]) << "frame " << k;  // Every other frame.
  }
}

TEST(EncodingLadderTest, ShouldEncodeKeepsTwoOfThreeFramesAtTwoThirdsRate) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(300), At(0)).has_value());
  ASSERT_EQ(ladder.rung().frame_rate, 20);
  std::vector<bool> kept;
  EXPECT_EQ(KeptPerSecond(ladder, &kept), std::vector<int>(10, 20));
  for (size_t k = 2; k < kept.size(); ++k) {
    EXPECT_EQ(kept[k] + kept[k - 1] + kept[k - 2], 2) << "frames " << k - 2 << ".." << k;
  }
}

TEST(EncodingLadderTest, ShouldEncodeKeepsEveryThirdFrameAtATenthOfASecond) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(40), At(0)).has_value());
  ASSERT_EQ(ladder.rung().frame_rate, 10);
  EXPECT_EQ(KeptPerSecond(ladder), std::vector<int>(10, 10));
}

TEST(EncodingLadderTest, ShouldEncodeKeepsEveryFrameAtTheTopRate) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(2000), At(0)).has_value());
  EXPECT_EQ(KeptPerSecond(ladder), std::vector<int>(10, 30));
}

// A camera that loses frames: the kept frames follow capture times, not the count of inputs.
TEST(EncodingLadderTest, ShouldEncodeCountsSkippedCameraFrames) {
  EncodingLadder ladder(EncodingLadderConfig{});
  ASSERT_TRUE(ladder.OnTargetRate(Kbps(250), At(0)).has_value());  // 15 fps.
  int kept = 0;
  for (int k = 0; k < 300; k += 2) kept += ladder.ShouldEncode(At(20 + k / 30.0));  // 15 fps in.
  EXPECT_EQ(kept, 150);
}

TEST(EncodingLadderTest, ReasonNames) {
  EXPECT_STREQ(EncodingLadder::ReasonName(LadderReason::kStart), "start");
  EXPECT_STREQ(EncodingLadder::ReasonName(LadderReason::kRateDown), "rate_down");
  EXPECT_STREQ(EncodingLadder::ReasonName(LadderReason::kRateUp), "rate_up");
  EXPECT_STREQ(EncodingLadder::ReasonName(LadderReason::kEncoderDrops), "encoder_drops");
}

}  // namespace
}  // namespace comodal::engine
