#ifndef ENGINE_GST_GST_PIPELINE_H_
#define ENGINE_GST_GST_PIPELINE_H_

// What the GStreamer edges of the engine share: a pipeline parsed from a gst-launch description,
// its bus watched synchronously, errors turned into messages a person can act on, and the rule
// that no callback reaches comodal code once the pipeline is stopped. Internal to engine/gst/
// (it exposes GStreamer types); the public edges are gst_{video,audio}_{source,sink}.h.

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "transport/base/result.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// A pipeline built by gst_parse_launch. Bus messages are handled on the thread that posts them
// (gst_bus_set_sync_handler), so the pipeline needs no thread of its own and nothing to join.
class LaunchedPipeline {
 public:
  // The end of the stream: nullopt for EOS, or the first runtime error.
  using EndHandler = std::function<void(std::optional<std::string> error)>;
  // One sample from an appsink. A returned message is a data error: the stream ends with it, as
  // if the appsink had raised it.
  using SampleHandler = std::function<std::optional<std::string>(GstSample* sample)>;

  // Parses `launch` (gst-launch-1.0 syntax; any error, including a missing element, fails).
  // `role` ("video source") and `description` (what the caller configured, which `launch` may
  // extend) name the pipeline in every message.
  static Result<std::unique_ptr<LaunchedPipeline>, std::string> Parse(std::string role,
                                                                      std::string description,
                                                                      const std::string& launch);
  ~LaunchedPipeline();
  LaunchedPipeline(const LaunchedPipeline&) = delete;
  LaunchedPipeline& operator=(const LaunchedPipeline&) = delete;

  // The element called `name` (the pipeline keeps it alive), or nullptr.
  GstElement* Find(const char* name) const;

  // Delivers every sample that reaches `appsink` to `handler`, on the streaming thread, until
  // Stop(). Call before Start().
  void OnSamples(GstElement* appsink, SampleHandler handler);

  enum class Readiness {
    // Data reached the sinks and the pipeline reports PLAYING, or a sample reached the handler
    // of OnSamples() (sources: the device delivers).
    kPlaying,
    // The state change was accepted: every element opened its device or file. An appsrc pipeline
    // prerolls, and so reaches PLAYING, only when its first buffer is pushed.
    kOpened,
  };
  // Sets the pipeline to PLAYING and waits up to `timeout` for `readiness`. An error before that
  // is the result (and the pipeline is stopped); after it, the end of the stream goes to `on_end`
  // (may be empty) once, on a GStreamer thread, possibly before Start() returns.
  Result<bool, std::string> Start(Readiness readiness, TimeDelta timeout, EndHandler on_end);

  // Waits up to `timeout` for EOS to reach every sink (ok) or for an error.
  Result<bool, std::string> WaitForEnd(TimeDelta timeout);

  // Whether the pipeline has a live source (a camera, a microphone), by the latency query: its
  // data comes at the source's pace, not at the pace of the clock.
  bool IsLive() const;

  // The first error seen on the bus, as Describe()d text.
  std::optional<std::string> error() const;

  // Stops every streaming thread (NULL state). No handler runs after it returns; it must not be
  // called from a handler. Idempotent.
  void Stop();

  // `<role> pipeline "<description>": <what>`.
  std::string Describe(std::string_view what) const;

 private:
  LaunchedPipeline(std::string role, std::string description, GstElement* pipeline);

  static GstBusSyncReply OnBusMessage(GstBus* bus, GstMessage* message, gpointer self);
  static GstFlowReturn OnNewSample(GstAppSink* appsink, gpointer self);
  void HandleMessage(GstMessage* message);
  // Runs `f` unless Stop() began; returns whether it ran. Serialises all handlers.
  bool RunHandler(const std::function<void()>& f);

  const std::string role_;
  const std::string description_;
  GstElement* const pipeline_;
  SampleHandler on_sample_;

  // Held while a handler runs; Stop() takes it to wait for the one running.
  std::mutex handler_mutex_;
  bool handlers_closed_ = false;

