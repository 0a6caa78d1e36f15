#include "engine/timing/video_render_timing.h"

#include <algorithm>

namespace comodal::engine {

TimeDelta VideoRenderTiming::MediaTime(uint32_t rtp_timestamp) {
  return TimeDelta::Micros(unwrapper_.Unwrap(rtp_timestamp) * 1'000'000 / config_.clock_rate);
}

void VideoRenderTiming::OnFrameComplete(uint32_t rtp_timestamp, Timestamp at) {
  transit_.Update(MediaTime(rtp_timestamp), at);
}

TimeDelta VideoRenderTiming::delay() const {
  return std::clamp(transit_.jitter_delay(), config_.min_delay, config_.max_delay) + extra_delay_;
}

Timestamp VideoRenderTiming::RenderTime(uint32_t rtp_timestamp) {
  const auto base = transit_.base_transit();
  if (!base) return Timestamp::MinusInfinity();
  return Timestamp::Zero() + MediaTime(rtp_timestamp) + *base + delay();
}

}  // namespace comodal::engine
