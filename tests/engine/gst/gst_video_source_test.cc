#include "engine/gst/gst_video_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tests/engine/gst/gst_test_util.h"
#include "tests/support/subprocess.h"

namespace comodal::engine {
namespace {

using ::testing::HasSubstr;
using testing::SourceCollector;

using VideoCollector = SourceCollector<RawVideoFrame>;

GstVideoSourceConfig FastConfig(std::string pipeline, int width, int height) {
  GstVideoSourceConfig config;
  config.pipeline = std::move(pipeline);
  config.width = width;
  config.height = height;
  config.sync = false;
  return config;
}

std::unique_ptr<GstVideoSource> StartOk(const GstVideoSourceConfig& config,
                                        VideoCollector& collector) {
  auto source = GstVideoSource::Start(config, collector.FrameHandler(), collector.EndHandler());
  EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error());
  return source.ok() ? std::move(source).value() : nullptr;
}

std::vector<RawVideoFrame> RunToEnd(const GstVideoSourceConfig& config) {
  return testing::ReadToEnd<GstVideoSource>(config);
}

TEST(GstVideoSourceTest, TestPipelineIsTheLiveZonePlateOfTheDesign) {
  EXPECT_EQ(GstVideoSource::TestPipeline(),
            "videotestsrc is-live=true pattern=zone-plate kx2=20 ky2=20 kt=1");
}

TEST(GstVideoSourceTest, TestPipelineDeliversNumberedFramesOfTheConfiguredSize) {
  const auto frames = RunToEnd(
      FastConfig(GstVideoSource::TestPipeline() + " is-live=false num-buffers=10", 320, 180));
  ASSERT_EQ(frames.size(), 10u);
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].width, 320);
    EXPECT_EQ(frames[i].height, 180);
    EXPECT_EQ(frames[i].i420.size(), 320u * 180 + 2 * 160 * 90);
    EXPECT_EQ(frames[i].frame_id, i);
    EXPECT_TRUE(frames[i].capture_time.IsMinusInfinity());
  }
  // kt=1: the rings drift every frame.
  for (size_t i = 1; i < frames.size(); ++i) EXPECT_NE(frames[i].i420, frames[i - 1].i420) << i;
}

TEST(GstVideoSourceTest, LiveTestPipelineDeliversAtItsOwnPace) {
  VideoCollector collector;
  GstVideoSourceConfig config;
  config.pipeline = GstVideoSource::TestPipeline();
  auto source = StartOk(config, collector);
  ASSERT_NE(source, nullptr);
  ASSERT_TRUE(collector.WaitForFrames(3));
  source.reset();  // Stops mid-stream: no end is reported for a stop.
  const auto frames = collector.frames();
  EXPECT_EQ(frames[0].width, 640);
  EXPECT_EQ(frames[0].height, 360);
  EXPECT_EQ(frames[2].frame_id, 2u);
  EXPECT_EQ(collector.ends(), 0);
}

TEST(GstVideoSourceTest, ConvertsAnyInputSizeAndRate) {
  // 4:3 at 15 fps in, 16:9 at 30 fps out: scaled with borders, and input frames repeated (the
  // last one maybe not: videorate stops at its start).
  auto config = FastConfig(
      "videotestsrc is-live=false num-buffers=5 pattern=white ! "
      "video/x-raw,format=RGB,width=400,height=300,framerate=15/1",
      320, 180);
  const auto frames = RunToEnd(config);
  ASSERT_GE(frames.size(), 9u);
  ASSERT_LE(frames.size(), 10u);
  const RawVideoFrame& frame = frames[0];
  EXPECT_EQ(frame.i420.size(), RawVideoFrame::I420Size(320, 180));
  // Letterboxed: the picture is 240 wide in the middle, black bars left and right.
  EXPECT_LT(frame.i420[90 * 320 + 10], 32);    // Left bar.
  EXPECT_GT(frame.i420[90 * 320 + 160], 200);  // White picture.
  EXPECT_LT(frame.i420[90 * 320 + 310], 32);   // Right bar.
}

