#include "transport/cc/transport_feedback_adapter.h"

#include <algorithm>
#include <utility>

namespace comodal {
namespace {

// Where the receiver clock starts: far from zero so that no receive time is ever negative.
constexpr Timestamp kReceiverClockStart = Timestamp::Seconds(1'000'000);

}  // namespace

void TransportFeedbackAdapter::OnPacketSent(const SentPacket& packet) {
  const int64_t sequence = sequence_unwrapper_.Unwrap(packet.transport_sequence_number);
  if (sequence <= highest_reported_ || history_.contains(sequence)) return;
  history_.emplace(sequence, Sent{packet.size, packet.send_time, packet.probe_cluster_id});
  in_flight_ += packet.size;
  // Bounded: packets no feedback ever covered (the feedback was lost) are forgotten.
  while (!history_.empty() && packet.send_time - history_.begin()->second.send_time > kMaxHistory) {
    in_flight_ -= history_.begin()->second.size;
    history_.erase(history_.begin());
  }
}

std::optional<TransportPacketsFeedback> TransportFeedbackAdapter::OnTransportFeedback(
    const rtcp::TransportFeedback& feedback, Timestamp arrival) {
  ++stats_.feedbacks;
  // Place this message's reference time on the continuous receiver clock.
  const Timestamp reference =
      last_reference_ticks_
          ? last_reference_ + rtcp::TransportFeedback::ReferenceTimeBetween(
                                  feedback.reference_time_ticks(), *last_reference_ticks_)
          : kReceiverClockStart;
  last_reference_ticks_ = feedback.reference_time_ticks();
  last_reference_ = reference;

  TransportPacketsFeedback out;
  out.feedback_time = arrival;
  // The message's sequence numbers, unwrapped near what was sent.
  const int64_t base = sequence_unwrapper_.PeekUnwrap(feedback.base_sequence_number());
  int64_t sequence = base;
  feedback.ForEachPacket([&](const rtcp::TransportFeedback::PacketResult& result) {
    const int64_t current = sequence++;
    ++stats_.packets_reported;
    auto sent = history_.find(current);
    if (sent == history_.end()) {
      (current <= highest_reported_ ? stats_.packets_repeated : stats_.packets_unknown) += 1;
      return;
    }
    PacketResult packet;
    packet.sequence_number = current;
    packet.size = sent->second.size;
    packet.send_time = sent->second.send_time;
    packet.probe_cluster_id = sent->second.probe_cluster_id;
    if (result.received) packet.receive_time = reference + result.arrival_offset;
    in_flight_ -= sent->second.size;
    history_.erase(sent);
    highest_reported_ = std::max(highest_reported_, current);
    out.packets.push_back(packet);
  });
  // Packets sent before the newest one reported and not covered by any message so far were in
  // a lost feedback message, or the receiver never saw them: they are no longer in flight.
  while (!history_.empty() && history_.begin()->first < base) {
    in_flight_ -= history_.begin()->second.size;
    history_.erase(history_.begin());
  }
  out.data_in_flight = in_flight_;
  if (out.packets.empty()) return std::nullopt;
  return out;
}

}  // namespace comodal
