#include "engine/gst/gst_audio_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "tests/engine/gst/gst_test_util.h"

namespace comodal::engine {
namespace {

using ::testing::HasSubstr;
GstAudioSourceConfig FastConfig(std::string pipeline) {
  GstAudioSourceConfig config;
  config.pipeline = std::move(pipeline);
  config.sync = false;
  return config;
}

std::vector<AudioFrame> RunToEnd(const GstAudioSourceConfig& config) {
  return testing::ReadToEnd<GstAudioSource>(config);
}

int Peak(const AudioFrame& frame) {
  int peak = 0;
  for (int16_t s : frame.samples) peak = std::max(peak, std::abs(int{s}));
  return peak;
}

TEST(GstAudioSourceTest, DeliversExactTwentyMillisecondFrames) {
  // 10 buffers of audiotestsrc's default 1024 samples: 10240 samples, 10 whole frames of 960; the
  // last 640 samples are dropped at the end of the stream.
  const auto frames =
      RunToEnd(FastConfig(GstAudioSource::TestPipeline() + " is-live=false num-buffers=10"));
  ASSERT_EQ(frames.size(), 10u);
  for (const AudioFrame& frame : frames) {
    EXPECT_EQ(frame.sample_rate, 48000);
    EXPECT_EQ(frame.channels, 1);
    EXPECT_EQ(frame.samples.size(), 960u);
    EXPECT_EQ(frame.duration(), TimeDelta::Millis(20));
    EXPECT_TRUE(frame.capture_time.IsMinusInfinity());
  }
}

TEST(GstAudioSourceTest, DeliversTenMillisecondStereoFramesWhenConfigured) {
  auto config = FastConfig(GstAudioSource::TestPipeline() + " is-live=false num-buffers=10");
  config.channels = 2;
  config.frame_duration = TimeDelta::Millis(10);
  const auto frames = RunToEnd(config);
  ASSERT_EQ(frames.size(), 21u);  // 10240 / 480.
  for (const AudioFrame& frame : frames) {
    EXPECT_EQ(frame.channels, 2);
    EXPECT_EQ(frame.samples.size(), 2u * 480);
    EXPECT_EQ(frame.duration(), TimeDelta::Millis(10));
  }
}

TEST(GstAudioSourceTest, ResamplesToTheConfiguredRate) {
  // 48 kHz in, 16 kHz out: 20 ms frames of 320 samples.
  auto config = FastConfig(
      "audiotestsrc is-live=false num-buffers=10 samplesperbuffer=960 ! audio/x-raw,rate=48000");
  config.sample_rate = 16000;
  const auto frames = RunToEnd(config);
  ASSERT_GE(frames.size(), 9u);  // audioresample may hold back its filter delay at the end.
  for (const AudioFrame& frame : frames) {
    EXPECT_EQ(frame.sample_rate, 16000);
    EXPECT_EQ(frame.samples.size(), 320u);
  }
}

TEST(GstAudioSourceTest, RechunkingKeepsEverySampleInOrder) {
  // The same signal cut into buffers of 333 and of 960 samples gives the same frames.
  const std::string source = "audiotestsrc is-live=false wave=sine freq=1234";
  const auto odd = RunToEnd(FastConfig(source + " samplesperbuffer=333 num-buffers=30"));
  const auto even = RunToEnd(FastConfig(source + " samplesperbuffer=960 num-buffers=10"));
  ASSERT_EQ(odd.size(), 10u);  // 9990 samples.
  ASSERT_EQ(even.size(), 10u);
  for (size_t i = 0; i < odd.size(); ++i) EXPECT_EQ(odd[i].samples, even[i].samples) << i;
}

TEST(GstAudioSourceTest, TestSignalHasBurstsOfToneBetweenSilences) {
  // One second: four ticks of 100 ms every 250 ms, the first one louder.
  const auto frames =
      RunToEnd(FastConfig(GstAudioSource::TestPipeline() + " is-live=false num-buffers=47"));
  ASSERT_EQ(frames.size(), 50u);
  int silent = 0;
  int loud = 0;
  int soft = 0;
  for (const AudioFrame& frame : frames) {
    const int peak = Peak(frame);
    if (peak == 0) ++silent;
    if (peak > 25000) ++loud;
    if (peak > 5000 && peak < 15000) ++soft;
  }
  EXPECT_GE(silent, 20);  // 150 ms of each 250 ms is digital silence.
  EXPECT_GE(loud, 4);     // The marker tick: 5 frames.
  EXPECT_GE(soft, 12);    // The three other ticks.
}

TEST(GstAudioSourceTest, RejectsAFrameDurationThatIsNotWholeSamples) {
  auto config = FastConfig("audiotestsrc");
  config.sample_rate = 44100;
  config.frame_duration = TimeDelta::Micros(2500);  // 110.25 samples.
  auto source = GstAudioSource::Start(
      config, [](const AudioFrame&) {}, nullptr);
  ASSERT_FALSE(source.ok());
  EXPECT_THAT(source.error(), HasSubstr("whole number of samples at 44100 Hz"));
}

}  // namespace
}  // namespace comodal::engine
