#include "engine/gst/gst_audio_sink.h"

#include <utility>

#include "engine/gst/gst_pipeline.h"
#include "engine/gst/gst_raw_format.h"

namespace comodal::engine {
namespace {

// A second of 20 ms frames.
constexpr int kMaxQueuedFrames = 50;

}  // namespace

GstAudioSink::GstAudioSink(std::unique_ptr<AppSrcPipeline> pipeline)
    : pipeline_(std::move(pipeline)) {}
GstAudioSink::~GstAudioSink() = default;

Result<std::unique_ptr<GstAudioSink>, std::string> GstAudioSink::Start(
    const std::string& pipeline) {
  auto started = AppSrcPipeline::Start("audio sink", pipeline, kMaxQueuedFrames);
  if (!started.ok()) return started.error();
  return std::unique_ptr<GstAudioSink>(new GstAudioSink(std::move(started).value()));
}

Result<bool, std::string> GstAudioSink::Push(const AudioFrame& frame, Timestamp render_time) {
  if (CheckAudioFormat(frame.sample_rate, frame.channels) || frame.samples.empty() ||
      frame.samples.size() % static_cast<size_t>(frame.channels) != 0) {
    return pipeline_->Describe("frame is not whole S16 audio (" +
                               std::to_string(frame.samples.size()) + " samples, " +
                               std::to_string(frame.channels) + " channels at " +
                               std::to_string(frame.sample_rate) + " Hz)");
  }
  const size_t bytes = frame.samples.size() * sizeof(int16_t);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, bytes, nullptr);
  if (buffer == nullptr) return pipeline_->Describe("could not allocate a buffer");
  gst_buffer_fill(buffer, 0, frame.samples.data(), bytes);
  GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale_int(
      static_cast<guint64>(frame.samples_per_channel()), GST_SECOND, frame.sample_rate);
  return pipeline_->Push(buffer, S16Caps(frame.sample_rate, frame.channels), render_time);
}

Result<bool, std::string> GstAudioSink::Finish(TimeDelta timeout) {
  return pipeline_->Finish(timeout);
}

std::optional<std::string> GstAudioSink::error() const { return pipeline_->error(); }

std::string GstAudioSink::TestPipeline() { return "fakesink"; }

}  // namespace comodal::engine
