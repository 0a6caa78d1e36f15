#ifndef ENGINE_GST_GST_AUDIO_SINK_H_
#define ENGINE_GST_GST_AUDIO_SINK_H_

#include <memory>
#include <optional>
#include <string>

#include "engine/codec/audio_frame.h"
#include "transport/base/result.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

class AppSrcPipeline;  // gst_pipeline.h

// Playout/record edge for audio: `appsrc ! <pipeline>`, fed with interleaved S16LE frames.
//
// Caps come from the frames (S16LE, their rate and channel count) and are sent again whenever
// those change. Each frame is presented at its render_time relative to the first frame's, with
// its own duration. About a second of frames may wait in appsrc; beyond that the oldest are
// dropped.
class GstAudioSink {
 public:
  // `pipeline` is what follows appsrc: "audioconvert ! audioresample ! autoaudiosink", "wavenc !
  // filesink location=speech.wav", or TestPipeline(). Opens every element (sound device, file)
  // before returning, so that those errors are reported here.
  static Result<std::unique_ptr<GstAudioSink>, std::string> Start(const std::string& pipeline);
  // Stops the pipeline at once (NULL state). A recording must be Finish()ed first to be complete.
  ~GstAudioSink();
  GstAudioSink(const GstAudioSink&) = delete;
  GstAudioSink& operator=(const GstAudioSink&) = delete;

  // Hands one frame to the pipeline without waiting for it to be played. Fails if the frame is
  // malformed (no samples, a partial sample across channels, rate or channels out of range), after
  // Finish(), or once the pipeline reported an error (that error). From one thread at a time.
  // Returns true on success.
  Result<bool, std::string> Push(const AudioFrame& frame, Timestamp render_time);

  // Ends the stream and waits up to `timeout` for every sink to have it (a WAV header gets its
  // final sizes). Nothing can be pushed afterwards.
  Result<bool, std::string> Finish(TimeDelta timeout = TimeDelta::Seconds(5));

  // A runtime error seen on the bus, if any (names the pipeline and the element).
  std::optional<std::string> error() const;

  // The headless default: "fakesink".
  static std::string TestPipeline();

 private:
  explicit GstAudioSink(std::unique_ptr<AppSrcPipeline> pipeline);
  std::unique_ptr<AppSrcPipeline> pipeline_;
};

}  // namespace comodal::engine

#endif  // ENGINE_GST_GST_AUDIO_SINK_H_
