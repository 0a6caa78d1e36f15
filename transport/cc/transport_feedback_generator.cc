#include "transport/cc/transport_feedback_generator.h"

#include <algorithm>
#include <cstdlib>

namespace comodal {
namespace {

constexpr int64_t kRestartDistance = 1 << 14;
constexpr TimeDelta kRestartSilence = TimeDelta::Seconds(1);

}  // namespace

TransportFeedbackGenerator::TransportFeedbackGenerator(uint32_t sender_ssrc, uint32_t media_ssrc,
                                                       Config config)
    : config_(config), ssrcs_{sender_ssrc, media_ssrc}, interval_(config.max_interval) {}

void TransportFeedbackGenerator::OnPacket(uint16_t transport_sequence_number, DataSize size,
                                          Timestamp arrival) {
  const int64_t sequence = unwrapper_.Unwrap(transport_sequence_number);
  // Reporting runs at most a few hundred packets behind the newest arrival. A packet a quarter
  // of the number space away from it, or behind it after a silence, comes after an outage
  // through which the sender went on numbering (an hour of audio is several wraps of 16 bits):
  // its number says nothing about how many were lost, and read as behind it would be taken for
  // one already reported, and every packet after it too. Reporting starts again from it.
  const int64_t distance = sequence - next_to_report_;
  if (next_to_report_ >= 0 && (std::abs(distance) > kRestartDistance ||
                               (distance < 0 && arrival - last_arrival_ > kRestartSilence))) {
    arrivals_.clear();
    last_reported_.reset();
    next_to_report_ = sequence;
  }
  // Already reported (a duplicate, or a packet so late that its slot went out as lost).
  if (sequence < next_to_report_) return;
  arrivals_.emplace(sequence, arrival);
  last_arrival_ = std::max(last_arrival_, arrival);
  if (next_to_report_ < 0) next_to_report_ = sequence;
  if (!window_start_.IsFinite()) window_start_ = arrival;
  window_bytes_ += size;
  UpdateInterval(arrival);
}

void TransportFeedbackGenerator::UpdateInterval(Timestamp now) {
  const TimeDelta window = now - window_start_;
  if (window >= TimeDelta::Seconds(1)) {
    incoming_rate_ = window_bytes_ / window;
    window_bytes_ = DataSize::Zero();
    window_start_ = now;
  }
  if (incoming_rate_ <= DataRate::Zero()) return;
  // Feedback of datagram_size every interval is at most max_overhead of the incoming rate.
  const TimeDelta for_overhead = config_.datagram_size / (incoming_rate_ * config_.max_overhead);
  interval_ = std::clamp(for_overhead, config_.min_interval, config_.max_interval);
}

Timestamp TransportFeedbackGenerator::NextSendTime() const {
  if (arrivals_.empty()) return Timestamp::PlusInfinity();
  const Timestamp first_arrival = arrivals_.begin()->second;
  return last_sent_.IsFinite() ? std::max(last_sent_ + interval_, first_arrival)
                               : first_arrival + interval_;
}

std::vector<rtcp::TransportFeedback> TransportFeedbackGenerator::Build(Timestamp now) {
  std::vector<rtcp::TransportFeedback> messages;
  if (arrivals_.empty()) return messages;
  last_sent_ = now;
  // A message starts with a received packet. To report the packets lost just before this
  // batch's first arrival, the first message starts again with the last packet reported (the
  // sender knows it already and skips it).
  std::optional<rtcp::TransportFeedback> message;
  if (last_reported_) {
    message.emplace(ssrcs_, feedback_count_, static_cast<uint16_t>(last_reported_->first),
                    last_reported_->second, config_.max_message_size);
  }
  for (const auto& [sequence, arrival] : arrivals_) {
    const auto wire_sequence = static_cast<uint16_t>(sequence);
    if (message && message->AddReceivedPacket(wire_sequence, arrival)) continue;
    // Full, or the arrival delta does not fit 16 bits: this packet starts the next message.
    if (message && message->packet_status_count() > 1) {
      messages.push_back(std::move(*message));
      ++feedback_count_;
    }
    message.emplace(ssrcs_, feedback_count_, wire_sequence, arrival, config_.max_message_size);
  }
  messages.push_back(std::move(*message));
  ++feedback_count_;
  last_reported_.emplace(arrivals_.rbegin()->first, arrivals_.rbegin()->second);
  next_to_report_ = arrivals_.rbegin()->first + 1;
  arrivals_.clear();
  return messages;
}

}  // namespace comodal
