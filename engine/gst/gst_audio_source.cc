#include "engine/gst/gst_audio_source.h"

#include <cstring>
#include <utility>
#include <vector>

#include "engine/gst/gst_pipeline.h"
#include "engine/gst/gst_raw_format.h"

namespace comodal::engine {

struct GstAudioSource::Impl {
  FrameHandler on_frame;
  int sample_rate = 0;
  int channels = 0;
  size_t frame_samples = 0;                    // Per frame, all channels.
  std::vector<int16_t> pending;                // Samples not yet in a frame; streaming thread only.
  std::unique_ptr<LaunchedPipeline> pipeline;  // Last: stopped before the members above go.

  // Appends the sample's PCM and hands out every whole frame it completes.
  std::optional<std::string> OnSample(GstSample* sample) {
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (buffer == nullptr || !gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      return "sample without readable data";
    }
    const size_t frame_bytes = sizeof(int16_t) * static_cast<size_t>(channels);
    if (map.size % frame_bytes != 0) {
      gst_buffer_unmap(buffer, &map);
      return "buffer of " + std::to_string(map.size) + " bytes is not a whole number of " +
             std::to_string(channels) + "-channel S16 samples";
    }
    const size_t old_size = pending.size();
    pending.resize(old_size + map.size / sizeof(int16_t));
    std::memcpy(pending.data() + old_size, map.data, map.size);
    gst_buffer_unmap(buffer, &map);

    size_t used = 0;
    while (pending.size() - used >= frame_samples) {
      AudioFrame frame;
      frame.sample_rate = sample_rate;
      frame.channels = channels;
      const auto begin = pending.begin() + static_cast<std::ptrdiff_t>(used);
      frame.samples.assign(begin, begin + static_cast<std::ptrdiff_t>(frame_samples));
      used += frame_samples;
      on_frame(std::move(frame));
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(used));
    return std::nullopt;
  }
};

GstAudioSource::GstAudioSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GstAudioSource::~GstAudioSource() = default;

Result<std::unique_ptr<GstAudioSource>, std::string> GstAudioSource::Start(
    const GstAudioSourceConfig& config, FrameHandler on_frame, EndHandler on_end) {
  if (config.pipeline.empty()) return std::string("audio source: empty pipeline description");
  const TimeDelta duration = config.frame_duration;
  std::optional<std::string> invalid = CheckAudioFormat(config.sample_rate, config.channels);
  if (!invalid && (duration <= TimeDelta::Zero() || duration > TimeDelta::Seconds(1) ||
                   int64_t{config.sample_rate} * duration.us() % 1'000'000 != 0)) {
    invalid = "frame_duration must be a whole number of samples at " +
              std::to_string(config.sample_rate) + " Hz, up to 1 s, got " +
              std::to_string(duration.us()) + " us";
  }
  if (invalid) return "audio source pipeline \"" + config.pipeline + "\": " + *invalid;

  auto impl = std::make_unique<Impl>();
  impl->on_frame = std::move(on_frame);
  impl->sample_rate = config.sample_rate;
  impl->channels = config.channels;
  impl->frame_samples =
      static_cast<size_t>(int64_t{config.sample_rate} * duration.us() / 1'000'000) *
      static_cast<size_t>(config.channels);
  auto started = StartAppSinkPipeline(
      {
          .role = "audio source",
          .description = config.pipeline,
          .converters = "audioconvert ! audioresample",
          .caps = S16Caps(config.sample_rate, config.channels),
          .sync = config.sync,
          .start_timeout = config.start_timeout,
      },
      std::move(impl), std::move(on_end));
  if (!started.ok()) return started.error();
  return std::unique_ptr<GstAudioSource>(new GstAudioSource(std::move(started).value()));
}

std::string GstAudioSource::TestPipeline() {
  // tick-interval in ns; 44 periods of 440 Hz = 100 ms.
  return "audiotestsrc is-live=true wave=ticks freq=440 volume=0.3 tick-interval=250000000 "
         "sine-periods-per-tick=44 marker-tick-period=4 marker-tick-volume=0.9";
}

}  // namespace comodal::engine
