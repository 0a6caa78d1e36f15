#include "engine/sync/stream_synchronizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <vector>

namespace comodal::engine {
namespace {

using Delays = StreamSynchronizer::Delays;
using Playout = StreamSynchronizer::Playout;

constexpr Timestamp kLocal = Timestamp::Seconds(777);
const NtpTime kNtp(0xE98B0A00u, 0);

// One SR for each stream, both at kNtp: audio RTP 1000, video RTP 5000.
struct OneReportEach {
  OneReportEach() {
    audio.OnSenderReport(kNtp, 1000);
    video.OnSenderReport(kNtp, 5000);
  }
  // The frames captured 1 s after kNtp, played `audio_delay` and `video_delay` after capture.
  Playout AudioPlayout(TimeDelta audio_delay) const {
    return {1000 + 48'000, kLocal + TimeDelta::Seconds(1) + audio_delay};
  }
  Playout VideoPlayout(TimeDelta video_delay) const {
    return {5000 + 90'000, kLocal + TimeDelta::Seconds(1) + video_delay};
  }
  RtpToNtpEstimator audio{48'000};
  RtpToNtpEstimator video{90'000};
};

// Runs `updates` updates with streams whose own delays are `audio_base` and `video_base`; the
// caller applies the result at once when `apply` is set. Returns the delays after each update.
std::vector<Delays> Converge(StreamSynchronizer& sync, TimeDelta audio_base, TimeDelta video_base,
                             int updates, bool apply = true) {
  OneReportEach streams;
  std::vector<Delays> out;
  Delays applied;
  for (int i = 0; i < updates; ++i) {
    const std::optional<Delays> d =
        sync.Update(streams.AudioPlayout(audio_base + applied.extra_audio), streams.audio,
                    streams.VideoPlayout(video_base + applied.extra_video), streams.video);
    EXPECT_TRUE(d.has_value());
    if (!d) break;
    out.push_back(*d);
    if (apply) applied = *d;
  }
  return out;
}

std::vector<int64_t> AudioMs(const std::vector<Delays>& delays) {
  std::vector<int64_t> ms;
  for (const Delays& d : delays) ms.push_back(d.extra_audio.ms());
  return ms;
}
std::vector<int64_t> VideoMs(const std::vector<Delays>& delays) {
  std::vector<int64_t> ms;
  for (const Delays& d : delays) ms.push_back(d.extra_video.ms());
  return ms;
}

TEST(StreamSynchronizerTest, NothingUntilBothStreamsHaveASenderReport) {
  StreamSynchronizer sync;
  RtpToNtpEstimator audio(48'000);
  RtpToNtpEstimator video(90'000);
  const Playout a{1000, kLocal};
  const Playout v{5000, kLocal};
  EXPECT_FALSE(sync.Update(a, audio, v, video).has_value());
  audio.OnSenderReport(kNtp, 1000);
  EXPECT_FALSE(sync.Update(a, audio, v, video).has_value());
  EXPECT_FALSE(sync.measured_offset().has_value());
  video.OnSenderReport(kNtp, 5000);
  EXPECT_TRUE(sync.Update(a, audio, v, video).has_value());
  EXPECT_EQ(sync.measured_offset(), TimeDelta::Zero());
}

TEST(StreamSynchronizerTest, MeasuresTheOffsetAndStepsAtMostMaxStep) {
  StreamSynchronizer sync;
  OneReportEach streams;
  const std::optional<Delays> d =
      sync.Update(streams.AudioPlayout(TimeDelta::Millis(60)), streams.audio,
                  streams.VideoPlayout(TimeDelta::Millis(180)), streams.video);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(sync.measured_offset(), TimeDelta::Millis(120));
  // Half of 120 ms is 60 ms, bounded to 40 ms; audio (earlier) waits.
  EXPECT_EQ(d->extra_audio, TimeDelta::Millis(40));
  EXPECT_EQ(d->extra_video, TimeDelta::Zero());
}

TEST(StreamSynchronizerTest, AudioWaitsForLaterVideo) {
  StreamSynchronizer sync;
  const std::vector<Delays> d =
      Converge(sync, TimeDelta::Millis(60), TimeDelta::Millis(180), /*updates=*/6);
  // Offsets seen: 120, 80, 40, 20, 10 (within the deadband), 10.
  EXPECT_EQ(AudioMs(d), (std::vector<int64_t>{40, 80, 100, 110, 110, 110}));
  EXPECT_EQ(VideoMs(d), (std::vector<int64_t>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(sync.measured_offset(), TimeDelta::Millis(10));
}

TEST(StreamSynchronizerTest, VideoWaitsForLaterAudio) {
  StreamSynchronizer sync;
  const std::vector<Delays> d =
      Converge(sync, TimeDelta::Millis(250), TimeDelta::Millis(50), /*updates=*/8);
  EXPECT_EQ(VideoMs(d), (std::vector<int64_t>{40, 80, 120, 160, 180, 190, 190, 190}));
  EXPECT_EQ(AudioMs(d), (std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(StreamSynchronizerTest, HoldsTheRequestWhileTheCallerHasNotAppliedIt) {
  StreamSynchronizer sync;
  const std::vector<Delays> d = Converge(sync, TimeDelta::Millis(60), TimeDelta::Millis(180),
                                         /*updates=*/5, /*apply=*/false);
  // No windup towards max_extra: the offset has not moved, so nothing more is asked.
  EXPECT_EQ(AudioMs(d), (std::vector<int64_t>{40, 40, 40, 40, 40}));
}

TEST(StreamSynchronizerTest, ExtraDelayIsBounded) {
  StreamSynchronizer sync({.max_extra = TimeDelta::Millis(100)});
  const std::vector<Delays> d =
      Converge(sync, TimeDelta::Millis(50), TimeDelta::Millis(3000), /*updates=*/5);
  EXPECT_EQ(AudioMs(d), (std::vector<int64_t>{40, 80, 100, 100, 100}));
  EXPECT_EQ(sync.measured_offset(), TimeDelta::Millis(2850));
}

TEST(StreamSynchronizerTest, ImplausibleOffsetIsNotActedOn) {
  StreamSynchronizer sync;
  const std::vector<Delays> d =
      Converge(sync, TimeDelta::Millis(50), TimeDelta::Seconds(30), /*updates=*/2);
  EXPECT_EQ(AudioMs(d), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(sync.measured_offset(), TimeDelta::Millis(29'950));
}

// --- A lesson in numbers -------------------------------------------------------------------
//
// The sender captures 20 ms audio frames (48 kHz RTP clock, 50 ppm fast against its NTP clock)
// and 30 fps video (90 kHz, 50 ppm slow); both RTP clocks wrap during the run. It sends an SR per
// stream every 5 s (RFC 3550 §6.2's minimum interval); they cross a 300 ms link. The receiver's
// clock is 20 ppm fast and 777 s off the sender's. Audio plays `audio_base` after capture plus its
// extra, video `video_base` plus its extra and a render jitter of up to ±6 ms. The extras in effect
// follow the requested ones at `slew` per second (infinite: at once). Every second the receiver
// updates the synchronizer with the last frame each stream played.

struct LipSyncScenario {
  TimeDelta audio_base = TimeDelta::Millis(60);
  TimeDelta video_base = TimeDelta::Millis(180);
  TimeDelta slew = TimeDelta::PlusInfinity();  // Per second.
  TimeDelta duration = TimeDelta::Seconds(120);
  // Extra transit of the k-th video SR.
  std::function<TimeDelta(int)> video_sr_delay = [](int) { return TimeDelta::Zero(); };
};

struct UpdateRecord {
  TimeDelta at;           // Sender time of the update.
  TimeDelta true_offset;  // Video minus audio delay in effect when measured.
  std::optional<TimeDelta> measured;
  std::optional<Delays> delays;
};

struct LipSyncRun {
  std::vector<UpdateRecord> updates;
  int video_reports_ignored = 0;
};

constexpr TimeDelta kOneWay = TimeDelta::Millis(300);
constexpr uint32_t kAudioRtpStart = 0xFFFFFFFFu - 48'000u * 10;  // Wraps 10 s in.
constexpr uint32_t kVideoRtpStart = 0xFFFFFFFFu - 90'000u * 25;  // Wraps 25 s in.

NtpTime SenderNtp(TimeDelta t) {
  return NtpTime::FromTimeSinceEpoch(TimeDelta::Seconds(int64_t{3'900'000'000}) + t);
}
uint32_t AudioRtp(TimeDelta t) {
  return kAudioRtpStart + static_cast<uint32_t>(std::llround(48'000 * (1 + 50e-6) * t.seconds_f()));
}
uint32_t VideoRtp(TimeDelta t) {
  return kVideoRtpStart + static_cast<uint32_t>(std::llround(90'000 * (1 - 50e-6) * t.seconds_f()));
}
Timestamp ReceiverClock(TimeDelta sender_time) { return kLocal + sender_time * (1 + 20e-6); }

TimeDelta MoveTowards(TimeDelta current, TimeDelta target, TimeDelta max_change) {
  return current + TimeDelta::Clamp(target - current, -max_change, max_change);
}

LipSyncRun RunLipSync(const LipSyncScenario& scenario) {
  struct Report {
    TimeDelta arrives;
    bool audio;
    TimeDelta sent;
  };
  std::vector<Report> reports;
  for (int k = 0; TimeDelta::Seconds(5 * k) < scenario.duration; ++k) {
    const TimeDelta audio_sent = TimeDelta::Millis(250 + 5000 * k);
    const TimeDelta video_sent = TimeDelta::Millis(750 + 5000 * k);
    reports.push_back({audio_sent + kOneWay, true, audio_sent});
    reports.push_back({video_sent + kOneWay + scenario.video_sr_delay(k), false, video_sent});
  }
  std::stable_sort(reports.begin(), reports.end(),
                   [](const Report& a, const Report& b) { return a.arrives < b.arrives; });

  RtpToNtpEstimator audio_ntp(48'000);
  RtpToNtpEstimator video_ntp(90'000);
  StreamSynchronizer sync;
  Delays requested;
  Delays applied;
  LipSyncRun run;
  size_t next_report = 0;
  constexpr TimeDelta kTick = TimeDelta::Millis(10);
  const TimeDelta max_change = scenario.slew * kTick.seconds_f();
  for (TimeDelta t = TimeDelta::Zero(); t <= scenario.duration; t += kTick) {
    for (; next_report < reports.size() && reports[next_report].arrives <= t; ++next_report) {
      const Report& r = reports[next_report];
      if (r.audio) {
        audio_ntp.OnSenderReport(SenderNtp(r.sent), AudioRtp(r.sent));
      } else if (!video_ntp.OnSenderReport(SenderNtp(r.sent), VideoRtp(r.sent))) {
        ++run.video_reports_ignored;
      }
    }
    applied.extra_audio = MoveTowards(applied.extra_audio, requested.extra_audio, max_change);
    applied.extra_video = MoveTowards(applied.extra_video, requested.extra_video, max_change);
    if (t < TimeDelta::Seconds(1) || t.us() % 1'000'000 != 0) continue;

    // The last frame each stream played, and when.
    const TimeDelta audio_delay = kOneWay + scenario.audio_base + applied.extra_audio;
    const TimeDelta video_delay = kOneWay + scenario.video_base + applied.extra_video;
    const int64_t audio_frame = (t - audio_delay).us() / 20'000;
    const TimeDelta audio_capture = TimeDelta::Micros(audio_frame * 20'000);
    const int64_t video_frame = (t - video_delay).us() * 30 / 1'000'000;
    const TimeDelta video_capture = TimeDelta::Micros(video_frame * 1'000'000 / 30);
    const TimeDelta render_jitter = TimeDelta::Millis((video_frame * 37) % 13 - 6);
    const Playout audio{AudioRtp(audio_capture), ReceiverClock(audio_capture + audio_delay)};
    const Playout video{VideoRtp(video_capture),
                        ReceiverClock(video_capture + video_delay + render_jitter)};

    UpdateRecord record{t, video_delay - audio_delay, std::nullopt, std::nullopt};
    record.delays = sync.Update(audio, audio_ntp, video, video_ntp);
    record.measured = sync.measured_offset();
    if (record.delays) requested = *record.delays;
    run.updates.push_back(record);
  }
  return run;
}

// Checks every update: bounded steps, one stream waiting at most, and the measurement right.
void ExpectWellBehaved(const LipSyncRun& run) {
  Delays previous;
  for (const UpdateRecord& u : run.updates) {
    if (!u.delays) continue;
    EXPECT_LE((u.delays->extra_audio - previous.extra_audio).Abs(), TimeDelta::Millis(40)) << u.at;
    EXPECT_LE((u.delays->extra_video - previous.extra_video).Abs(), TimeDelta::Millis(40)) << u.at;
    EXPECT_TRUE(u.delays->extra_audio.IsZero() || u.delays->extra_video.IsZero()) << u.at;
    ASSERT_TRUE(u.measured.has_value());
    // Render jitter (6 ms) plus the estimators' error.
    EXPECT_LE((*u.measured - u.true_offset).Abs(), TimeDelta::Micros(6'500)) << u.at;
    previous = *u.delays;
  }
}

// The first update (sender time) from which |offset| stays within `bound` to the end.
TimeDelta SettledAt(const LipSyncRun& run, TimeDelta bound) {
  TimeDelta settled = TimeDelta::PlusInfinity();
  for (const UpdateRecord& u : run.updates) {
    if (u.true_offset.Abs() > bound) {
      settled = TimeDelta::PlusInfinity();
    } else if (settled.IsPlusInfinity()) {
      settled = u.at;
    }
  }
  return settled;
}

TEST(StreamSynchronizerSimulationTest, ConvergesWithinSecondsAndStays) {
  const LipSyncRun run = RunLipSync({});
  ASSERT_EQ(run.updates.size(), 120u);
  // The video SR sent at 0.75 s arrives at 1.05 s: nothing to say at 1 s.
  EXPECT_FALSE(run.updates[0].delays.has_value());
  EXPECT_TRUE(run.updates[1].delays.has_value());
  ExpectWellBehaved(run);
  // 120 ms apart at first; within 45 ms (ITU-R BT.1359) from the third correction on.
  EXPECT_EQ(run.updates[1].true_offset, TimeDelta::Millis(120));
  EXPECT_LE(SettledAt(run, TimeDelta::Millis(45)), TimeDelta::Seconds(4));
  // Then within the deadband plus the render jitter, through both RTP wraps.
  EXPECT_LE(SettledAt(run, TimeDelta::Millis(16)), TimeDelta::Seconds(6));
  // Audio waits for video; video never waits.
  EXPECT_EQ(run.updates.back().delays->extra_video, TimeDelta::Zero());
  EXPECT_NEAR(run.updates.back().delays->extra_audio.ms(), 120, 16);
}

TEST(StreamSynchronizerSimulationTest, VideoWaitsWhenAudioIsTheLaterStream) {
  const LipSyncRun run =
      RunLipSync({.audio_base = TimeDelta::Millis(400), .video_base = TimeDelta::Millis(100)});
  ExpectWellBehaved(run);
  // 300 ms at 40 ms a step: eight updates.
  EXPECT_LE(SettledAt(run, TimeDelta::Millis(45)), TimeDelta::Seconds(10));
  EXPECT_EQ(run.updates.back().delays->extra_audio, TimeDelta::Zero());
  EXPECT_NEAR(run.updates.back().delays->extra_video.ms(), 300, 16);
}

TEST(StreamSynchronizerSimulationTest, SlowAudioBufferIsWaitedForNotOvershot) {
  // The audio buffer only reaches a raised minimum delay by stretching in pauses: 10 ms a
  // second, a quarter of max_step.
  const LipSyncRun run = RunLipSync({.slew = TimeDelta::Millis(10)});
  ExpectWellBehaved(run);
  // Closing 120 ms to 45 at 10 ms/s takes the buffer 8 s from the first request at 2 s.
  EXPECT_LE(SettledAt(run, TimeDelta::Millis(45)), TimeDelta::Seconds(11));
  for (const UpdateRecord& u : run.updates) {
    EXPECT_GE(u.true_offset, -TimeDelta::Millis(20)) << u.at;  // Never far past zero.
  }
}

TEST(StreamSynchronizerSimulationTest, LateSenderReportsChangeNothing) {
  const LipSyncRun on_time = RunLipSync({});
  // The video SR sent at 30.75 s comes 6 s late, after the next one (stale: ignored); those
  // sent at 40.75 and 45.75 s come 0.8 s late, still in order.
  const LipSyncRun late = RunLipSync({.video_sr_delay = [](int k) {
    if (k == 6) return TimeDelta::Seconds(6);
    if (k == 8 || k == 9) return TimeDelta::Millis(800);
    return TimeDelta::Zero();
  }});
  EXPECT_EQ(late.video_reports_ignored, 1);
  ExpectWellBehaved(late);
  ASSERT_EQ(late.updates.size(), on_time.updates.size());
  // The measurement error (not the measurement: a microsecond at the deadband's edge may send
  // the two runs different ways) stays what it was with every SR on time.
  for (size_t i = 0; i < late.updates.size(); ++i) {
    const UpdateRecord& a = late.updates[i];
    const UpdateRecord& b = on_time.updates[i];
    ASSERT_EQ(a.measured.has_value(), b.measured.has_value());
    if (!a.measured) continue;
    EXPECT_LE(((*a.measured - a.true_offset) - (*b.measured - b.true_offset)).Abs(),
              TimeDelta::Micros(100))
        << a.at;
  }
  EXPECT_LE(SettledAt(late, TimeDelta::Millis(45)), TimeDelta::Seconds(4));
}

}  // namespace
}  // namespace comodal::engine
