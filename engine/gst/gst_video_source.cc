#include "engine/gst/gst_video_source.h"

#include <span>
#include <utility>

#include "engine/gst/gst_pipeline.h"
#include "engine/gst/gst_raw_format.h"

namespace comodal::engine {

struct GstVideoSource::Impl {
  FrameHandler on_frame;
  uint64_t next_frame_id = 0;                  // Touched on the streaming thread only.
  std::unique_ptr<LaunchedPipeline> pipeline;  // Last: stopped before the members above go.

  // One appsink sample as a RawVideoFrame; a message if the buffer is not the picture its caps
  // announce.
  std::optional<std::string> OnSample(GstSample* sample) {
    const GstStructure* format = gst_caps_get_structure(gst_sample_get_caps(sample), 0);
    int width = 0;
    int height = 0;
    if (!gst_structure_get_int(format, "width", &width) ||
        !gst_structure_get_int(format, "height", &height) || width <= 0 || height <= 0) {
      return "sample without a picture size";
    }
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (buffer == nullptr || !gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      return "sample without readable data";
    }
    const GstI420Layout layout = GstI420Layout::For(width, height);
    if (map.size < layout.size) {
      gst_buffer_unmap(buffer, &map);
      return "buffer of " + std::to_string(map.size) + " bytes is smaller than an I420 " +
             std::to_string(width) + "x" + std::to_string(height) + " picture (" +
             std::to_string(layout.size) + " bytes)";
    }
    RawVideoFrame frame;
    frame.width = width;
    frame.height = height;
    frame.i420.resize(RawVideoFrame::I420Size(width, height));
    CopyI420FromGst(std::span<const uint8_t>(map.data, map.size), width, height, frame.i420);
    gst_buffer_unmap(buffer, &map);
    frame.frame_id = next_frame_id++;
    on_frame(std::move(frame));
    return std::nullopt;
  }
};

GstVideoSource::GstVideoSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GstVideoSource::~GstVideoSource() = default;

Result<std::unique_ptr<GstVideoSource>, std::string> GstVideoSource::Start(
    const GstVideoSourceConfig& config, FrameHandler on_frame, EndHandler on_end) {
  if (config.pipeline.empty()) return std::string("video source: empty pipeline description");
  std::optional<std::string> invalid = CheckVideoSize(config.width, config.height);
  if (!invalid && config.frame_rate < 0) {
    invalid = "frame_rate must be >= 0, got " + std::to_string(config.frame_rate);
  }
  if (invalid) return "video source pipeline \"" + config.pipeline + "\": " + *invalid;

  std::string caps = I420Caps(config.width, config.height);
  if (config.frame_rate > 0) caps += ",framerate=" + std::to_string(config.frame_rate) + "/1";
  auto impl = std::make_unique<Impl>();
  impl->on_frame = std::move(on_frame);
  auto started = StartAppSinkPipeline(
      {
          .role = "video source",
          .description = config.pipeline,
          .converters = config.frame_rate > 0 ? "videoconvert ! videoscale ! videorate"
                                              : "videoconvert ! videoscale",
          .caps = caps,
          .sync = config.sync,
          .start_timeout = config.start_timeout,
      },
      std::move(impl), std::move(on_end));
  if (!started.ok()) return started.error();
  return std::unique_ptr<GstVideoSource>(new GstVideoSource(std::move(started).value()));
}

std::string GstVideoSource::TestPipeline() {
  return "videotestsrc is-live=true pattern=zone-plate kx2=20 ky2=20 kt=1";
}

}  // namespace comodal::engine
