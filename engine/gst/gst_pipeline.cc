#include "engine/gst/gst_pipeline.h"

#include <gst/app/gstappsrc.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "engine/gst/gst_library.h"

namespace comodal::engine {
namespace {

std::chrono::microseconds ToChrono(TimeDelta delta) {
  return std::chrono::microseconds(delta.us());
}

// `element "<name>": <message> (<detail>)` from an ERROR message. GStreamer's debug text is
// "<file>(<line>): <function> (): <object path>:\n<detail>"; the detail after the first line often
// says what the message does not ("streaming stopped, reason not-negotiated (-4)", "system error:
// No such file or directory").
std::string ErrorText(GstMessage* message) {
  GError* error = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &error, &debug);
  std::string text = std::string("element \"") + GST_MESSAGE_SRC_NAME(message) +
                     "\": " + (error != nullptr ? error->message : "unknown error");
  if (debug != nullptr) {
    const std::string_view all(debug);
    if (const size_t newline = all.find('\n'); newline != std::string_view::npos) {
      const std::string_view detail = all.substr(newline + 1);
      if (!detail.empty()) text += " (" + std::string(detail) + ")";
    }
  }
  if (error != nullptr) g_error_free(error);
  g_free(debug);
  return text;
}

}  // namespace

Result<std::unique_ptr<LaunchedPipeline>, std::string> LaunchedPipeline::Parse(
    std::string role, std::string description, const std::string& launch) {
  auto describe = [&](std::string_view what) {
    return role + " pipeline \"" + description + "\": " + std::string(what);
  };
  if (auto init = InitGStreamer(); !init.ok()) return describe(init.error());

  GError* error = nullptr;
  // Without FATAL_ERRORS, gst_parse_launch returns what it could build (minus a missing element)
  // and only warns.
  GstElement* parsed =
      gst_parse_launch_full(launch.c_str(), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (parsed != nullptr) gst_object_ref_sink(parsed);  // Returned floating; own it either way.
  if (error != nullptr) {
    std::string message = describe(error->message);
    g_error_free(error);
    if (parsed != nullptr) gst_object_unref(parsed);
    return message;
  }
  if (parsed == nullptr) return describe("could not be parsed");
  GstElement* pipeline = parsed;
  if (!GST_IS_PIPELINE(parsed)) {  // A description of one element yields the element itself.
    pipeline = gst_pipeline_new(nullptr);
    gst_object_ref_sink(pipeline);
    gst_bin_add(GST_BIN(pipeline), parsed);  // Takes its own reference.
    gst_object_unref(parsed);
  }
  return std::unique_ptr<LaunchedPipeline>(
      new LaunchedPipeline(std::move(role), std::move(description), pipeline));
}

LaunchedPipeline::LaunchedPipeline(std::string role, std::string description, GstElement* pipeline)
    : role_(std::move(role)), description_(std::move(description)), pipeline_(pipeline) {
  GstBus* bus = gst_element_get_bus(pipeline_);
  gst_bus_set_sync_handler(bus, &LaunchedPipeline::OnBusMessage, this, nullptr);
  gst_object_unref(bus);
}

LaunchedPipeline::~LaunchedPipeline() {
  Stop();
  GstBus* bus = gst_element_get_bus(pipeline_);
  gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
  gst_object_unref(bus);
  gst_object_unref(pipeline_);
}

GstElement* LaunchedPipeline::Find(const char* name) const {
  GstElement* element = gst_bin_get_by_name(GST_BIN(pipeline_), name);
  if (element != nullptr) gst_object_unref(element);  // The bin holds it as long as we do.
  return element;
}

void LaunchedPipeline::OnSamples(GstElement* appsink, SampleHandler handler) {
  on_sample_ = std::move(handler);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = &LaunchedPipeline::OnNewSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &callbacks, this, nullptr);
}

