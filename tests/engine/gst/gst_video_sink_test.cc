#include "engine/gst/gst_video_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/gst/gst_library.h"
#include "engine/gst/gst_video_source.h"
#include "tests/engine/gst/gst_test_util.h"
#include "tests/support/zone_plate.h"

namespace comodal::engine {
namespace {

using ::testing::HasSubstr;
using testing::kStart;
using testing::ZonePlate;

std::unique_ptr<GstVideoSink> StartOk(const std::string& pipeline) {
  auto sink = GstVideoSink::Start(pipeline);
  EXPECT_TRUE(sink.ok()) << (sink.ok() ? "" : sink.error());
  return sink.ok() ? std::move(sink).value() : nullptr;
}

// Pushes `count` zone plate frames, 33 ms apart, numbered from `first`.
void PushFrames(GstVideoSink& sink, const ZonePlate& plate, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    const RawVideoFrame frame = plate.Frame(i);
    auto pushed = sink.Push(frame, frame.capture_time);
    ASSERT_TRUE(pushed.ok()) << pushed.error();
  }
}

void FinishOk(GstVideoSink& sink) {
  auto finished = sink.Finish();
  EXPECT_TRUE(finished.ok()) << (finished.ok() ? "" : finished.error());
  EXPECT_EQ(sink.error(), std::nullopt);
}

// Pushes frames 0..count-1 of `plate` into "<pipeline> location=<a fresh file>", finishes, and
// returns the file's path.
std::string RecordToFile(const std::string& pipeline, const std::string& extension,
                         const ZonePlate& plate, int count) {
  std::string path = testing::GstTestPath(extension);
  auto sink = StartOk(pipeline + " location=" + path);
  if (sink == nullptr) return path;
  PushFrames(*sink, plate, 0, count);
  FinishOk(*sink);
  return path;
}

// What a source reading `pipeline` to its end hands out, at the recorded rate.
std::vector<RawVideoFrame> ReadBack(const std::string& pipeline, int width, int height) {
  return testing::ReadToEnd<GstVideoSource>(GstVideoSourceConfig{
      .pipeline = pipeline, .width = width, .height = height, .frame_rate = 0, .sync = false});
}

// How far a lossy copy's luma is from the original, on average, in 8-bit steps.
double MeanLumaError(const RawVideoFrame& sent, const RawVideoFrame& received) {
  const size_t n = static_cast<size_t>(sent.width) * static_cast<size_t>(sent.height);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += std::abs(int{sent.i420[i]} - int{received.i420[i]});
  return sum / static_cast<double>(n);
}

TEST(GstVideoSinkTest, HeadlessDefaultTakesFrames) {
  EXPECT_EQ(GstVideoSink::TestPipeline(), "fakesink");
  auto sink = StartOk(GstVideoSink::TestPipeline());
  ASSERT_NE(sink, nullptr);
  PushFrames(*sink, ZonePlate(320, 180), 0, 5);
  FinishOk(*sink);
}

TEST(GstVideoSinkTest, WritesTheFramesBytesToAFile) {
  const ZonePlate plate(320, 180);
  const std::string path = RecordToFile("filesink", "i420", plate, 5);

  std::vector<uint8_t> expected;
  for (int i = 0; i < 5; ++i) {
    const auto frame = plate.Frame(i);
    expected.insert(expected.end(), frame.i420.begin(), frame.i420.end());
  }
  EXPECT_EQ(testing::ReadFileBytes(path), expected);
}

TEST(GstVideoSinkTest, OddSizeFramesRoundTripThroughARawFile) {
  if (!HasGStreamerElement("rawvideoparse")) GTEST_SKIP() << "no rawvideoparse";
  const ZonePlate plate(161, 91);
  const std::string path = RecordToFile("filesink", "i420", plate, 3);
  // GStreamer's layout pads rows to 4 bytes: 164 luma, 84 chroma, chroma after 92 luma rows.
  EXPECT_EQ(std::filesystem::file_size(path), 3u * (164 * 92 + 2 * 84 * 46));

  const auto frames = ReadBack("filesrc location=" + path +
                                   " ! rawvideoparse format=i420 width=161 height=91 "
                                   "framerate=30/1",
                               161, 91);
  ASSERT_EQ(frames.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(frames[static_cast<size_t>(i)].i420, plate.Frame(i).i420);
}

TEST(GstVideoSinkTest, SizeChangeMidStreamRenegotiates) {
  // videoscale follows the new caps: without them it would take the small frames for large ones.
  const std::string path = testing::GstTestPath("i420");
  auto sink = StartOk("videoscale ! video/x-raw,width=320,height=180 ! filesink location=" + path);
  ASSERT_NE(sink, nullptr);
  PushFrames(*sink, ZonePlate(320, 180), 0, 3);
  PushFrames(*sink, ZonePlate(160, 90), 3, 3);
  PushFrames(*sink, ZonePlate(320, 180), 6, 3);
  FinishOk(*sink);
  EXPECT_EQ(std::filesystem::file_size(path), 9 * RawVideoFrame::I420Size(320, 180));
}

TEST(GstVideoSinkTest, RecordsAVp8FileThatASourceReadsBack) {
  const ZonePlate plate(320, 180);
  const std::string path =
      RecordToFile("videoconvert ! vp8enc ! webmmux ! filesink", "webm", plate, 15);

  const auto frames = ReadBack("filesrc location=" + path + " ! decodebin", 320, 180);
  ASSERT_EQ(frames.size(), 15u);
  for (int i = 0; i < 15; ++i) {
    EXPECT_LT(MeanLumaError(plate.Frame(i), frames[static_cast<size_t>(i)]), 8) << i;
  }
}

TEST(GstVideoSinkTest, RuntimeErrorEndsPushingAndFinish) {
  auto sink = StartOk("identity name=faulty error-after=3 ! fakesink");
  ASSERT_NE(sink, nullptr);
  const ZonePlate plate(64, 48);
  for (int i = 0; i < 5; ++i) {
    const auto frame = plate.Frame(i);
    (void)sink->Push(frame, frame.capture_time);  // Fails once the error is seen.
  }
  auto finished = sink->Finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_THAT(finished.error(), HasSubstr("video sink pipeline \"identity name=faulty"));
  EXPECT_THAT(finished.error(), HasSubstr("element \"faulty\""));
  EXPECT_EQ(sink->error(), finished.error());
  auto late = sink->Push(plate.Frame(5), kStart);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error(), finished.error());
}

TEST(GstVideoSinkTest, RejectsAFrameThatIsNotTightI420) {
  auto sink = StartOk("fakesink");
  ASSERT_NE(sink, nullptr);
  RawVideoFrame frame = ZonePlate(64, 48).Frame(0);
  frame.i420.pop_back();
  auto pushed = sink->Push(frame, kStart);
  ASSERT_FALSE(pushed.ok());
  EXPECT_THAT(pushed.error(), HasSubstr("not a tightly packed I420 picture (64x48"));
}

}  // namespace
}  // namespace comodal::engine
