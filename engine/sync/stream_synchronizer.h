#ifndef ENGINE_SYNC_STREAM_SYNCHRONIZER_H_
#define ENGINE_SYNC_STREAM_SYNCHRONIZER_H_

#include <cstdint>
#include <optional>

#include "transport/rtp/rtp_to_ntp_estimator.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// Lip sync between one sender's audio and video streams.
//
// Each stream's RTCP sender reports map its RTP timestamps to the sender's NTP clock
// (RtpToNtpEstimator), so the capture time of any frame played is known on one clock for both
// streams. The playout delay relative to capture, "local play time minus sender NTP capture
// time", includes the unknown offset between the two machines' clocks, but that offset is the
// same for both streams, so their difference is exact:
//
//   offset = (video play time - audio play time) - (video capture NTP - audio capture NTP)
//
// Positive: video plays later than the audio captured with it. The stream that plays earlier
// waits for the other: it gets an extra delay, and only one of the two extras is ever non-zero.
// ITU-R BT.1359-1 puts the detectability threshold at 45 ms of sound before picture (125 ms
// after); audio ahead is the one people notice, so the target is |offset| <= 45 ms either way.
//
// How the caller applies the result: Delays are totals, not increments. Each time, *set* (do not
// add to) each stream's extra delay on top of what it would play at by itself:
// - audio: raise the jitter buffer's target by extra_audio over its own (jitter cover within its
//   minimum and maximum): AudioJitterBuffer::SetExtraDelay(extra_audio);
// - video: the render delay = its own render delay + extra_video.
// The next measurement then includes them. Apply them as soon as convenient; an actuator that
// needs longer than an update period (an audio buffer that only stretches in pauses) is fine:
// the synchronizer tracks how much of its request has shown up in the measured offset and never
// asks for more than max_step beyond that, so a slow stream is waited for, not overshot.
//
// A pure state machine: the inputs carry their times; call Update() about once a second.
class StreamSynchronizer {
 public:
  struct Config {
    // Largest change of the extra delay per update: a 40 ms change is one or two audio frames
    // stretched or dropped, below what a listener notices as a jump.
    TimeDelta max_step = TimeDelta::Millis(40);
    // Largest extra delay either stream is given: beyond it, lip sync costs more interactivity
    // than it brings.
    TimeDelta max_extra = TimeDelta::Millis(1000);
    // Share of the measured offset corrected per update; below 1 so that a correction the
    // caller applies a little late does not overshoot.
    double gain = 0.5;
    // An offset this small is left alone: it is well below what can be noticed, and chasing it
    // would move the audio delay for nothing (video frames are rendered on a 16 ms vsync grid).
    TimeDelta deadband = TimeDelta::Millis(10);
  };
  // One stream's latest playout: the RTP timestamp of the frame just played (audio) or rendered
  // (video), and when, on the local clock.
  struct Playout {
    uint32_t rtp_timestamp;
    Timestamp local_time;
  };
  struct Delays {
    TimeDelta extra_audio = TimeDelta::Zero();
    TimeDelta extra_video = TimeDelta::Zero();
  };

  // A measured offset larger than this is not a delay but two unrelated timelines (a stream's
  // sender restarted and its estimator has not caught up yet): the delays are held.
  static constexpr TimeDelta kMaxPlausibleOffset = TimeDelta::Seconds(5);

  StreamSynchronizer() : StreamSynchronizer(Config{}) {}
  explicit StreamSynchronizer(Config config);

  // The extra delays each stream should now play with (see the class comment for how to apply
  // them), moved by at most max_step since the last call. nullopt while either estimator has no
  // SR yet.
  std::optional<Delays> Update(const Playout& audio, const RtpToNtpEstimator& audio_ntp,
                               const Playout& video, const RtpToNtpEstimator& video_ntp);

  // The last measured offset: video playout delay minus audio playout delay relative to capture
  // (positive: video later), including the extras in effect, before this update's correction.
  std::optional<TimeDelta> measured_offset() const { return measured_offset_; }
  // The delays last returned.
  Delays delays() const;

 private:
  Config config_;
  // extra_audio - extra_video: positive delays audio, negative delays video.
  TimeDelta requested_ = TimeDelta::Zero();
  // How much of requested_ the measurements show in effect: each change of the measured offset
  // is taken as the caller applying (part of) the request, bounded between what was in effect
  // and what was requested.
  TimeDelta in_effect_ = TimeDelta::Zero();
  std::optional<TimeDelta> measured_offset_;
  std::optional<TimeDelta> last_used_offset_;
};

}  // namespace comodal::engine

#endif  // ENGINE_SYNC_STREAM_SYNCHRONIZER_H_
