#ifndef ENGINE_GST_GST_VIDEO_SINK_H_
#define ENGINE_GST_GST_VIDEO_SINK_H_

#include <memory>
#include <optional>
#include <string>

#include "engine/codec/video_frame.h"
#include "transport/base/result.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

class AppSrcPipeline;  // gst_pipeline.h

// Render/record edge for video: `appsrc ! <pipeline>`, fed with I420 frames.
//
// Caps come from the frames (I420, their size, square pixels, variable frame rate) and are sent
// again, ahead of the frame, whenever the size changes, so that the pipeline renegotiates
// (videoscale rescales, an encoder restarts). Each frame is presented at its render_time relative
// to the first frame's: the first one is shown as soon as it arrives, the others at their distance
// from it on the pipeline clock (sinks with sync=false, like filesink, take them at once). About a
// second of frames may wait in appsrc; beyond that the oldest are dropped so that a stalled
// display builds up no latency.
class GstVideoSink {
 public:
  // `pipeline` is what follows appsrc, in gst-launch-1.0 syntax: "videoconvert ! autovideosink",
  // "videoconvert ! vp8enc ! webmmux ! filesink location=lesson.webm", or TestPipeline(). Opens
  // every element (display, file) before returning, so that those errors are reported here.
  static Result<std::unique_ptr<GstVideoSink>, std::string> Start(const std::string& pipeline);
  // Stops the pipeline at once (NULL state). A recording must be Finish()ed first to be complete.
  ~GstVideoSink();
  GstVideoSink(const GstVideoSink&) = delete;
  GstVideoSink& operator=(const GstVideoSink&) = delete;

  // Hands one frame (tightly packed I420, 1..8192 in each axis) to the pipeline without waiting
  // for it to be rendered. Fails if the frame is malformed, after Finish(), or once the pipeline
  // reported an error (that error). From one thread at a time. Returns true on success.
  Result<bool, std::string> Push(const RawVideoFrame& frame, Timestamp render_time);

  // Ends the stream and waits up to `timeout` for every sink to have it: a muxer writes its index,
  // a file is complete. Nothing can be pushed afterwards.
  Result<bool, std::string> Finish(TimeDelta timeout = TimeDelta::Seconds(5));

  // A runtime error seen on the bus, if any (names the pipeline and the element).
  std::optional<std::string> error() const;

  // The headless default: "fakesink" (takes and discards every frame; no display needed).
  static std::string TestPipeline();

 private:
  explicit GstVideoSink(std::unique_ptr<AppSrcPipeline> pipeline);
  std::unique_ptr<AppSrcPipeline> pipeline_;
};

}  // namespace comodal::engine

#endif  // ENGINE_GST_GST_VIDEO_SINK_H_
