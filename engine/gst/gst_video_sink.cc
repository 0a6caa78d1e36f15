#include "engine/gst/gst_video_sink.h"

#include <cstring>
#include <span>
#include <utility>

#include "engine/gst/gst_pipeline.h"
#include "engine/gst/gst_raw_format.h"

namespace comodal::engine {
namespace {

// About a second of video at 30 frames per second.
constexpr int kMaxQueuedFrames = 30;

}  // namespace

GstVideoSink::GstVideoSink(std::unique_ptr<AppSrcPipeline> pipeline)
    : pipeline_(std::move(pipeline)) {}
GstVideoSink::~GstVideoSink() = default;

Result<std::unique_ptr<GstVideoSink>, std::string> GstVideoSink::Start(
    const std::string& pipeline) {
  auto started = AppSrcPipeline::Start("video sink", pipeline, kMaxQueuedFrames);
  if (!started.ok()) return started.error();
  return std::unique_ptr<GstVideoSink>(new GstVideoSink(std::move(started).value()));
}

Result<bool, std::string> GstVideoSink::Push(const RawVideoFrame& frame, Timestamp render_time) {
  const int width = frame.width;
  const int height = frame.height;
  if (CheckVideoSize(width, height) ||
      frame.i420.size() != RawVideoFrame::I420Size(width, height)) {
    return pipeline_->Describe("frame " + std::to_string(frame.frame_id) +
                               " is not a tightly packed I420 picture (" + std::to_string(width) +
                               "x" + std::to_string(height) + ", " +
                               std::to_string(frame.i420.size()) + " bytes)");
  }
  const GstI420Layout layout = GstI420Layout::For(width, height);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, layout.size, nullptr);
  GstMapInfo map;
  if (buffer == nullptr || !gst_buffer_map(buffer, &map, GST_MAP_WRITE)) {
    if (buffer != nullptr) gst_buffer_unref(buffer);
    return pipeline_->Describe("could not allocate a buffer");
  }
  // Row padding is zeroed, so that a recorded raw file holds no stale memory.
  if (layout.size != frame.i420.size()) std::memset(map.data, 0, map.size);
  CopyI420ToGst(frame.i420, width, height, std::span<uint8_t>(map.data, map.size));
  gst_buffer_unmap(buffer, &map);
  // framerate=0/1: variable, the frames' times say when to show them.
  return pipeline_->Push(buffer, I420Caps(width, height) + ",framerate=0/1", render_time);
}

Result<bool, std::string> GstVideoSink::Finish(TimeDelta timeout) {
  return pipeline_->Finish(timeout);
}

std::optional<std::string> GstVideoSink::error() const { return pipeline_->error(); }

std::string GstVideoSink::TestPipeline() { return "fakesink"; }

}  // namespace comodal::engine
