#include "engine/audio/audio_jitter_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "transport/link/random.h"

namespace comodal::engine {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(1000);
constexpr TimeDelta kFrame = TimeDelta::Millis(20);

struct Outcome {
  AudioJitterBuffer::Stats stats;
  std::vector<TimeDelta> buffer_delay;  // Playout time - arrival time, per decoded frame.
  std::vector<TimeDelta> target;        // Per pull.
  int64_t frames_advanced = 0;          // Frames whose media time the playout moved past.
};

// A sender emits a 20 ms Opus frame every 20 ms for `seconds` (talkspurts of 1 s every 1.5 s are
// speech, the rest silence); `arrival(i, sent)` says when frame i arrives (or never: -inf). The
// receiver pulls every 20 ms, 7 ms out of phase with the sender.
Outcome Simulate(int seconds, const std::function<Timestamp(int, Timestamp)>& arrival,
                 AudioJitterBufferConfig config = {}, uint32_t first_timestamp = 1234) {
  AudioJitterBuffer buffer(config);
  struct Event {
    Timestamp at;
    int frame;
  };
  std::vector<Event> arrivals;
  const int frames = seconds * 50;
  for (int i = 0; i < frames; ++i) {
    const Timestamp at = arrival(i, kStart + kFrame * i);
    if (at.IsFinite()) arrivals.push_back({at, i});
  }
  std::stable_sort(arrivals.begin(), arrivals.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  std::vector<Timestamp> arrived_at(static_cast<size_t>(frames), Timestamp::PlusInfinity());
  Outcome outcome;
  size_t next = 0;
  const Timestamp end = kStart + TimeDelta::Seconds(seconds + 3);
  auto advanced = [&] {
    const auto& st = buffer.stats();
    return static_cast<int64_t>(st.frames_decoded + st.frames_fec +
                                (st.frames_concealed - st.frames_stretched) + st.frames_skipped);
  };
  // Until the playout point has passed the last frame sent (the stream's end is not a gap).
  for (Timestamp now = kStart + TimeDelta::Millis(7); now < end && advanced() < frames;
       now += kFrame) {
    while (next < arrivals.size() && arrivals[next].at <= now) {
      const int i = arrivals[next].frame;
      arrived_at[static_cast<size_t>(i)] = arrivals[next].at;
      const bool speech = (i % 75) < 50;
      // Four bytes: anything of two or fewer is a DTX frame.
      buffer.Insert(first_timestamp + static_cast<uint32_t>(960 * i),
                    {static_cast<uint8_t>(i), 0xAA, 0xBB, 0xCC}, speech, arrivals[next].at);
      ++next;
    }
    const uint32_t before = buffer.stats().frames_decoded;
    const PlayoutDecision d = buffer.Pull(now);
    if (d.kind == PlayoutDecision::Kind::kDecode && buffer.stats().frames_decoded > before) {
      const int i = static_cast<int>((d.rtp_timestamp - first_timestamp) / 960);
      outcome.buffer_delay.push_back(now - arrived_at[static_cast<size_t>(i)]);
    }
    outcome.target.push_back(buffer.target_delay());
  }
  outcome.stats = buffer.stats();
  outcome.frames_advanced = advanced();
  return outcome;
}

TimeDelta Percentile(std::vector<TimeDelta> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

TEST(AudioJitterBufferTest, SteadyLinkPlaysEveryFrameAtTheMinimumDelay) {
  // GEO propagation, no jitter: the 300 ms are the link's, the buffer adds one frame at most.
  auto out = Simulate(30, [](int, Timestamp sent) { return sent + TimeDelta::Millis(300); });
  EXPECT_EQ(out.stats.frames_decoded, 1500u);
  EXPECT_EQ(out.stats.frames_concealed, 0u);
  EXPECT_EQ(out.stats.packets_late, 0u);
  EXPECT_LE(Percentile(out.buffer_delay, 1.0), TimeDelta::Millis(40));
  EXPECT_EQ(out.target.back(), TimeDelta::Millis(20));
}

TEST(AudioJitterBufferTest, TargetCoversTheJitterAndFewPacketsComeLate) {
  link::Random random(3);
  auto out = Simulate(60, [&](int, Timestamp sent) {
    return sent + TimeDelta::Millis(300) + TimeDelta::Millis(60) * random.Uniform();
  });
  // 97 % of a uniform 0-60 ms spread: about 58 ms.
  EXPECT_NEAR(out.target.back().ms(), 58, 4);
  EXPECT_LT(out.stats.packets_late, 3000u * 4 / 100);
  EXPECT_LT(out.stats.frames_concealed, 3000u * 5 / 100);
  // What the buffer adds stays near the target (no drift), bounded by target + a frame or two.
  EXPECT_LE(Percentile(out.buffer_delay, 0.95), out.target.back() + TimeDelta::Millis(40));
}

// A few packets held for seconds (a peer that waited for them drifted by seconds): the target
// stays bounded, those packets are given up as late.
TEST(AudioJitterBufferTest, RareHugeDelaysDoNotInflateTheTarget) {
  link::Random random(4);
  auto rare = Simulate(60, [&](int, Timestamp sent) {
    const bool outlier = random.Uniform() < 0.01;
    return sent + TimeDelta::Millis(300) +
           (outlier ? TimeDelta::Seconds(2) : TimeDelta::Millis(10) * random.Uniform());
  });
  EXPECT_LE(rare.target.back(), TimeDelta::Millis(20));
  EXPECT_NEAR(static_cast<double>(rare.stats.packets_late), 30, 15);
  link::Random random2(5);
  auto frequent = Simulate(60, [&](int, Timestamp sent) {
    const bool outlier = random2.Uniform() < 0.1;
    return sent + TimeDelta::Millis(300) +
           (outlier ? TimeDelta::Seconds(2) : TimeDelta::Millis(10) * random2.Uniform());
  });
  for (TimeDelta target : frequent.target) EXPECT_LE(target, TimeDelta::Millis(400));
  EXPECT_LE(Percentile(frequent.buffer_delay, 1.0), TimeDelta::Millis(400) + TimeDelta::Millis(60));
}

// One second of packets held back and then delivered at once (a modem flushing after a fade):
// the buffer conceals through the hole, then catches up, silent frames first, and ends at the
// delay it had before - every frame's media time played through exactly once, no drift.
TEST(AudioJitterBufferTest, CatchesUpAfterABurstWithoutDrift) {
  auto out = Simulate(40, [](int i, Timestamp sent) {
    const Timestamp normal = sent + TimeDelta::Millis(300);
    if (i >= 500 && i < 550) return kStart + TimeDelta::Seconds(11) + TimeDelta::Millis(300);
    return normal;
  });
  EXPECT_GT(out.stats.frames_stretched, 10u);
  EXPECT_GT(out.stats.frames_skipped, 10u);
  // Speech is skipped only while far above target.
  EXPECT_LT(out.stats.frames_skipped_speech, out.stats.frames_skipped);
  // Every frame's media time was played through exactly once (decoded, rebuilt, concealed as
  // lost, or skipped), and stretching added as many frames as skipping removed: no drift.
  EXPECT_EQ(out.frames_advanced, 2000);
  // The hole (1 s) was longer than max_delay (400 ms): the buffer stretched up to its bound, then
  // gave up the frames beyond it, which arrived late; about 600 ms of them.
  const uint64_t given_up = out.stats.frames_concealed - out.stats.frames_stretched;
  EXPECT_EQ(out.stats.packets_late, given_up);
  EXPECT_NEAR(static_cast<double>(given_up), 30, 3);
  // Well after the burst, the buffer adds what it added before it.
  const std::vector<TimeDelta> late(out.buffer_delay.end() - 200, out.buffer_delay.end());
  EXPECT_LE(Percentile(late, 1.0), TimeDelta::Millis(40));
}

TEST(AudioJitterBufferTest, LostPacketsAreRebuiltFromTheNextPacketsFec) {
  link::Random random(6);
  int lost = 0;
  auto out = Simulate(60, [&](int i, Timestamp sent) {
    // Isolated losses (never two in a row), 3 %.
    if (i % 2 == 1 && random.Uniform() < 0.06) {
      ++lost;
      return Timestamp::MinusInfinity();
    }
    return sent + TimeDelta::Millis(300);
  });
  EXPECT_GT(lost, 50);
  EXPECT_EQ(out.stats.frames_fec, static_cast<uint64_t>(lost));
  EXPECT_EQ(out.stats.frames_decoded, 3000u - lost);
}

TEST(AudioJitterBufferTest, RtpTimestampWrapIsSeamless) {
  auto out = Simulate(
      10, [](int, Timestamp sent) { return sent + TimeDelta::Millis(50); }, {},
      0xFFFFFFFFu - 960 * 100);
  EXPECT_EQ(out.stats.frames_decoded, 500u);
  EXPECT_EQ(out.stats.frames_concealed, 0u);
}

// A talker pauses: the sender sends one DTX frame and nothing for a second. The buffer plays
// comfort noise with the clock (no concealment counted, no stretching), so the first frame of the
// next talkspurt plays at the same delay as the frames before the pause.
TEST(AudioJitterBufferTest, DtxPauseIsComfortNoiseNotLossAndAddsNoDelay) {
  AudioJitterBuffer buffer;
  const std::vector<uint8_t> speech = {0x78, 1, 2, 3, 4};
  const std::vector<uint8_t> dtx = {0x78};
  std::vector<TimeDelta> delays;
  for (int i = 0; i < 150; ++i) {
    const Timestamp sent = kStart + kFrame * i;
    const bool pause = i >= 50 && i < 100;
    if (!pause || i == 50) {
      buffer.Insert(static_cast<uint32_t>(960 * i), pause ? dtx : speech, !pause,
                    sent + TimeDelta::Millis(300));
    }
    const Timestamp now = sent + TimeDelta::Millis(305);
    const PlayoutDecision d = buffer.Pull(now);
    if (d.kind == PlayoutDecision::Kind::kDecode && d.payload.size() > 2) {
      delays.push_back(now - (kStart + kFrame * static_cast<int64_t>(d.rtp_timestamp / 960)));
    }
  }
  EXPECT_EQ(buffer.stats().frames_concealed, 0u);
  EXPECT_GE(buffer.stats().frames_comfort_noise, 48u);
  EXPECT_EQ(buffer.stats().frames_stretched, 0u);
  ASSERT_GT(delays.size(), 90u);
  EXPECT_EQ(delays.front(), delays.back());
}

TEST(AudioJitterBufferTest, DuplicatesAndStalePacketsChangeNothing) {
  AudioJitterBuffer buffer;
  buffer.Insert(960, {1}, true, kStart);
  buffer.Insert(960, {9}, true, kStart);  // Duplicate: the first copy stays.
  auto d = buffer.Pull(kStart + TimeDelta::Millis(20));
  ASSERT_EQ(d.kind, PlayoutDecision::Kind::kDecode);
  EXPECT_EQ(d.payload, std::vector<uint8_t>{1});
  buffer.Insert(0, {0}, true, kStart + TimeDelta::Millis(21));  // Before the playout point.
  EXPECT_EQ(buffer.stats().packets_duplicate, 1u);
  EXPECT_EQ(buffer.stats().packets_late, 1u);
}

// RED (RFC 2198) with one copy: packet i carries frame i and a copy of frame i-1. At 10 % random
// loss with 0-10 ms of jitter, every frame whose own packet or the next one came is played from
// a real frame (the buffer, run dry, waits for the copy rather than giving the frame up); copies
// of frames that came change nothing.
TEST(AudioJitterBufferTest, RedundantCopiesFillLostFrames) {
  {
    link::Random random(8);
    AudioJitterBuffer buffer;
    constexpr int kFrames = 3000;
    struct Arrival {
      Timestamp at;
      int frame;
    };
    std::vector<Arrival> arrivals;
    std::vector<bool> lost(kFrames);
    for (int i = 0; i < kFrames; ++i) {
      lost[i] = random.Bernoulli(0.1);
      if (lost[i]) continue;
      const auto jitter = TimeDelta::Micros(static_cast<int64_t>(random.Uniform() * 10'000));
      arrivals.push_back({kStart + kFrame * i + TimeDelta::Millis(300) + jitter, i});
    }
    std::stable_sort(arrivals.begin(), arrivals.end(),
                     [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
    // Among the frames played before the end: lost, and lost with the packet after it.
    constexpr int kPlayed = kFrames - 20;
    int lost_count = 0;
    int unrecoverable = 0;
    for (int i = 0; i < kPlayed; ++i) {
      lost_count += lost[i];
      unrecoverable += lost[i] && lost[i + 1];
    }
    size_t next = 0;
    for (Timestamp now = kStart + TimeDelta::Millis(7); now < kStart + kFrame * (kFrames - 10);
         now += kFrame) {
      for (; next < arrivals.size() && arrivals[next].at <= now; ++next) {
        const int i = arrivals[next].frame;
        if (i > 0) {
          buffer.InsertRedundant(960 * static_cast<uint32_t>(i - 1),
                                 {static_cast<uint8_t>(i - 1), 0xAA, 0xBB, 0xCC}, true,
                                 arrivals[next].at);
        }
        // Four bytes: two or fewer would be a DTX frame.
        buffer.Insert(960 * static_cast<uint32_t>(i), {static_cast<uint8_t>(i), 0xAA, 0xBB, 0xCC},
                      true, arrivals[next].at);
      }
      (void)buffer.Pull(now);
    }
    const auto& stats = buffer.stats();
    ASSERT_GT(lost_count, 250);
    ASSERT_GT(unrecoverable, 15);
    // Every lost frame whose next packet came was played from its copy (bar a few at the start,
    // before the playout began, and at the end).
    EXPECT_GE(stats.redundant_used, static_cast<uint64_t>(lost_count - unrecoverable - 3));
    EXPECT_LE(stats.redundant_used, static_cast<uint64_t>(lost_count + 5));
    // Concealed: the frames lost with their copy, and a waiting frame now and then.
    EXPECT_LE(stats.frames_concealed - stats.frames_stretched,
              static_cast<uint64_t>(unrecoverable));
    EXPECT_LE(stats.frames_concealed, static_cast<uint64_t>(unrecoverable + kFrames / 100));
    EXPECT_GE(stats.frames_decoded, static_cast<uint64_t>(kPlayed - unrecoverable - 10));
  }
}

}  // namespace
}  // namespace comodal::engine
