#include "engine/sync/stream_synchronizer.h"

#include <algorithm>

namespace comodal::engine {
namespace {

// a - b on the NTP clock, rounded to the microsecond.
TimeDelta NtpDifference(NtpTime a, NtpTime b) {
  const __int128 units = static_cast<int64_t>(a.value() - b.value());
  const __int128 us = (units * 1'000'000 + (__int128{1} << 31)) >> 32;
  return TimeDelta::Micros(static_cast<int64_t>(us));
}

}  // namespace

StreamSynchronizer::StreamSynchronizer(Config config) : config_(config) {}

StreamSynchronizer::Delays StreamSynchronizer::delays() const {
  Delays delays;
  if (requested_ > TimeDelta::Zero()) {
    delays.extra_audio = requested_;
  } else {
    delays.extra_video = -requested_;
  }
  return delays;
}

std::optional<StreamSynchronizer::Delays> StreamSynchronizer::Update(
    const Playout& audio, const RtpToNtpEstimator& audio_ntp, const Playout& video,
    const RtpToNtpEstimator& video_ntp) {
  const std::optional<NtpTime> audio_capture = audio_ntp.Estimate(audio.rtp_timestamp);
  const std::optional<NtpTime> video_capture = video_ntp.Estimate(video.rtp_timestamp);
  if (!audio_capture || !video_capture) return std::nullopt;

  const TimeDelta offset =
      (video.local_time - audio.local_time) - NtpDifference(*video_capture, *audio_capture);
  measured_offset_ = offset;
  if (offset.Abs() > kMaxPlausibleOffset) return delays();

  // offset = (what it would be with no extras) - (extras in effect), so a change of the offset
  // since the last update is the caller applying part of the request. It can only have moved
  // in_effect_ towards requested_ (a change of the streams' own delays is attributed to it too,
  // but cannot push it past the request).
  if (last_used_offset_) {
    const TimeDelta low = std::min(in_effect_, requested_);
    const TimeDelta high = std::max(in_effect_, requested_);
    in_effect_ = TimeDelta::Clamp(in_effect_ - (offset - *last_used_offset_), low, high);
    // Within the measurement noise of the request: take it as applied, or render jitter alone
    // would slow every correction down.
    if ((requested_ - in_effect_).Abs() <= config_.deadband) in_effect_ = requested_;
  }
  last_used_offset_ = offset;

  if (offset.Abs() <= config_.deadband) return delays();
  const TimeDelta step =
      TimeDelta::Clamp(offset * config_.gain, -config_.max_step, config_.max_step);
  // Ask for at most max_step beyond what is in effect; when the caller is still catching up,
  // hold the request rather than pile more on (or take back what it is moving towards).
  TimeDelta target = requested_ + step;
  if (step > TimeDelta::Zero()) {
    target = std::max(requested_, std::min(target, in_effect_ + config_.max_step));
  } else {
    target = std::min(requested_, std::max(target, in_effect_ - config_.max_step));
  }
  requested_ = TimeDelta::Clamp(target, -config_.max_extra, config_.max_extra);
  return delays();
}

}  // namespace comodal::engine