  enum class Phase { kIdle, kStarting, kRunning, kStopped };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Phase phase_ = Phase::kIdle;
  Readiness readiness_ = Readiness::kPlaying;
  EndHandler on_end_;
  bool eos_ = false;
  bool end_reported_ = false;
  std::optional<std::string> error_;
};

// Source side: starts `description` with its data leaving through an appsink named "sink" that
// only accepts `caps`. A description that already contains an appsink named "sink" is used as is
// (it must produce `caps` by itself); any other gets ` ! <converters> ! appsink name=sink`
// appended. `sync`: the appsink waits for each sample's time on the pipeline clock (a file plays
// in real time) rather than taking data as fast as it comes; a live pipeline never waits (see
// GstVideoSourceConfig::sync).
struct AppSinkPipelineConfig {
  std::string role;
  std::string description;
  std::string converters;
  std::string caps;
  bool sync = true;
  TimeDelta start_timeout = TimeDelta::Seconds(5);
};
Result<std::unique_ptr<LaunchedPipeline>, std::string> StartAppSinkPipeline(
    const AppSinkPipelineConfig& config, LaunchedPipeline::SampleHandler on_sample,
    LaunchedPipeline::EndHandler on_end);

// The same for a source's state: its samples go to `state->OnSample`, and the pipeline is kept in
// `state->pipeline`, which must be the state's last member, so that it is destroyed (stopped)
// before the members OnSample uses.
template <typename State>
Result<std::unique_ptr<State>, std::string> StartAppSinkPipeline(
    const AppSinkPipelineConfig& config, std::unique_ptr<State> state,
    LaunchedPipeline::EndHandler on_end) {
  State* raw = state.get();
  auto pipeline = StartAppSinkPipeline(
      config, [raw](GstSample* sample) { return raw->OnSample(sample); }, std::move(on_end));
  if (!pipeline.ok()) return pipeline.error();
  state->pipeline = std::move(pipeline).value();
  return state;
}

// Sink side: `appsrc name=src ! <description>` (not empty), opened (not prerolled) by Start().
// Buffers carry presentation times relative to the first one, so the sinks render the first at once
// and the others at their distance from it on the pipeline clock. At most `max_queued_buffers` wait
// in appsrc; beyond that the oldest are dropped, so a stalled display builds up neither latency nor
// memory.
class AppSrcPipeline {
 public:
  static Result<std::unique_ptr<AppSrcPipeline>, std::string> Start(std::string role,
                                                                    const std::string& description,
                                                                    int max_queued_buffers);

  // Pushes `buffer` (taken, even on failure) with PTS = render_time - the first render_time (held
  // back to the previous PTS if it would go backwards). `caps` are set on appsrc, which sends them
  // downstream ahead of the buffer, whenever they differ from the previous buffer's. Fails with the
  // pipeline's error once one was seen.
  Result<bool, std::string> Push(GstBuffer* buffer, const std::string& caps, Timestamp render_time);

  // Ends the stream and waits up to `timeout` for every sink to have it (a muxer writes its index
  // on EOS). Nothing can be pushed afterwards.
  Result<bool, std::string> Finish(TimeDelta timeout);

  std::optional<std::string> error() const { return pipeline_->error(); }
  std::string Describe(std::string_view what) const { return pipeline_->Describe(what); }

 private:
  AppSrcPipeline(std::unique_ptr<LaunchedPipeline> pipeline, GstElement* appsrc)
      : pipeline_(std::move(pipeline)), appsrc_(appsrc) {}

  std::unique_ptr<LaunchedPipeline> pipeline_;
  GstElement* appsrc_;  // Owned by the pipeline.
  std::string caps_;    // Of the last pushed buffer.
  std::optional<Timestamp> first_render_time_;
  TimeDelta last_pts_ = TimeDelta::Zero();
  bool finished_ = false;
};

}  // namespace comodal::engine

#endif  // ENGINE_GST_GST_PIPELINE_H_
