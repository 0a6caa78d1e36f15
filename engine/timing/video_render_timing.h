#ifndef ENGINE_TIMING_VIDEO_RENDER_TIMING_H_
#define ENGINE_TIMING_VIDEO_RENDER_TIMING_H_

#include <cstdint>
#include <deque>

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
    // How far back the lateness of repaired packets is remembered: repairs come in bursts (a
    // LEO handover every 15 s), and the cover should last from one burst to the next.
    TimeDelta repair_window = TimeDelta::Seconds(30);
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
  // A repaired packet (a retransmission, or one rebuilt from FEC) of the frame with
  // `rtp_timestamp` arrived at `at`: how late it is against the fastest transit is what frames
  // must be held for it to be in time.
  void OnRepair(uint32_t rtp_timestamp, Timestamp at);
  // Frames are held to cover repairs up to this lateness (zero: repairs are not waited for).
  void SetMaxRepairWait(TimeDelta max) { max_repair_wait_ = std::max(max, TimeDelta::Zero()); }
  // The recent repairs' largest lateness, up to the maximum wait.
  TimeDelta repair_cover() const;
  // Raises the lower bound of the jitter cover above config.min_delay (never lowers it), e.g. to
  // wait for a retransmission.
  void SetMinDelay(TimeDelta min) { min_delay_ = std::max(min, config_.min_delay); }

  // The delay frames are held for beyond the fastest arrival (jitter cover + extra).
  TimeDelta delay() const;

 private:
  TimeDelta MediaTime(uint32_t rtp_timestamp);

  Config config_;
  TransitDelayEstimator transit_;
  SeqNumUnwrapper<uint32_t> unwrapper_;
  TimeDelta extra_delay_ = TimeDelta::Zero();
  TimeDelta min_delay_ = config_.min_delay;
  TimeDelta max_repair_wait_ = TimeDelta::Zero();
  struct Repair {
    Timestamp at;
    TimeDelta lateness;
  };
  std::deque<Repair> repairs_;  // Decreasing lateness: the front is the window's largest.
};

}  // namespace comodal::engine

#endif  // ENGINE_TIMING_VIDEO_RENDER_TIMING_H_
