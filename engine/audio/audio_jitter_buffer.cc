#include "engine/audio/audio_jitter_buffer.h"

#include <algorithm>

namespace comodal::engine {
namespace {

// Past this many packets something is wrong with the sender (timestamps far in the future):
// new packets are refused rather than letting memory grow.
constexpr size_t kMaxPackets = 1000;
// Catching up skips speech only when the buffer is this many frames above the target; nearer
// the target only silent frames are skipped (a skipped syllable is audible, a skipped pause is
// not).
constexpr int kSpeechSkipFrames = 3;
// An Opus packet this small is a DTX frame: the encoder has nothing to say (RFC 6716 §2.1.9).
constexpr size_t kMaxDtxPacketSize = 2;
// Frames played without their packet that a late redundant copy is still matched against: RED
// carries copies at most a few frames old.
constexpr size_t kMaxMissed = 16;

}  // namespace

AudioJitterBuffer::AudioJitterBuffer(AudioJitterBufferConfig config)
    : config_(config),
      transit_(config.jitter_quantile, config.jitter_window),
      target_(config.min_delay) {}

int64_t AudioJitterBuffer::FrameTicks() const {
  return config_.frame.us() * config_.clock_rate / 1'000'000;
}

TimeDelta AudioJitterBuffer::Ticks(int64_t ticks) const {
  return TimeDelta::Micros(ticks * 1'000'000 / config_.clock_rate);
}

TimeDelta AudioJitterBuffer::buffered() const {
  if (!started_ || packets_.empty()) return TimeDelta::Zero();
  return Ticks(packets_.rbegin()->first + FrameTicks() - playout_);
}

void AudioJitterBuffer::UpdateTarget(int64_t timestamp, Timestamp arrival) {
  transit_.Update(Ticks(timestamp), arrival);
  Retarget();
}

void AudioJitterBuffer::SetExtraDelay(TimeDelta extra) {
  extra_delay_ = std::max(extra, TimeDelta::Zero());
  Retarget();
}

void AudioJitterBuffer::Retarget() {
  target_ =
      std::clamp(transit_.jitter_delay(), config_.min_delay, config_.max_delay) + extra_delay_;
}

void AudioJitterBuffer::Insert(uint32_t rtp_timestamp, std::vector<uint8_t> payload, bool speech,
                               Timestamp arrival) {
  const int64_t timestamp = unwrapper_.Unwrap(rtp_timestamp);
  ++stats_.packets_inserted;
  // Late packets still teach the jitter estimate how late packets come.
  UpdateTarget(timestamp, arrival);
  if (started_ && timestamp < playout_) {
    ++stats_.packets_late;
    return;
  }
  if (packets_.contains(timestamp)) {
    ++stats_.packets_duplicate;
    return;
  }
  if (packets_.size() >= kMaxPackets) {
    ++stats_.packets_overflow;
    return;
  }
  packets_.emplace(timestamp, Packet{std::move(payload), speech});
}

void AudioJitterBuffer::InsertRedundant(uint32_t rtp_timestamp, std::vector<uint8_t> payload,
                                        bool speech, Timestamp arrival) {
  const int64_t timestamp = unwrapper_.Unwrap(rtp_timestamp);
  if (started_ && timestamp < playout_) {
    if (std::find(missed_.begin(), missed_.end(), timestamp) == missed_.end()) return;
    ++stats_.redundant_late;
    UpdateTarget(timestamp, arrival);
    return;
  }
  if (packets_.contains(timestamp) || packets_.size() >= kMaxPackets) return;
  ++stats_.redundant_used;
  UpdateTarget(timestamp, arrival);
  packets_.emplace(timestamp, Packet{std::move(payload), speech});
}

void AudioJitterBuffer::GiveUp() {
  missed_.push_back(playout_);
  if (missed_.size() > kMaxMissed) missed_.pop_front();
  playout_ += FrameTicks();
}

PlayoutDecision AudioJitterBuffer::Pull(Timestamp now) {
  PlayoutDecision decision;
  decision.duration = config_.frame;
  if (!transit_.base_transit()) return decision;  // Nothing received yet.
  const TimeDelta base = *transit_.base_transit();
  // How long after its media time (plus the fastest transit) the frame at the playout point
  // would be played now.
  auto delay_of = [&](int64_t timestamp) {
    return now - (Timestamp::Zero() + Ticks(timestamp)) - base;
  };
  if (!started_) {
    if (packets_.empty() || delay_of(packets_.begin()->first) < target_) return decision;
    started_ = true;
    playout_ = packets_.begin()->first;
  }

  // Catch up when the buffer holds more than the target: skip the frame at the playout point
  // (silent ones at one frame above target, speech only well above it or past max_delay).
  const int64_t frame = FrameTicks();
  while (true) {
    const TimeDelta excess = delay_of(playout_) - target_;
    auto it = packets_.find(playout_);
    if (excess < config_.frame || it == packets_.end() || !packets_.contains(playout_ + frame)) {
      break;
    }
    const bool speech = it->second.speech;
    const bool over_max = delay_of(playout_) > config_.max_delay + config_.frame;
    if (speech && excess < config_.frame * kSpeechSkipFrames && !over_max) break;
    packets_.erase(it);
    playout_ += frame;
    ++stats_.frames_skipped;
    stats_.frames_skipped_speech += speech;
  }

  auto it = packets_.find(playout_);
  if (it == packets_.end()) {
    // A packet inside this frame's slot but off the grid: the sender's timestamps moved by less
    // than a frame (an encoder's pre-skip shifts the first packet: GStreamer's opusenc starts 312
    // samples early). Follow the sender's grid from here.
    auto next = packets_.upper_bound(playout_);
    if (next != packets_.end() && next->first < playout_ + frame) {
      playout_ = next->first;
      it = next;
    }
  }
  decision.rtp_timestamp = static_cast<uint32_t>(playout_);
  if (it != packets_.end()) {
    // Below target with a silent frame in hand: play comfort noise in its place and keep it,
    // which adds a frame of delay where nobody hears it.
    if (!it->second.speech && delay_of(playout_) < target_ - config_.frame) {
      decision.kind = PlayoutDecision::Kind::kComfortNoise;
      ++stats_.frames_comfort_noise;
      return decision;
    }
    decision.kind = PlayoutDecision::Kind::kDecode;
    in_dtx_ = it->second.payload.size() <= kMaxDtxPacketSize;
    decision.payload = std::move(it->second.payload);
    packets_.erase(it);
    playout_ += frame;
    ++stats_.frames_decoded;
    return decision;
  }
  auto next = packets_.upper_bound(playout_);
  if (in_dtx_) {
    // The sender said it went silent (RFC 7587 §3.1.3 DTX): nothing is missing until its next
    // packet, and the playout point moves on with the clock.
    decision.kind = PlayoutDecision::Kind::kComfortNoise;
    ++stats_.frames_comfort_noise;
    playout_ += frame;
    return decision;
  }
  if (next == packets_.end()) {
    // Ran dry: the packet may still come. Conceal without advancing, unless that would push the
    // delay past its bound (then the frame is given up).
    ++stats_.frames_concealed;
    decision.kind = PlayoutDecision::Kind::kConceal;
    if (delay_of(playout_) + config_.frame <= config_.max_delay) {
      ++stats_.frames_stretched;
    } else {
      GiveUp();
    }
    return decision;
  }
  if (next->first == playout_ + frame) {
    // The next packet is here and this one is not: it is lost; its FEC copy rides in the next.
    decision.kind = PlayoutDecision::Kind::kDecodeFec;
    decision.payload = next->second.payload;
    ++stats_.frames_fec;
  } else {
    decision.kind = PlayoutDecision::Kind::kConceal;  // Lost, or a DTX pause.
    ++stats_.frames_concealed;
  }
  GiveUp();
  return decision;
}

}  // namespace comodal::engine