GstFlowReturn LaunchedPipeline::OnNewSample(GstAppSink* appsink, gpointer self) {
  auto* pipeline = static_cast<LaunchedPipeline*>(self);
  GstSample* sample = gst_app_sink_pull_sample(appsink);
  if (sample == nullptr) return GST_FLOW_FLUSHING;
  {
    // A sample leaves the appsink only in PLAYING, possibly a little before the pipeline posts
    // its own state change: data reaching the caller ends the start either way. None is handed
    // out once the start failed (timed out, or an error that Start() will return).
    std::lock_guard lock(pipeline->mutex_);
    if (pipeline->phase_ == Phase::kStopped ||
        (pipeline->phase_ == Phase::kStarting && pipeline->error_)) {
      gst_sample_unref(sample);
      return GST_FLOW_FLUSHING;
    }
    if (pipeline->phase_ == Phase::kStarting) {
      pipeline->phase_ = Phase::kRunning;
      pipeline->changed_.notify_all();
    }
  }
  std::optional<std::string> data_error;
  const bool ran = pipeline->RunHandler([&] { data_error = pipeline->on_sample_(sample); });
  gst_sample_unref(sample);
  if (!ran) return GST_FLOW_FLUSHING;
  if (!data_error) return GST_FLOW_OK;
  // Outside RunHandler: the message comes back to HandleMessage, which may call on_end.
  GError* error =
      g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT, data_error->c_str());
  gst_element_post_message(GST_ELEMENT(appsink),
                           gst_message_new_error(GST_OBJECT(appsink), error, nullptr));
  g_error_free(error);
  return GST_FLOW_ERROR;
}

bool LaunchedPipeline::RunHandler(const std::function<void()>& f) {
  std::lock_guard lock(handler_mutex_);
  if (handlers_closed_) return false;
  f();
  return true;
}

GstBusSyncReply LaunchedPipeline::OnBusMessage(GstBus* /*bus*/, GstMessage* message,
                                               gpointer self) {
  static_cast<LaunchedPipeline*>(self)->HandleMessage(message);
  // Nobody pops this bus: a message kept on it would only pile up. A dropped message is the
  // handler's to unref (it holds a reference to the element that posted it).
  gst_message_unref(message);
  return GST_BUS_DROP;
}

void LaunchedPipeline::HandleMessage(GstMessage* message) {
  std::optional<std::string> error;
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR:
      error = Describe(ErrorText(message));
      break;
    case GST_MESSAGE_EOS:
      break;
    case GST_MESSAGE_STATE_CHANGED: {
      if (GST_MESSAGE_SRC(message) != GST_OBJECT(pipeline_)) return;
      GstState state = GST_STATE_VOID_PENDING;
      gst_message_parse_state_changed(message, nullptr, &state, nullptr);
      if (state != GST_STATE_PLAYING) return;
      std::lock_guard lock(mutex_);
      if (phase_ == Phase::kStarting && readiness_ == Readiness::kPlaying && !error_) {
        phase_ = Phase::kRunning;
        changed_.notify_all();
      }
      return;
    }
    default:
      return;
  }

  EndHandler on_end;
  {
    std::lock_guard lock(mutex_);
    if (error) {
      if (error_) return;  // Later errors are consequences of the first.
      error_ = error;
    } else {
      eos_ = true;
      // EOS reaches the bus only once the sinks are PLAYING: the start is over (unless it failed).
      if (phase_ == Phase::kStarting && !error_) phase_ = Phase::kRunning;
    }
    changed_.notify_all();
    if (phase_ != Phase::kRunning || end_reported_) return;
    end_reported_ = true;
    on_end = on_end_;
  }
  if (on_end) RunHandler([&] { on_end(std::move(error)); });
}

