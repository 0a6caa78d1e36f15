#include "engine/timing/video_render_timing.h"

#include <algorithm>

namespace comodal::engine {

TimeDelta VideoRenderTiming::MediaTime(uint32_t rtp_timestamp) {
  return TimeDelta::Micros(unwrapper_.Unwrap(rtp_timestamp) * 1'000'000 / config_.clock_rate);
}

void VideoRenderTiming::OnFrameComplete(uint32_t rtp_timestamp, Timestamp at) {
  transit_.Update(MediaTime(rtp_timestamp), at);
}

void VideoRenderTiming::OnRepair(uint32_t rtp_timestamp, Timestamp at) {
  const auto base = transit_.base_transit();
  if (!base) return;
  const TimeDelta lateness = at - (Timestamp::Zero() + MediaTime(rtp_timestamp) + *base);
  while (!repairs_.empty() && repairs_.back().lateness <= lateness) repairs_.pop_back();
  repairs_.push_back({at, lateness});
  while (repairs_.front().at < at - config_.repair_window) repairs_.pop_front();
}

TimeDelta VideoRenderTiming::repair_cover() const {
  if (repairs_.empty()) return TimeDelta::Zero();
  return std::clamp(repairs_.front().lateness, TimeDelta::Zero(), max_repair_wait_);
}

TimeDelta VideoRenderTiming::delay() const {
  const TimeDelta cover = std::max(transit_.jitter_delay(), repair_cover());
  return std::clamp(cover, min_delay_, std::max(min_delay_, config_.max_delay)) + extra_delay_;
}

Timestamp VideoRenderTiming::RenderTime(uint32_t rtp_timestamp) {
  const auto base = transit_.base_transit();
  if (!base) return Timestamp::MinusInfinity();
  return Timestamp::Zero() + MediaTime(rtp_timestamp) + *base + delay();
}

}  // namespace comodal::engine
