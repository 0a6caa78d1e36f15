#include "transport/rtp/rtp_packet_history.h"

namespace comodal {

RtpPacketHistory::RtpPacketHistory(TimeDelta max_age, size_t max_packets)
    : max_age_(max_age), max_packets_(max_packets) {}

void RtpPacketHistory::EvictOlderThan(Timestamp now) {
  // Packets are stored in send order, so the oldest is first.
  while (!packets_.empty() && now - packets_.begin()->second.sent > max_age_) {
    packets_.erase(packets_.begin());
  }
}

void RtpPacketHistory::Put(uint16_t sequence_number, std::span<const uint8_t> packet,
                           Timestamp sent) {
  const int64_t seq = unwrapper_.Unwrap(sequence_number);
  packets_.insert_or_assign(seq, StoredPacket{std::vector<uint8_t>(packet.begin(), packet.end()),
                                              sent, Timestamp::MinusInfinity()});
  EvictOlderThan(sent);
  while (packets_.size() > max_packets_) packets_.erase(packets_.begin());
}

std::optional<std::span<const uint8_t>> RtpPacketHistory::TakeForRetransmission(
    uint16_t sequence_number, Timestamp now, TimeDelta min_interval) {
  EvictOlderThan(now);
  auto it = packets_.find(unwrapper_.PeekUnwrap(sequence_number));
  if (it == packets_.end()) {
    ++stats_.not_found;
    return std::nullopt;
  }
  StoredPacket& packet = it->second;
  if (now - packet.resent < min_interval) {
    ++stats_.too_soon;
    return std::nullopt;
  }
  packet.resent = now;
  ++stats_.retransmitted;
  return std::span<const uint8_t>(packet.data);
}

}  // namespace comodal
