#ifndef ENGINE_GST_GST_AUDIO_SOURCE_H_
#define ENGINE_GST_GST_AUDIO_SOURCE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/codec/audio_frame.h"
#include "transport/base/result.h"
#include "transport/units/time_delta.h"

namespace comodal::engine {

struct GstAudioSourceConfig {
  // gst-launch-1.0 syntax: a microphone ("pulsesrc", "alsasrc device=hw:1"), a file ("filesrc
  // location=speech.wav ! wavparse"), or TestPipeline().
  std::string pipeline;
  int sample_rate = 48000;
  int channels = 1;
  // Every frame handed out is exactly this long (an Opus frame: 10 or 20 ms). It must be a whole
  // number of samples at sample_rate.
  TimeDelta frame_duration = TimeDelta::Millis(20);
  // As GstVideoSourceConfig::sync: a non-live input plays in real time unless false; a live one
  // hands out its sound as soon as it is captured.
  bool sync = true;
  TimeDelta start_timeout = TimeDelta::Seconds(5);
};

// Capture edge for audio: runs a GStreamer pipeline and hands out its sound as frames of exactly
// `frame_duration` of interleaved signed 16-bit samples (S16LE) at the configured rate and channel
// count, however the pipeline cuts its buffers.
//
// The description is completed with ` ! audioconvert ! audioresample ! appsink name=sink` whose
// caps ask for that format; a description that already contains an appsink named "sink" is used
// as is and must produce it itself. At the end of the stream a last partial frame is dropped.
// Frames carry no capture_time (MinusInfinity): the caller stamps them on its own clock.
class GstAudioSource {
 public:
  // Called on a GStreamer streaming thread, one frame at a time.
  using FrameHandler = std::function<void(AudioFrame frame)>;
  // nullopt at end of stream, or a runtime error naming the pipeline and the element; at most
  // once, on a GStreamer thread.
  using EndHandler = std::function<void(std::optional<std::string> error)>;

  // Parses and starts the pipeline and waits (up to config.start_timeout) for it to reach PLAYING;
  // a missing device or a bad description is reported here. Handlers may be called before Start()
  // returns (which then succeeds: once a frame was handed out, a failure goes to the EndHandler).
  // They must not destroy the source.
  static Result<std::unique_ptr<GstAudioSource>, std::string> Start(
      const GstAudioSourceConfig& config, FrameHandler on_frame, EndHandler on_end);
  // Stops the pipeline (NULL state); no handler runs after it returns. Not from a handler.
  ~GstAudioSource();
  GstAudioSource(const GstAudioSource&) = delete;
  GstAudioSource& operator=(const GstAudioSource&) = delete;

  // Deterministic live test sound that is neither silence nor a steady sine: 100 ms bursts of a
  // 440 Hz tone every 250 ms with silence (exact zeros) between them, every fourth burst louder,
  // so that voice activity, DTX and level changes are exercised (speech proper comes from
  // espeak-ng, DESIGN.md). Properties appended to it override it (tests append " is-live=false
  // num-buffers=50").
  static std::string TestPipeline();

 private:
  struct Impl;
  explicit GstAudioSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace comodal::engine

#endif  // ENGINE_GST_GST_AUDIO_SOURCE_H_
