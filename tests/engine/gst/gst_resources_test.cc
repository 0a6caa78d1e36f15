// Resources around GStreamer: what our code must give back, and the one leak GLib makes on
// purpose.
#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <memory>

#include "engine/gst/gst_audio_sink.h"
#include "engine/gst/gst_video_source.h"
#include "tests/engine/gst/gst_test_util.h"

// LeakSanitizer, for the sanitizer copy of the test binary: GLib leaks its quark table on purpose
// each time it grows (gquark.c keeps readers lock-free), and GStreamer's initialisation makes it
// grow. GLib is built without frame pointers, so that allocation's stack ends at g_malloc and
// cannot be told from other GLib allocations: they are all left out. GStreamer objects come from
// GLib's slice allocator, which LeakSanitizer does not report anyway; pipelines left alive by our
// code are caught below through the file descriptors each one holds. Allocations by comodal code
// (new, malloc) stay checked.
// NOLINTNEXTLINE(bugprone-reserved-identifier): the name LeakSanitizer looks for.
extern "C" const char* __lsan_default_suppressions() { return "leak:g_malloc\n"; }

namespace comodal::engine {
namespace {

size_t OpenFileDescriptors() {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                           std::filesystem::directory_iterator()));
}

TEST(GstResourcesTest, StoppedPipelinesGiveBackTheirFileDescriptors) {
  auto run_once = [] {
    testing::SourceCollector<RawVideoFrame> collector;
    GstVideoSourceConfig config;
    config.pipeline = GstVideoSource::TestPipeline() + " is-live=false num-buffers=3";
    config.width = 64;
    config.height = 48;
    config.sync = false;
    auto source = GstVideoSource::Start(config, collector.FrameHandler(), collector.EndHandler());
    ASSERT_TRUE(source.ok()) << source.error();
    ASSERT_TRUE(collector.WaitForEnd());
    auto sink = GstAudioSink::Start(GstAudioSink::TestPipeline());
    ASSERT_TRUE(sink.ok()) << sink.error();
    auto failed = GstVideoSource::Start(
        {.pipeline = "v4l2src device=/dev/video99"}, [](const RawVideoFrame&) {}, nullptr);
    EXPECT_FALSE(failed.ok());
  };
  run_once();  // GStreamer's own one-time set-up (registry, thread pools).
  const size_t before = OpenFileDescriptors();
  for (int i = 0; i < 10; ++i) run_once();
  EXPECT_EQ(OpenFileDescriptors(), before);
}

}  // namespace
}  // namespace comodal::engine
