#ifndef ENGINE_SIM_MEDIA_SIMULATION_H_
#define ENGINE_SIM_MEDIA_SIMULATION_H_

#include <cstdint>
#include <span>

#include "engine/media/media_receiver.h"
#include "engine/media/media_sender.h"
#include "transport/base/latency_histogram.h"
#include "transport/link/link_model.h"

namespace comodal::engine {

// What a bench watches while a simulation runs (every hook optional).
class MediaSimulationObserver {
 public:
  virtual ~MediaSimulationObserver() = default;
  // Before anything else: the simulated time the run starts at.
  virtual void OnStart(Timestamp /*start*/) {}
  // Every datagram the sender hands to the downlink, and what the link does with it (a packet
  // queued is delivered later, through OnDownlinkDelivery).
  virtual void OnDownlinkSend(std::span<const uint8_t> /*datagram*/, link::SendOutcome /*outcome*/,
                              Timestamp /*now*/) {}
  virtual void OnDownlinkDelivery(const link::Delivery& /*delivery*/) {}
  // Every `sample_interval` of the configuration.
  virtual void OnSample(Timestamp /*now*/, const MediaSender& /*sender*/,
                        const MediaReceiver& /*receiver*/) {}
  virtual void OnVideoRendered(const RawVideoFrame& /*picture*/, Timestamp /*render_time*/) {}
};

// One media session (a MediaSender at the hub, a MediaReceiver at the site) over an emulated
// link, in simulated time: the synthetic speech of engine/testsrc/synthetic_speech.h every 20 ms
// and the zone plate of DESIGN.md at `frame_rate`, media on the downlink, RTCP feedback on the
// uplink.
struct MediaSimulationConfig {
  link::LinkDirectionConfig downlink;  // Hub -> site: the media.
  link::LinkDirectionConfig uplink;    // Site -> hub: RTCP feedback.
  uint64_t seed = 1;
  MediaSenderConfig sender;
  MediaReceiverConfig receiver;
  TimeDelta duration = TimeDelta::Seconds(20);
  double frame_rate = 30;
  // Encoding takes no simulated time; this much is charged between capture and send instead
  // (the measured codec time, docs/performance.md), so that latency figures include it.
  TimeDelta audio_processing = TimeDelta::Zero();
  TimeDelta video_processing = TimeDelta::Zero();
  // PSNR/SSIM of every rendered picture against the picture sent (matched by capture time, the
  // frame's identity on the wire).
  bool measure_quality = false;
  MediaSimulationObserver* observer = nullptr;
  TimeDelta sample_interval = TimeDelta::Millis(200);
};

struct MediaSimulationResult {
  MediaSenderStats sender;
  VpxEncoderStats video_encoder;  // What the encoder produced (bytes, drops, keyframes).
  MediaReceiverStats receiver;
  link::LinkStats downlink;
  // Engine-added latency: render (play) time - capture time - the time the frame's last packet
  // spent on the link. Total: render time - capture time.
  LatencyHistogram audio_engine_latency;
  LatencyHistogram video_engine_latency;
  LatencyHistogram audio_total_latency;
  LatencyHistogram video_total_latency;
  LatencyHistogram video_link_delay;  // Per frame.
  LatencyHistogram audio_link_delay;  // Per packet.
  uint64_t pictures_measured = 0;
  double mean_psnr = 0;
  double mean_ssim = 0;
  double min_psnr = 0;
  TimeDelta simulated = TimeDelta::Zero();
};

MediaSimulationResult RunMediaSimulation(const MediaSimulationConfig& config);

}  // namespace comodal::engine

#endif  // ENGINE_SIM_MEDIA_SIMULATION_H_
