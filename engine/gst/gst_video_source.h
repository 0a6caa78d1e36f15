#ifndef ENGINE_GST_GST_VIDEO_SOURCE_H_
#define ENGINE_GST_GST_VIDEO_SOURCE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/codec/video_frame.h"
#include "transport/base/result.h"
#include "transport/units/time_delta.h"

namespace comodal::engine {

struct GstVideoSourceConfig {
  // gst-launch-1.0 syntax: a camera ("v4l2src device=/dev/video0"), a file ("filesrc
  // location=lesson.webm ! decodebin"), or TestPipeline().
  std::string pipeline;
  int width = 640;
  int height = 360;
  // Frames per second out of the source (videorate duplicates or drops to reach it); 0 keeps the
  // rate of the input.
  int frame_rate = 30;
  // Frames of a non-live input (a file) leave at their time on the pipeline clock, so that it
  // plays in real time as a camera would; false: as fast as the pipeline makes them (tests,
  // offline processing). A live input (camera, is-live=true) always hands each frame out as soon
  // as it is captured: waiting for the clock would only add the source's latency.
  bool sync = true;
  // Start() waits this long for the first frame to reach the end of the pipeline.
  TimeDelta start_timeout = TimeDelta::Seconds(5);
};

// Capture edge for video: runs a GStreamer pipeline and hands out its frames as tightly packed
// I420 pictures of exactly the configured size.
//
// The description is completed with ` ! videoconvert ! videoscale ! videorate ! appsink
// name=sink` (no videorate when frame_rate is 0) whose caps ask for I420, the configured size,
// square pixels and the frame rate:
// any format, size or rate the input has is converted (videoscale letterboxes to keep the picture
// undistorted). A description that already contains an appsink named "sink" is used as is and
// must produce those caps itself.
//
// Frames carry frame_id 0, 1, 2, ... and no capture_time (MinusInfinity): the caller stamps them
// on its own clock when it takes them over.
class GstVideoSource {
 public:
  // Called on a GStreamer streaming thread, one frame at a time.
  using FrameHandler = std::function<void(RawVideoFrame frame)>;
  // The end of the input: nullopt at end of stream, or a runtime error message naming the pipeline
  // and the element. Called at most once, on a GStreamer thread.
  using EndHandler = std::function<void(std::optional<std::string> error)>;

  // Parses and starts the pipeline and waits (up to config.start_timeout) for it to reach PLAYING,
  // so that a missing or busy device, a bad description or an unreadable file is reported here.
  // Handlers may be called before Start() returns (which then succeeds: once a frame was handed
  // out, a failure goes to the EndHandler). They must not destroy the source.
  static Result<std::unique_ptr<GstVideoSource>, std::string> Start(
      const GstVideoSourceConfig& config, FrameHandler on_frame, EndHandler on_end);
  // Stops the pipeline (NULL state); no handler runs after it returns. Not from a handler.
  ~GstVideoSource();
  GstVideoSource(const GstVideoSource&) = delete;
  GstVideoSource& operator=(const GstVideoSource&) = delete;

  // The deterministic demanding test video of DESIGN.md, live: `videotestsrc is-live=true
  // pattern=zone-plate kx2=20 ky2=20 kt=1`. Properties appended to it override it (tests append
  // " is-live=false num-buffers=30").
  static std::string TestPipeline();

 private:
  struct Impl;
  explicit GstVideoSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace comodal::engine

#endif  // ENGINE_GST_GST_VIDEO_SOURCE_H_
