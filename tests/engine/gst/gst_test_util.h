#ifndef TESTS_ENGINE_GST_GST_TEST_UTIL_H_
#define TESTS_ENGINE_GST_GST_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/subprocess.h"

namespace comodal::testing {

// GStreamer runs in real time on its own threads: tests wait for what it delivers, bounded.
inline constexpr std::chrono::seconds kGstWait{20};

// Gathers what a GStreamer source hands out. Must outlive the source.
template <typename Frame>
class SourceCollector {
 public:
  auto FrameHandler() {
    return [this](Frame frame) {
      std::lock_guard lock(mutex_);
      frames_.push_back(std::move(frame));
      changed_.notify_all();
    };
  }
  auto EndHandler() {
    return [this](std::optional<std::string> error) {
      std::lock_guard lock(mutex_);
      ++ends_;
      error_ = std::move(error);
      changed_.notify_all();
    };
  }

  // Whether the end (EOS or an error) came within kGstWait.
  bool WaitForEnd() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kGstWait, [&] { return ends_ > 0; });
  }
  // Whether `count` frames came within kGstWait.
  bool WaitForFrames(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kGstWait, [&] { return frames_.size() >= count; });
  }

  std::vector<Frame> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::optional<std::string> error() const {
    std::lock_guard lock(mutex_);
    return error_;
  }
  int ends() const {
    std::lock_guard lock(mutex_);
    return ends_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Frame> frames_;
  int ends_ = 0;
  std::optional<std::string> error_;
};

// Every frame a finite source (GstVideoSource, GstAudioSource) hands out, up to its end, which must
// be EOS: ReadToEnd<GstVideoSource>(config).
template <typename Frame>
Frame FrameOf(std::function<void(Frame)>*);  // Declared only: the type of a handler's frame.

template <typename Source, typename Config>
auto ReadToEnd(const Config& config) {
  using Frame = decltype(FrameOf(static_cast<typename Source::FrameHandler*>(nullptr)));
  SourceCollector<Frame> collector;
  auto source = Source::Start(config, collector.FrameHandler(), collector.EndHandler());
  EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error());
  if (!source.ok()) return std::vector<Frame>();
  EXPECT_TRUE(collector.WaitForEnd());
  EXPECT_EQ(collector.error(), std::nullopt);
  return collector.frames();
}

// A fresh path in the test scratch directory, named after the running test.
inline std::string GstTestPath(const std::string& extension) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string path =
      TestTempDir() + "/" + info->test_suite_name() + "." + info->name() + "." + extension;
  std::filesystem::remove(path);
  return path;
}

inline std::vector<uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace comodal::testing

#endif  // TESTS_ENGINE_GST_GST_TEST_UTIL_H_
