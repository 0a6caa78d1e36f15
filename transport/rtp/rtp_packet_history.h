#ifndef TRANSPORT_RTP_RTP_PACKET_HISTORY_H_
#define TRANSPORT_RTP_RTP_PACKET_HISTORY_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "transport/rtp/sequence_number.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// The sender's copies of the RTP packets it sent on one stream, kept for retransmission when a
// NACK asks for them (RFC 4585 §6.2.1, resent in RTX packets per RFC 4588). Bounded by age and
// by count; older packets are evicted first.
//
// A pure state machine: every input carries its time.
class RtpPacketHistory {
 public:
  struct Stats {
    uint64_t retransmitted = 0;  // Handed out for retransmission.
    uint64_t too_soon = 0;       // Asked for again within min_interval of its last resend.
    uint64_t not_found = 0;      // Never stored, or evicted.
  };

  explicit RtpPacketHistory(TimeDelta max_age = TimeDelta::Seconds(3), size_t max_packets = 2000);

  // Stores a copy of the serialised packet (before SRTP protection). Sequence numbers are
  // expected in send order; they wrap.
  void Put(uint16_t sequence_number, std::span<const uint8_t> packet, Timestamp sent);

  // The stored packet for a retransmission, marked resent at `now`; nullopt when it is gone, or
  // when it was already resent less than `min_interval` ago (pass one RTT: the receiver repeats
  // a NACK until the repair can have reached it, so an earlier repeat asks for a packet already
  // on its way). The original send does not count: a NACK can come back a little under one
  // (smoothed) RTT after it, and that first repair is the one that matters.
  //
  // The span stays valid until the next Put() or TakeForRetransmission().
  std::optional<std::span<const uint8_t>> TakeForRetransmission(uint16_t sequence_number,
                                                                Timestamp now,
                                                                TimeDelta min_interval);

  size_t size() const { return packets_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct StoredPacket {
    std::vector<uint8_t> data;
    Timestamp sent;
    Timestamp resent;  // Minus infinity until retransmitted.
  };
  void EvictOlderThan(Timestamp now);

  const TimeDelta max_age_;
  const size_t max_packets_;
  SeqNumUnwrapper<uint16_t> unwrapper_;
  std::map<int64_t, StoredPacket> packets_;  // By unwrapped sequence number.
  Stats stats_;
};

}  // namespace comodal

#endif  // TRANSPORT_RTP_RTP_PACKET_HISTORY_H_
