// What a person sees when a pipeline description is wrong or its device is missing: the message
// names the pipeline, and the element or the GStreamer complaint, and comes from Start().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "engine/gst/gst_audio_sink.h"
#include "engine/gst/gst_audio_source.h"
#include "engine/gst/gst_library.h"
#include "engine/gst/gst_video_sink.h"
#include "engine/gst/gst_video_source.h"
#include "tests/engine/gst/gst_test_util.h"

namespace comodal::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string VideoSourceError(const std::string& pipeline,
                             TimeDelta timeout = TimeDelta::Seconds(5)) {
  GstVideoSourceConfig config;
  config.pipeline = pipeline;
  config.start_timeout = timeout;
  auto source = GstVideoSource::Start(
      config, [](const RawVideoFrame&) {}, [](auto) {});
  EXPECT_FALSE(source.ok());
  return source.ok() ? "" : source.error();
}

TEST(GstPipelineErrorTest, MissingElementIsNamed) {
  EXPECT_EQ(VideoSourceError("nosuchsrc ! videoflip"),
            "video source pipeline \"nosuchsrc ! videoflip\": no element \"nosuchsrc\"");
  auto sink = GstVideoSink::Start("videoconvert ! nosuchsink");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.error(),
            "video sink pipeline \"videoconvert ! nosuchsink\": no element \"nosuchsink\"");
}

TEST(GstPipelineErrorTest, BadSyntaxGivesGStreamersMessageWithTheDescription) {
  EXPECT_EQ(VideoSourceError("videotestsrc ! ! videoflip"),
            "video source pipeline \"videotestsrc ! ! videoflip\": syntax error");
  auto sink = GstAudioSink::Start("audioconvert ! ! fakesink");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.error(), "audio sink pipeline \"audioconvert ! ! fakesink\": syntax error");
}

TEST(GstPipelineErrorTest, MissingDeviceFailsAtStartNamingTheElement) {
  if (!HasGStreamerElement("v4l2src")) GTEST_SKIP() << "no v4l2src";
  if (std::filesystem::exists("/dev/video99")) GTEST_SKIP() << "/dev/video99 exists here";
  const std::string error = VideoSourceError("v4l2src device=/dev/video99");
  EXPECT_THAT(error, StartsWith("video source pipeline \"v4l2src device=/dev/video99\": element "
                                "\"v4l2src"));
  EXPECT_THAT(error, HasSubstr("Cannot identify device '/dev/video99'"));
}

TEST(GstPipelineErrorTest, UnwritableFileFailsAtSinkStart) {
  const std::string pipeline = "wavenc ! filesink name=out location=/nonexistent/dir/x.wav";
  auto sink = GstAudioSink::Start(pipeline);
  ASSERT_FALSE(sink.ok());
  EXPECT_THAT(sink.error(),
              StartsWith("audio sink pipeline \"" + pipeline + "\": element \"out\""));
  EXPECT_THAT(sink.error(), HasSubstr("/nonexistent/dir/x.wav"));
}

TEST(GstPipelineErrorTest, UnreadableFileFailsAtSourceStart) {
  const std::string path = testing::GstTestPath("bin");
  {
    std::ofstream out(path);
    out << "not a media file, only words that no demuxer recognises\n";
  }
  GstAudioSourceConfig config;
  config.pipeline = "filesrc location=" + path + " ! decodebin";
  auto source = GstAudioSource::Start(
      config, [](const AudioFrame&) {}, [](auto) {});
  ASSERT_FALSE(source.ok());
  EXPECT_THAT(source.error(), StartsWith("audio source pipeline \"filesrc location="));
  EXPECT_THAT(source.error(), HasSubstr("element \"typefind\""));
}

TEST(GstPipelineErrorTest, SourceThatNeverDeliversTimesOut) {
  // A non-live source with no data never prerolls, so never reaches PLAYING.
  EXPECT_EQ(VideoSourceError("appsrc", TimeDelta::Millis(200)),
            "video source pipeline \"appsrc\": did not reach PLAYING within 200 ms");
}

TEST(GstPipelineErrorTest, DescriptionThatEndsInASinkCannotBeExtended) {
  const std::string error = VideoSourceError("videotestsrc ! fakesink");
  EXPECT_THAT(error, StartsWith("video source pipeline \"videotestsrc ! fakesink\": "));
}

}  // namespace
}  // namespace comodal::engine
