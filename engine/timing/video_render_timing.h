#ifndef ENGINE_TIMING_VIDEO_RENDER_TIMING_H_
#define ENGINE_TIMING_VIDEO_RENDER_TIMING_H_

#include <cstdint>

#include "engine/timing/transit_delay_estimator.h"
#include "transport/rtp/sequence_number.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// When to show each video frame, from its RTP timestamp: frames keep the spacing they were
// captured with, offset so that the fastest-arriving frame of the recent past would be shown at
// once and `quantile` of frames arrive (complete) in time. A frame that is decoded after its
// render time is shown at once. The delay adapts to the link's jitter within [min, max] and takes
// an extra delay for lip sync.
class VideoRenderTiming {
 public:
  struct Config {
    int clock_rate = 90'000;
    double quantile = 0.97;
    TimeDelta window = TimeDelta::Seconds(10);
    TimeDelta min_delay = TimeDelta::Zero();
    TimeDelta max_delay = TimeDelta::Millis(500);
  };

  VideoRenderTiming() : VideoRenderTiming(Config{}) {}
  explicit VideoRenderTiming(Config config)
      : config_(config), transit_(config.quantile, config.window) {}

  // A packet of the frame with `rtp_timestamp` arrived at `at` (the last one's arrival is when
  // the frame became complete; earlier ones teach the same transit).
  void OnFrameComplete(uint32_t rtp_timestamp, Timestamp at);
  // When the frame with `rtp_timestamp` should be shown; MinusInfinity (at once) before any
  // frame completed.
  Timestamp RenderTime(uint32_t rtp_timestamp);
  void SetExtraDelay(TimeDelta extra) { extra_delay_ = std::max(extra, TimeDelta::Zero()); }

  // The delay frames are held for beyond the fastest arrival (jitter cover + extra).
  TimeDelta delay() const;

 private:
  TimeDelta MediaTime(uint32_t rtp_timestamp);

  Config config_;
  TransitDelayEstimator transit_;
  SeqNumUnwrapper<uint32_t> unwrapper_;
  TimeDelta extra_delay_ = TimeDelta::Zero();
};

}  // namespace comodal::engine

#endif  // ENGINE_TIMING_VIDEO_RENDER_TIMING_H_