Result<bool, std::string> LaunchedPipeline::Start(Readiness readiness, TimeDelta timeout,
                                                  EndHandler on_end) {
  {
    std::lock_guard lock(mutex_);
    if (phase_ != Phase::kIdle) return Describe("started twice");
    phase_ = Phase::kStarting;
    readiness_ = readiness;
    on_end_ = std::move(on_end);
  }
  // Opening devices and files happens inside this call (NULL -> READY), so their errors are on
  // the bus when it returns.
  const GstStateChangeReturn change = gst_element_set_state(pipeline_, GST_STATE_PLAYING);

  std::string failure;
  {
    std::unique_lock lock(mutex_);
    if (change == GST_STATE_CHANGE_FAILURE && !error_) {
      error_ = Describe("refused to go to PLAYING (no element said why)");
    }
    if (readiness == Readiness::kOpened && !error_ && phase_ == Phase::kStarting) {
      phase_ = Phase::kRunning;
    }
    changed_.wait_for(lock, ToChrono(timeout),
                      [&] { return error_.has_value() || phase_ != Phase::kStarting; });
    // Running, and any error came after the start and went to on_end.
    if (phase_ == Phase::kRunning && (!error_ || end_reported_)) return true;
    failure =
        error_ ? *error_
               : Describe("did not reach PLAYING within " + std::to_string(timeout.ms()) + " ms");
    phase_ = Phase::kStopped;
  }
  Stop();
  return failure;
}

Result<bool, std::string> LaunchedPipeline::WaitForEnd(TimeDelta timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, ToChrono(timeout), [&] { return error_.has_value() || eos_; });
  if (error_) return *error_;
  if (eos_) return true;
  return Describe("end of stream did not reach the sinks within " + std::to_string(timeout.ms()) +
                  " ms");
}

bool LaunchedPipeline::IsLive() const {
  GstQuery* query = gst_query_new_latency();
  gboolean live = FALSE;
  if (gst_element_query(pipeline_, query)) {
    gst_query_parse_latency(query, &live, nullptr, nullptr);
  }
  gst_query_unref(query);
  return live != FALSE;
}

std::optional<std::string> LaunchedPipeline::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void LaunchedPipeline::Stop() {
  {
    std::lock_guard lock(handler_mutex_);  // Waits for a running handler.
    handlers_closed_ = true;
  }
  {
    std::lock_guard lock(mutex_);
    phase_ = Phase::kStopped;
    changed_.notify_all();
  }
  // Synchronous: joins the streaming threads (they may still post; HandleMessage runs no
  // handler any more).
  gst_element_set_state(pipeline_, GST_STATE_NULL);
}

std::string LaunchedPipeline::Describe(std::string_view what) const {
  return role_ + " pipeline \"" + description_ + "\": " + std::string(what);
}

Result<std::unique_ptr<LaunchedPipeline>, std::string> StartAppSinkPipeline(
    const AppSinkPipelineConfig& config, LaunchedPipeline::SampleHandler on_sample,
    LaunchedPipeline::EndHandler on_end) {
  std::unique_ptr<LaunchedPipeline> pipeline;
  GstElement* appsink = nullptr;
  auto is_appsink = [](GstElement* element) {
    return element != nullptr && GST_IS_APP_SINK(element);
  };
  if (config.description.find("appsink") != std::string::npos) {
    auto parsed = LaunchedPipeline::Parse(config.role, config.description, config.description);
    if (!parsed.ok()) return parsed.error();
    if (is_appsink((*parsed)->Find("sink"))) pipeline = std::move(parsed).value();
  }
  if (pipeline == nullptr) {
    auto parsed = LaunchedPipeline::Parse(
        config.role, config.description,
        config.description + " ! " + config.converters + " ! appsink name=sink");
    if (!parsed.ok()) return parsed.error();
    pipeline = std::move(parsed).value();
  }
  appsink = pipeline->Find("sink");
  if (!is_appsink(appsink)) return pipeline->Describe("its element \"sink\" is not an appsink");

  GstCaps* caps = gst_caps_from_string(config.caps.c_str());
  if (caps == nullptr) return pipeline->Describe("bad caps " + config.caps);
  gst_app_sink_set_caps(GST_APP_SINK(appsink), caps);
  gst_caps_unref(caps);
  // Samples are handed over as they come (no queue to bound); the last one is not kept.
  g_object_set(appsink, "sync", config.sync ? TRUE : FALSE, "enable-last-sample", FALSE, nullptr);
  pipeline->OnSamples(appsink, std::move(on_sample));

  auto started = pipeline->Start(LaunchedPipeline::Readiness::kPlaying, config.start_timeout,
                                 std::move(on_end));
  if (!started.ok()) return started.error();
  // A live source paces itself: waiting for the clock would only hold each sample back by the
  // pipeline's latency (a frame period for a camera). At most the first samples waited.
  if (config.sync && pipeline->IsLive()) g_object_set(appsink, "sync", FALSE, nullptr);
  return pipeline;
}

