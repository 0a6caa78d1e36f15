#include "engine/gst/gst_audio_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/gst/gst_audio_source.h"
#include "tests/engine/gst/gst_test_util.h"
#include "tests/support/test_audio.h"

namespace comodal::engine {
namespace {

using ::testing::HasSubstr;

constexpr Timestamp kStart = Timestamp::Seconds(100);

std::unique_ptr<GstAudioSink> StartOk(const std::string& pipeline) {
  auto sink = GstAudioSink::Start(pipeline);
  EXPECT_TRUE(sink.ok()) << (sink.ok() ? "" : sink.error());
  return sink.ok() ? std::move(sink).value() : nullptr;
}

// `count` frames of 20 ms of synthetic speech at `sample_rate`, mono.
std::vector<AudioFrame> Speech(int sample_rate, int count) {
  const int per_frame = sample_rate / 50;
  const auto pcm = testing::SyntheticSpeech(sample_rate, per_frame * count, 7);
  std::vector<AudioFrame> frames;
  for (auto at = pcm.begin(); at != pcm.end(); at += per_frame) {
    AudioFrame frame;
    frame.sample_rate = sample_rate;
    frame.samples.assign(at, at + per_frame);
    frames.push_back(std::move(frame));
  }
  return frames;
}

// Pushes frames 20 ms apart from `at`.
void PushAll(GstAudioSink& sink, const std::vector<AudioFrame>& frames, Timestamp at) {
  for (const AudioFrame& frame : frames) {
    auto pushed = sink.Push(frame, at);
    ASSERT_TRUE(pushed.ok()) << pushed.error();
    at += frame.duration();
  }
}

void FinishOk(GstAudioSink& sink) {
  auto finished = sink.Finish();
  EXPECT_TRUE(finished.ok()) << (finished.ok() ? "" : finished.error());
  EXPECT_EQ(sink.error(), std::nullopt);
}

TEST(GstAudioSinkTest, HeadlessDefaultTakesFrames) {
  EXPECT_EQ(GstAudioSink::TestPipeline(), "fakesink");
  auto sink = StartOk(GstAudioSink::TestPipeline());
  ASSERT_NE(sink, nullptr);
  PushAll(*sink, Speech(48000, 10), kStart);
  FinishOk(*sink);
}

TEST(GstAudioSinkTest, RecordsAWavFileThatASourceReadsBackSampleForSample) {
  const std::string path = testing::GstTestPath("wav");
  auto sink = StartOk("wavenc ! filesink location=" + path);
  ASSERT_NE(sink, nullptr);
  const auto sent = Speech(48000, 50);
  PushAll(*sink, sent, kStart);
  FinishOk(*sink);
  EXPECT_GE(std::filesystem::file_size(path), 50u * 960 * 2 + 44);

  const auto received = testing::ReadToEnd<GstAudioSource>(
      GstAudioSourceConfig{.pipeline = "filesrc location=" + path + " ! wavparse", .sync = false});
  ASSERT_EQ(received.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(received[i].samples, sent[i].samples) << i;
}

TEST(GstAudioSinkTest, RateChangeMidStreamRenegotiates) {
  // 200 ms at 48 kHz, then 200 ms at 16 kHz, resampled to 48 kHz: about 400 ms of 48 kHz S16.
  const std::string path = testing::GstTestPath("s16");
  auto sink = StartOk("audioresample ! audio/x-raw,rate=48000 ! filesink location=" + path);
  ASSERT_NE(sink, nullptr);
  PushAll(*sink, Speech(48000, 10), kStart);
  PushAll(*sink, Speech(16000, 10), kStart + TimeDelta::Millis(200));
  FinishOk(*sink);
  const double samples = static_cast<double>(std::filesystem::file_size(path)) / 2;
  EXPECT_NEAR(samples, 0.4 * 48000, 0.01 * 48000);
}

TEST(GstAudioSinkTest, RejectsAFrameWithAPartialSample) {
  auto sink = StartOk("fakesink");
  ASSERT_NE(sink, nullptr);
  AudioFrame frame;
  frame.channels = 2;
  frame.samples.assign(961, 0);
  auto pushed = sink->Push(frame, kStart);
  ASSERT_FALSE(pushed.ok());
  EXPECT_THAT(pushed.error(), HasSubstr("961 samples, 2 channels at 48000 Hz"));
}

}  // namespace
}  // namespace comodal::engine
