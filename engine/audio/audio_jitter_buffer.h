#ifndef ENGINE_AUDIO_AUDIO_JITTER_BUFFER_H_
#define ENGINE_AUDIO_AUDIO_JITTER_BUFFER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "engine/timing/transit_delay_estimator.h"
#include "transport/rtp/sequence_number.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

struct AudioJitterBufferConfig {
  int clock_rate = 48000;                            // RTP clock (Opus: always 48 kHz).
  TimeDelta frame = TimeDelta::Millis(20);           // Playout step: one Pull() per frame.
  TimeDelta min_delay = TimeDelta::Millis(20);       // Never plan less buffering than this...
  TimeDelta max_delay = TimeDelta::Millis(400);      // ...or more: the target is bounded.
  double jitter_quantile = 0.97;                     // Share of packets the target waits for.
  TimeDelta jitter_window = TimeDelta::Seconds(10);  // Memory of the delay statistics.
};

// What to play for the next frame.
struct PlayoutDecision {
  enum class Kind : uint8_t {
    kDecode,     // Decode `payload`.
    kDecodeFec,  // The packet is lost; rebuild it from the FEC inside `payload` (the next one).
    kConceal,    // Nothing to decode: packet loss concealment.
    // The sender is silent (it sent a DTX frame and nothing since): comfort noise, nothing lost.
    kComfortNoise,
    kNothing,  // Not started yet: play silence, no decoder call.
  };
  Kind kind = Kind::kNothing;
  std::vector<uint8_t> payload;
  uint32_t rtp_timestamp = 0;  // Of the frame played.
  TimeDelta duration = TimeDelta::Zero();
};

// The receive-side audio buffer: holds packets by RTP timestamp, plays them at a delay that
// covers the measured jitter (the `jitter_quantile` of how much later than the earliest packet
// in `jitter_window` each packet arrived) and stays within [min_delay, max_delay], so a few
// outliers cannot make it drift by seconds. A missing packet is rebuilt from the next packet's
// FEC when that is there, else concealed. When the buffer holds more than the target (after a
// burst or once jitter calms down) it catches up by skipping frames, silent ones first, and when
// it runs dry it stretches by concealing without advancing - so the delay follows the target
// and never drifts.
//
// A pure state machine: Insert() and Pull() carry their time; the caller pulls once per frame.
class AudioJitterBuffer {
 public:
  struct Stats {
    uint64_t packets_inserted = 0;
    uint64_t packets_late = 0;  // Arrived after their playout time: discarded.
    uint64_t packets_duplicate = 0;
    uint64_t packets_overflow = 0;  // Dropped because the buffer exceeded max_delay.
    uint64_t frames_decoded = 0;
    uint64_t frames_fec = 0;
    uint64_t frames_concealed = 0;       // Lost (skipped over) or stretched.
    uint64_t frames_stretched = 0;       // Of which: concealed without advancing (buffer ran dry).
    uint64_t frames_skipped = 0;         // Dropped to catch up with the target.
    uint64_t frames_skipped_speech = 0;  // Of which carried speech.
    uint64_t frames_comfort_noise = 0;   // A DTX pause, or a silent frame held to add delay.
    // Redundant copies (RFC 2198 RED) of frames whose own packet had not come: in time to play,
    // and too late (the frame had been concealed or rebuilt from FEC).
    uint64_t redundant_used = 0;
    uint64_t redundant_late = 0;
  };

  explicit AudioJitterBuffer(AudioJitterBufferConfig config = {});

  // `speech` says whether the packet carries active speech (an Opus packet's VAD flag): silent
  // frames are skipped first when catching up.
  void Insert(uint32_t rtp_timestamp, std::vector<uint8_t> payload, bool speech, Timestamp arrival);
  // A redundant copy of an earlier frame, carried in a later packet (RED). It fills the frame's
  // place if its own packet has not come, and then teaches the delay estimate how late the frame
  // became available, as a late packet does; a copy of a frame that did come changes nothing.
  void InsertRedundant(uint32_t rtp_timestamp, std::vector<uint8_t> payload, bool speech,
                       Timestamp arrival);
  PlayoutDecision Pull(Timestamp now);

  // The delay the buffer aims at (jitter cover, bounded), and what it holds now: audio buffered
  // ahead of the playout point.
  TimeDelta target_delay() const { return target_; }
  // Delay added on top of the jitter cover, to play in step with another stream (lip sync).
  void SetExtraDelay(TimeDelta extra);
  TimeDelta buffered() const;
  bool empty() const { return packets_.empty(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Packet {
    std::vector<uint8_t> payload;
    bool speech = false;
  };
  TimeDelta Ticks(int64_t ticks) const;
  int64_t FrameTicks() const;
  void UpdateTarget(int64_t timestamp, Timestamp arrival);
  void Retarget();  // target_ from the jitter cover, the bounds and the extra delay.
  // Moves past the frame at the playout point, which played without its packet.
  void GiveUp();

  AudioJitterBufferConfig config_;
  SeqNumUnwrapper<uint32_t> unwrapper_;
  TransitDelayEstimator transit_;
  std::map<int64_t, Packet> packets_;  // By unwrapped RTP timestamp.
  bool started_ = false;
  int64_t playout_ = 0;  // Unwrapped RTP timestamp of the next frame to play.
  TimeDelta target_;
  TimeDelta extra_delay_ = TimeDelta::Zero();
  bool in_dtx_ = false;  // The last frame decoded was a DTX frame.
  // The last few frames played without their packet (concealed or rebuilt from FEC).
  std::deque<int64_t> missed_;
  Stats stats_;
};

}  // namespace comodal::engine

#endif  // ENGINE_AUDIO_AUDIO_JITTER_BUFFER_H_