Result<std::unique_ptr<AppSrcPipeline>, std::string> AppSrcPipeline::Start(
    std::string role, const std::string& description, int max_queued_buffers) {
  if (description.empty()) return role + ": empty pipeline description";
  // Not live: the sinks preroll on the first buffer and the clock starts there, so the first
  // buffer (PTS 0) is rendered at once however long after Start() it comes.
  const std::string launch =
      "appsrc name=src format=time max-bytes=0 max-buffers=" + std::to_string(max_queued_buffers) +
      " leaky-type=downstream ! " + description;
  auto parsed = LaunchedPipeline::Parse(std::move(role), description, launch);
  if (!parsed.ok()) return parsed.error();
  std::unique_ptr<LaunchedPipeline> pipeline = std::move(parsed).value();
  GstElement* appsrc = pipeline->Find("src");
  if (appsrc == nullptr || !GST_IS_APP_SRC(appsrc)) {
    return pipeline->Describe("its element \"src\" is not the appsrc (name clash?)");
  }
  auto started = pipeline->Start(LaunchedPipeline::Readiness::kOpened, TimeDelta::Zero(), nullptr);
  if (!started.ok()) return started.error();
  return std::unique_ptr<AppSrcPipeline>(new AppSrcPipeline(std::move(pipeline), appsrc));
}

Result<bool, std::string> AppSrcPipeline::Push(GstBuffer* buffer, const std::string& caps,
                                               Timestamp render_time) {
  auto refuse = [&](std::string message) {
    gst_buffer_unref(buffer);
    return message;
  };
  if (auto error = pipeline_->error()) return refuse(*error);
  if (finished_) return refuse(Describe("pushed after the end of the stream"));
  if (!render_time.IsFinite()) return refuse(Describe("render time is not finite"));

  if (!first_render_time_) first_render_time_ = render_time;
  last_pts_ = std::max(last_pts_, render_time - *first_render_time_);
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(last_pts_.us()) * GST_USECOND;

  if (caps != caps_) {
    GstCaps* parsed = gst_caps_from_string(caps.c_str());
    if (parsed == nullptr) return refuse(Describe("bad caps " + caps));
    // Queued in order with the buffers: downstream renegotiates just before the first buffer of
    // the new format.
    gst_app_src_set_caps(GST_APP_SRC(appsrc_), parsed);
    gst_caps_unref(parsed);
    caps_ = caps;
  }
  const GstFlowReturn flow = gst_app_src_push_buffer(GST_APP_SRC(appsrc_), buffer);
  if (flow != GST_FLOW_OK) {
    if (auto error = pipeline_->error()) return *error;
    return Describe(std::string("appsrc refused the buffer: ") + gst_flow_get_name(flow));
  }
  return true;
}

Result<bool, std::string> AppSrcPipeline::Finish(TimeDelta timeout) {
  if (!finished_) {
    finished_ = true;
    gst_app_src_end_of_stream(GST_APP_SRC(appsrc_));  // After the queued buffers.
  }
  return pipeline_->WaitForEnd(timeout);
}

}  // namespace comodal::engine
