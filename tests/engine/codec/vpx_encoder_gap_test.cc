// The timeline VpxEncoder gives libvpx. After a gap between input frames (frames skipped
// upstream: encoder pushback while the pacer drains, a paused stream) libvpx's rate control is
// credited with at most max_credited_gap of bits, so the first frame after the gap does not spend
// the gap's bits. A frame rate change (the encoding ladder) does not disturb libvpx's own
// measure of the frame rate.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "engine/codec/vpx_encoder.h"
#include "tests/support/zone_plate.h"

namespace comodal::engine {
namespace {

using testing::ZonePlate;

constexpr double kFrameRate = 30;
constexpr int kWidth = 640;
constexpr int kHeight = 360;
constexpr DataRate kTarget = DataRate::KilobitsPerSec(400);
constexpr int kFramesBeforeGap = 60;  // 2 s.
constexpr TimeDelta kGap = TimeDelta::Seconds(1);

struct GapRun {
  double average_before = 0;  // Bytes per encoded delta frame over the second before the gap.
  size_t first_after = 0;     // Bytes of the first frame encoded after the gap.
  bool first_after_is_keyframe = false;
};

// Feeds the zone plate (rings drifting every frame: demanding for intra and inter prediction)
// at 30 frames/s for 2 s, then, after 1 s without input, the next pictures of the same motion.
// Both runs see the same pictures; only the capture times jump.
GapRun RunWithGap(VideoCodec codec, std::optional<TimeDelta> max_credited_gap) {
  VpxEncoderConfig config;
  config.codec = codec;
  config.width = kWidth;
  config.height = kHeight;
  config.frame_rate = kFrameRate;
  config.target_bitrate = kTarget;
  if (max_credited_gap) config.max_credited_gap = *max_credited_gap;
  auto created = VpxEncoder::Create(config);
  EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error());
  if (!created.ok()) return {};
  VpxEncoder& encoder = **created;
  const ZonePlate plate(kWidth, kHeight);
  const Timestamp start = Timestamp::Seconds(1'000);
  auto encode = [&](int index, TimeDelta skipped) -> std::optional<EncodedVideoFrame> {
    RawVideoFrame frame = plate.Frame(index, kFrameRate);
    frame.capture_time =
        start + skipped + TimeDelta::Micros(std::llround(index * 1e6 / kFrameRate));
    auto encoded = encoder.Encode(frame);
    EXPECT_TRUE(encoded.ok()) << (encoded.ok() ? "" : encoded.error().ToString());
    return encoded.ok() ? std::move(*encoded) : std::nullopt;
  };
  GapRun run;
  size_t bytes = 0;
  int frames = 0;
  for (int i = 0; i < kFramesBeforeGap; ++i) {
    auto encoded = encode(i, TimeDelta::Zero());
    // The second before the gap: the rate control has settled after the first keyframe.
    if (i >= kFramesBeforeGap - 30 && encoded && !encoded->keyframe) {
      bytes += encoded->data.size();
      ++frames;
    }
  }
  EXPECT_GT(frames, 20);
  run.average_before = frames > 0 ? static_cast<double>(bytes) / frames : 0;
  for (int i = kFramesBeforeGap; i < kFramesBeforeGap + 10; ++i) {
    if (auto encoded = encode(i, kGap)) {
      run.first_after = encoded->data.size();
      run.first_after_is_keyframe = encoded->keyframe;
      break;
    }
  }
  return run;
}

struct GapCase {
  VideoCodec codec;
  // How much larger the frame after the gap is when the whole gap is credited (measured with
  // the libvpx of this tree: VP8 5.4x, VP9 2.0x; without the cap both runs are identical).
  double min_burst_ratio;
  friend void PrintTo(const GapCase& c, std::ostream* out) {
    *out << (c.codec == VideoCodec::kVp8 ? "VP8" : "VP9") << ", min ratio " << c.min_burst_ratio;
  }
};

class VpxEncoderGapTest : public ::testing::TestWithParam<GapCase> {};

// With the default cap (100 ms) the frame after a 1 s gap costs far less than the second's bits;
// credited the whole second (a cap of 10 s), libvpx spends them on that one frame.
TEST_P(VpxEncoderGapTest, TheFrameAfterALongGapIsNoBurst) {
  const GapRun capped = RunWithGap(GetParam().codec, std::nullopt);
  const GapRun uncapped = RunWithGap(GetParam().codec, TimeDelta::Seconds(10));
  std::printf(
      "average before %.0f B; after the gap: capped %zu B (%.1fx), uncapped %zu B (%.1fx)\n",
      capped.average_before, capped.first_after,
      static_cast<double>(capped.first_after) / capped.average_before, uncapped.first_after,
      static_cast<double>(uncapped.first_after) / capped.average_before);
  ASSERT_GT(capped.average_before, 0);
  ASSERT_GT(capped.first_after, 0u);
  ASSERT_GT(uncapped.first_after, 0u);
  // Both runs are the same up to the gap, and neither codes a keyframe after it.
  EXPECT_DOUBLE_EQ(capped.average_before, uncapped.average_before);
  EXPECT_FALSE(capped.first_after_is_keyframe);
  EXPECT_FALSE(uncapped.first_after_is_keyframe);
  EXPECT_GE(static_cast<double>(uncapped.first_after),
            GetParam().min_burst_ratio * static_cast<double>(capped.first_after));
  // What the link could have carried during the gap: the capped frame takes well under half.
  const DataSize gap_budget = kTarget * kGap;
  EXPECT_LT(DataSize::Bytes(static_cast<int64_t>(capped.first_after)), gap_budget / 2);
}

INSTANTIATE_TEST_SUITE_P(Codecs, VpxEncoderGapTest,
                         ::testing::Values(GapCase{VideoCodec::kVp8, 3.0},
                                           GapCase{VideoCodec::kVp9, 1.5}),
                         [](const ::testing::TestParamInfo<GapCase>& info) {
                           return std::string(info.param.codec == VideoCodec::kVp8 ? "Vp8" : "Vp9");
                         });

// How `comodal send` starts: the encoding ladder opens at 15 frames/s at the 240 kbit/s of the
// start rate, the first probe answers 150 ms later, and the ladder moves to 30 frames/s at
// 780 kbit/s. The capture clock ticks at 33.4 ms. Counts the frames libvpx drops in the 1.5 s
// after the change.
int DropsAfterAFrameRateChange(VideoCodec codec) {
  VpxEncoderConfig config;
  config.codec = codec;
  config.width = kWidth;
  config.height = kHeight;
  config.frame_rate = 15;
  config.target_bitrate = DataRate::KilobitsPerSec(240);
  auto created = VpxEncoder::Create(config);
  EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error());
  if (!created.ok()) return -1;
  VpxEncoder& encoder = **created;
  const ZonePlate plate(kWidth, kHeight);
  const Timestamp start = Timestamp::Seconds(1'000);
  int drops = 0;
  auto encode = [&](int index, TimeDelta at) {
    RawVideoFrame frame = plate.Frame(index, kFrameRate);
    frame.capture_time = start + at;
    auto encoded = encoder.Encode(frame);
    EXPECT_TRUE(encoded.ok()) << (encoded.ok() ? "" : encoded.error().ToString());
    return encoded.ok() && encoded->has_value();
  };
  EXPECT_TRUE(encode(0, TimeDelta::Zero()));  // The keyframe.
  encode(4, TimeDelta::Millis(150));
  EXPECT_TRUE(encoder.SetFrameRate(30).ok());
  EXPECT_TRUE(encoder.SetBitrate(DataRate::KilobitsPerSec(780)).ok());
  for (int i = 1; i <= 45; ++i) {
    drops += !encode(4 + i, TimeDelta::Millis(150) + TimeDelta::Micros(33'400) * i);
  }
  return drops;
}

// libvpx takes a frame rate from the distance between the ends (timestamp + duration) of
// successive frames. When the duration given with each frame followed the configured frame
// rate, the first 30 frames/s frame ended 0.07 ms after the last 15 frames/s one: libvpx took
// that for thousands of frames per second, starved every frame of bits and dropped every other
// frame for over a second (VP8: 42 of the 45 frames dropped here).
TEST_P(VpxEncoderGapTest, AFrameRateChangeDoesNotHalveTheFrameRate) {
  const int drops = DropsAfterAFrameRateChange(GetParam().codec);
  std::printf("frames dropped in the 1.5 s after the change: %d of 45\n", drops);
  // The big keyframe at the start rate may cost a few frames while the buffer refills.
  EXPECT_LE(drops, 6);
}

// The encoder's output over the 2 s after a 2 s warm-up, as a share of its target: the zone plate
// captured at 30 frames/s; the encoder at `rate_before` keeping the frames `keep_before` picks
// out of the source (the encoding ladder's decimation), then at `rate_after` keeping those
// `keep_after` picks, and told of the frames `skip` picks (encoder pushback) without being given
// them.
template <typename KeepBefore, typename KeepAfter, typename Skip>
double OutputShare(double rate_before, KeepBefore keep_before, double rate_after,
                   KeepAfter keep_after, Skip skip) {
  VpxEncoderConfig config;
  config.codec = VideoCodec::kVp8;
  config.width = kWidth;
  config.height = kHeight;
  config.frame_rate = rate_before;
  config.target_bitrate = kTarget;
  auto created = VpxEncoder::Create(config);
  EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error());
  if (!created.ok()) return 0;
  VpxEncoder& encoder = **created;
  const ZonePlate plate(kWidth, kHeight);
  const Timestamp start = Timestamp::Seconds(1'000);
  constexpr int kChange = 2 * 30;
  DataSize measured = DataSize::Zero();
  for (int i = 0; i < 2 * kChange; ++i) {
    if (i == kChange) EXPECT_TRUE(encoder.SetFrameRate(rate_after).ok());
    if (!(i < kChange ? keep_before(i) : keep_after(i))) continue;
    if (skip(i)) {
      encoder.OnFrameSkipped();
      continue;
    }
    RawVideoFrame frame = plate.Frame(i, kFrameRate);
    frame.capture_time = start + TimeDelta::Micros(std::llround(i * 1e6 / kFrameRate));
    auto encoded = encoder.Encode(frame);
    EXPECT_TRUE(encoded.ok());
    if (i >= kChange && encoded.ok() && encoded->has_value()) {
      measured += DataSize::Bytes(static_cast<int64_t>((*encoded)->data.size()));
    }
  }
  return measured / TimeDelta::Seconds(2) / kTarget;
}

// The ladder steps up from 15 to 20 frames/s, keeping two frames of three from a 30 frames/s
// camera: they arrive 33 and 67 ms apart. Given those spacings, libvpx re-estimated the frame
// rate at every frame (a change of a tenth resets it) and budgeted the frames alternately for
// 30 and 15 frames/s: its rate control lost its target for seconds (here 0.72x; in `bench cc`,
// 1.2-1.3x after steps up, and a queue built behind it).
TEST(VpxEncoderTimelineTest, AStepUpTheLadderKeepsToTheTarget) {
  const double share = OutputShare(
      15, [](int i) { return i % 2 == 0; }, 20, [](int i) { return i % 3 != 2; },
      [](int) { return false; });
  std::printf("output in the 2 s after 15 -> 20 frames/s: %.2fx the target\n", share);
  EXPECT_GT(share, 0.85);
  EXPECT_LT(share, 1.1);
}

// Pushback skips every other frame while the pacer's queue drains: the output must fall with
// the frames, or the queue never drains (credited the skipped frames' time, libvpx spent it on
// the frames kept: measured 1.0x the target).
TEST(VpxEncoderTimelineTest, FramesSkippedForPushbackLowerTheRate) {
  const auto all = [](int) { return true; };
  const double share = OutputShare(30, all, 30, all, [](int i) { return i >= 60 && i % 2 == 1; });
  std::printf("output with every other frame skipped: %.2fx the target\n", share);
  EXPECT_LT(share, 0.7);
  EXPECT_GT(share, 0.3);
}

}  // namespace
}  // namespace comodal::engine