TEST(GstVideoSourceTest, OddSizesComeOutTightlyPacked) {
  // GStreamer pads rows of a 161-pixel picture to 164 (luma) and 84 (chroma) bytes; none of that
  // padding may show up in the frame.
  const auto frames = RunToEnd(FastConfig(
      "videotestsrc is-live=false num-buffers=2 pattern=white ! video/x-raw,width=161,height=91",
      161, 91));
  ASSERT_EQ(frames.size(), 2u);
  const RawVideoFrame& frame = frames[0];
  ASSERT_EQ(frame.i420.size(), RawVideoFrame::I420Size(161, 91));
  const size_t luma = size_t{161} * 91;
  const uint8_t white = frame.i420[0];
  EXPECT_GT(white, 200);
  EXPECT_EQ(std::count(frame.i420.begin(), frame.i420.begin() + luma, white),
            static_cast<std::ptrdiff_t>(luma));
  EXPECT_EQ(std::count(frame.i420.begin() + luma, frame.i420.end(), 128),
            static_cast<std::ptrdiff_t>(frame.i420.size() - luma));
}

TEST(GstVideoSourceTest, ReadsAVp8FileWrittenByGstLaunch) {
  const auto launch = testing::FindProgram("gst-launch-1.0");
  if (!launch) GTEST_SKIP() << "gst-launch-1.0 not installed";
  const std::string path = testing::GstTestPath("webm");
  const auto written =
      testing::RunCommand(*launch +
                          " -q videotestsrc num-buffers=15 pattern=zone-plate kx2=20 ky2=20 kt=1 ! "
                          "video/x-raw,width=320,height=180,framerate=30/1 ! vp8enc ! webmmux ! "
                          "filesink location=" +
                          path + " 2>&1");
  ASSERT_EQ(written.exit_code, 0) << written.output;

  const auto frames = RunToEnd(FastConfig("filesrc location=" + path + " ! decodebin", 320, 180));
  ASSERT_EQ(frames.size(), 15u);
  EXPECT_EQ(frames.back().frame_id, 14u);
  EXPECT_NE(frames.front().i420, frames.back().i420);
}

TEST(GstVideoSourceTest, UsesAnAppsinkNamedSinkAsGiven) {
  // Nothing appended: the description itself produces the caps.
  const auto frames = RunToEnd(FastConfig(
      "videotestsrc is-live=false num-buffers=3 ! video/x-raw,format=I420,width=64,height=48,"
      "framerate=30/1,pixel-aspect-ratio=1/1 ! appsink name=sink",
      64, 48));
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].width, 64);
}

TEST(GstVideoSourceTest, RuntimeErrorGoesToTheEndHandlerNamingTheElement) {
  VideoCollector collector;
  auto source = StartOk(FastConfig("videotestsrc is-live=false num-buffers=30 ! identity "
                                   "name=faulty error-after=5",
                                   64, 48),
                        collector);
  ASSERT_NE(source, nullptr);
  ASSERT_TRUE(collector.WaitForEnd());
  ASSERT_TRUE(collector.error().has_value());
  EXPECT_THAT(*collector.error(), HasSubstr("video source pipeline \"videotestsrc"));
  EXPECT_THAT(*collector.error(), HasSubstr("element \"faulty\""));
  EXPECT_EQ(collector.ends(), 1);
  EXPECT_LT(collector.frames().size(), 30u);
}

TEST(GstVideoSourceTest, RejectsABadConfiguration) {
  auto config = FastConfig("videotestsrc", 0, 360);
  auto source = GstVideoSource::Start(
      config, [](const RawVideoFrame&) {}, nullptr);
  ASSERT_FALSE(source.ok());
  EXPECT_THAT(source.error(), HasSubstr("got 0x360"));
}

}  // namespace
}  // namespace comodal::engine
