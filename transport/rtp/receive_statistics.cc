#include "transport/rtp/receive_statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "transport/rtp/sequence_number.h"

namespace comodal {
namespace {

// A transit-time difference this large (in seconds of media time) is the sender's timeline
// jumping (a restart, a new capture clock), not network jitter: letting it into the estimate
// would inflate the reported jitter for minutes.
constexpr int64_t kMaxTransitJumpSeconds = 10;

// `at` on a clock of `clock_rate` ticks per second, rounded to the nearest tick. Only
// differences between two such values mean anything, so the 32-bit truncation is harmless.
uint32_t ToRtpTicks(Timestamp at, int clock_rate) {
  const int64_t us = at.us();
  int64_t seconds = us / 1'000'000;
  int64_t rest = us % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    --seconds;
  }
  return static_cast<uint32_t>(seconds * clock_rate + (rest * clock_rate + 500'000) / 1'000'000);
}

}  // namespace

StreamReceiveStatistics::StreamReceiveStatistics(uint32_t ssrc, int clock_rate)
    : ssrc_(ssrc), clock_rate_(std::max(clock_rate, 1)) {}

bool StreamReceiveStatistics::Seen(int64_t extended) const {
  const uint64_t slot = static_cast<uint64_t>(extended) % kWindow;
  return (seen_[slot / 64] >> (slot % 64)) & 1;
}

void StreamReceiveStatistics::MarkSeen(int64_t extended) {
  const uint64_t slot = static_cast<uint64_t>(extended) % kWindow;
  seen_[slot / 64] |= uint64_t{1} << (slot % 64);
}

void StreamReceiveStatistics::AdvanceTo(int64_t extended) {
  if (extended - max_ >= kWindow) {
    seen_.fill(0);
  } else {
    for (int64_t e = max_ + 1; e <= extended; ++e) {
      const uint64_t slot = static_cast<uint64_t>(e) % kWindow;
      seen_[slot / 64] &= ~(uint64_t{1} << (slot % 64));
    }
  }
  max_ = extended;
}

void StreamReceiveStatistics::Restart(uint16_t sequence_number) {
  // RFC 3550 §A.1 re-initialises the source here; the counts carry on instead, so that the
  // report's cumulative loss and extended highest sequence number never step back (a sender
  // reading them would otherwise see negative loss).
  expected_before_ += max_ - base_ + 1;
  const int64_t restart =
      max_ + 1 + static_cast<uint16_t>(sequence_number - static_cast<uint16_t>(max_ + 1));
  seen_.fill(0);
  base_ = restart;
  max_ = restart;
  MarkSeen(restart);
  ++received_;
  bytes_ += jump_size_;
  jump_.reset();
  // The RTP timestamps most likely jumped as well.
  last_transit_.reset();
}

void StreamReceiveStatistics::UpdateJitter(uint32_t rtp_timestamp, Timestamp arrival) {
  const uint32_t transit = ToRtpTicks(arrival, clock_rate_) - rtp_timestamp;
  if (last_transit_) {
    const int64_t d = std::abs(int64_t{static_cast<int32_t>(transit - *last_transit_)});
    // RFC 3550 §6.4.1: J(i) = J(i-1) + (|D(i-1,i)| - J(i-1)) / 16, the gain of 1/16 giving a
    // good noise reduction ratio while converging in reasonable time.
    if (d <= kMaxTransitJumpSeconds * clock_rate_) {
      jitter_ += (static_cast<double>(d) - jitter_) / 16.0;
    }
  }
  last_transit_ = transit;
}

void StreamReceiveStatistics::OnRtpPacket(uint16_t sequence_number, uint32_t rtp_timestamp,
                                          size_t packet_size, Timestamp arrival,
                                          bool retransmission) {
  auto count = [&](int64_t extended) {
    MarkSeen(extended);
    ++received_;
    bytes_ += packet_size;
    if (!retransmission) UpdateJitter(rtp_timestamp, arrival);
  };

  if (!started_) {
    started_ = true;
    base_ = max_ = sequence_number;
    count(max_);
    return;
  }
  const int64_t delta = SeqNumDiff<uint16_t>(sequence_number, static_cast<uint16_t>(max_));
  if (delta > 0 && delta < kMaxDropout) {
    AdvanceTo(max_ + delta);
    count(max_);
    return;
  }
  if (delta <= 0 && delta >= -kMaxMisorder) {
    const int64_t extended = max_ + delta;
    if (Seen(extended)) {
      ++duplicates_;
      return;
    }
    base_ = std::min(base_, extended);
    count(extended);
    return;
  }
  // RFC 3550 §A.1: a jump is believed only when the packet after it follows it.
  if (jump_ && sequence_number == static_cast<uint16_t>(*jump_ + 1)) {
    Restart(*jump_);
    AdvanceTo(max_ + 1);
    count(max_);
    return;
  }
  jump_ = sequence_number;
  jump_size_ = packet_size;
}

void StreamReceiveStatistics::OnSenderReport(NtpTime ntp, Timestamp arrival) {
  last_sr_ = ntp.ToCompact();
  last_sr_arrival_ = arrival;
}

int64_t StreamReceiveStatistics::cumulative_lost() const {
  return Expected() - static_cast<int64_t>(received_);
}

TimeDelta StreamReceiveStatistics::jitter() const {
  return TimeDelta::Seconds(jitter_ / clock_rate_);
}

rtcp::ReportBlock StreamReceiveStatistics::MakeReportBlock(Timestamp now) {
  rtcp::ReportBlock block;
  block.source_ssrc = ssrc_;
  if (started_) {
    // RFC 3550 §A.3: the fraction is over this interval only, and 0 when duplicates made the
    // interval's loss negative.
    const int64_t expected = Expected();
    const int64_t expected_interval = expected - expected_prior_;
    const int64_t received_interval = static_cast<int64_t>(received_ - received_prior_);
    const int64_t lost_interval = expected_interval - received_interval;
    if (expected_interval > 0 && lost_interval > 0) {
      block.fraction_lost =
          static_cast<uint8_t>(std::min<int64_t>((lost_interval << 8) / expected_interval, 255));
    }
    expected_prior_ = expected;
    received_prior_ = received_;
    block.cumulative_lost = static_cast<int32_t>(
        std::clamp<int64_t>(cumulative_lost(), rtcp::ReportBlock::kMinCumulativeLost,
                            rtcp::ReportBlock::kMaxCumulativeLost));
    block.extended_highest_sequence = extended_highest_sequence();
    block.jitter = static_cast<uint32_t>(std::llround(jitter_));
  }
  if (last_sr_) {
    // RFC 3550 §6.4.1: LSR and DLSR stay 0 until an SR has been received.
    block.last_sr = *last_sr_;
    block.delay_since_last_sr = TimeDeltaToCompactNtp(now - last_sr_arrival_);
  }
  return block;
}

}  // namespace comodal
