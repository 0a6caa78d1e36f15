#ifndef TRANSPORT_DATACHANNEL_RELIABLE_CHANNEL_H_
#define TRANSPORT_DATACHANNEL_RELIABLE_CHANNEL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "transport/base/result.h"
#include "transport/datachannel/data_packet.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::datachannel {

// Ordered, acknowledged message delivery over a lossy datagram path with a long round trip
// (DESIGN.md: the transport's reliable message channel for session data). Two lanes, each an
// ordered stream of messages of up to 1 MiB, cut into fragments of fixed offsets.
//
// The receiver acknowledges selectively (cumulative number and up to 16 ranges above it), at once
// on a gap or a duplicate, else after two packets or `ack_delay`. The sender numbers every packet
// anew, retransmissions included (as QUIC does, RFC 9002 §2: every acknowledgement gives a clean
// round-trip sample), takes a packet as lost when a packet sent three later, or more than 9/8 of
// a round trip later, is acknowledged (RFC 9002 §6.1), and otherwise after a retransmission
// timeout (RFC 6298 §2 from the smoothed round trip, doubling on each expiry up to
// `max_probe_interval`, so that a link back from an outage is found within that time). Any
// packet from the peer while backing off sends the oldest unacknowledged piece again at once.
// In flight is bounded by the peer's window, not by a congestion window: how fast packets leave
// is the pacer's and the congestion controller's business (one controller per flow, DESIGN.md
// principle 2), and the window (4 MiB by default) covers a 600 ms round trip at 50 Mbit/s.
//
// Each end has an incarnation (non-zero, new at each start of its process) and numbers its
// packets and messages within an epoch. A receiver that sees a new incarnation or a later epoch
// starts afresh, and ignores packets of those it has left. A sender that sees its peer restart (a
// new incarnation in the peer's packets) begins a new epoch and sends again, from the start,
// every message not wholly acknowledged: the restarted peer lost what it had not delivered. What
// was delivered to the old peer may come again, and a message wholly acknowledged but still
// waiting behind an incomplete one when the peer died is not sent again: across a peer restart
// the layer above resynchronises (SessionNode does, by version vectors and incarnations).
//
// A pure state machine: every call carries its time; the caller sends what NextPacket() and
// TakeAck() return, and calls OnTimeout() at NextTimeout().
class ReliableChannel {
 public:
  struct Config {
    uint32_t incarnation = 1;  // Non-zero; a restarted process must choose another.
    // The largest packet (DataPacket::size()) sent. Fragments are cut to leave room for an
    // acknowledgement of up to four ranges.
    size_t max_packet_size = 1136;
    size_t receive_window = 4 << 20;
    // Messages queued to send, per lane, beyond which Send() refuses (the caller holds back).
    size_t max_queued_bytes = 64 << 20;
    TimeDelta ack_delay = TimeDelta::Millis(20);
    TimeDelta initial_rto = TimeDelta::Seconds(1);
    TimeDelta min_rto = TimeDelta::Millis(200);
    TimeDelta max_probe_interval = TimeDelta::Seconds(2);
  };
  struct Stats {
    uint64_t messages_sent = 0;       // Wholly acknowledged.
    uint64_t messages_delivered = 0;  // Received and handed up, in order.
    uint64_t packets_sent = 0;        // Carrying a fragment.
    uint64_t acks_sent = 0;           // Acknowledgement-only packets.
    uint64_t retransmissions = 0;
    uint64_t timeouts = 0;
    uint64_t packets_received = 0;
    uint64_t duplicates_received = 0;  // A packet number or a message piece already held.
    uint64_t refused = 0;              // Malformed, beyond the window, or overlapping.
    uint64_t stale_incarnation = 0;    // From an incarnation the channel has left.
    uint64_t peer_restarts = 0;
    DataSize bytes_sent = DataSize::Zero();  // Fragment bytes, first sendings only.
    DataSize bytes_retransmitted = DataSize::Zero();
  };
  struct Message {
    Lane lane = Lane::kSessionData;
    std::vector<uint8_t> data;
  };

  explicit ReliableChannel(Config config);

  // Queues a message (1 byte to 1 MiB) at the end of its lane. Refused (kInvalidArgument) if
  // empty or too large, (kBufferTooSmall) if the lane's queue is full; nothing queued then.
  Status Send(Lane lane, std::vector<uint8_t> message);
  // The next packet of `lane` to send now (a piece to send again first, then a new one), with
  // an acknowledgement riding on it; nothing if the lane has nothing or the peer's window is
  // full.
  std::optional<std::vector<uint8_t>> NextPacket(Lane lane, Timestamp now);
  // An acknowledgement-only packet, if one is due by now.
  std::optional<std::vector<uint8_t>> TakeAck(Timestamp now);
  // When OnTimeout() is next due (an acknowledgement to send, or a retransmission timeout).
  Timestamp NextTimeout() const;
  void OnTimeout(Timestamp now);
  // A packet from the peer; a malformed or refused one changes nothing but the counters.
  Status OnPacket(std::span<const uint8_t> bytes, Timestamp now);
  // Anything else heard from the peer (media, a datagram): while backing off, the link is
  // back, and the oldest unacknowledged piece goes again at once.
  void OnPeerHeard(Timestamp now);
  // Messages received in order since the last call.
  std::vector<Message> TakeMessages();

  // Bytes queued or in flight, not yet acknowledged, on `lane`.
  size_t unacknowledged_bytes(Lane lane) const { return lanes_[Index(lane)].unacknowledged; }
  bool idle() const;
  std::optional<TimeDelta> smoothed_rtt() const { return srtt_; }
  TimeDelta rto() const;
  uint32_t incarnation() const { return config_.incarnation; }
  uint32_t epoch() const { return epoch_; }
  const Stats& stats() const { return stats_; }

 private:
  static size_t Index(Lane lane) { return static_cast<size_t>(lane); }
  struct OutgoingMessage {
    std::vector<uint8_t> data;
    std::vector<bool> acked;  // Per fragment.
    size_t acked_count = 0;
    uint32_t next_fragment = 0;  // First never sent.
  };
  struct Piece {
    uint32_t message_number = 0;
    uint32_t fragment = 0;
    bool repeat = false;  // Sent before and taken as lost.
  };
  struct SendLane {
    uint32_t next_message_number = 1;
    std::map<uint32_t, OutgoingMessage> messages;  // Not wholly acknowledged, by number.
    std::deque<Piece> lost;                        // To send again, oldest first.
    size_t unacknowledged = 0;
  };
  struct InFlight {
    Lane lane = Lane::kSessionData;
    Piece piece;
    size_t size = 0;
    Timestamp sent = Timestamp::MinusInfinity();
  };
  struct Reassembly {
    std::vector<uint8_t> data;
    std::map<uint32_t, uint32_t> pieces;  // Offset -> length.
    size_t received = 0;
  };
  struct ReceiveLane {
    uint32_t next_to_deliver = 1;
    std::map<uint32_t, Reassembly> messages;
  };

  size_t fragment_size() const;
  uint32_t fragment_count(const OutgoingMessage& message) const;
  // The next piece of `lane` to send: one taken as lost first, then a new one.
  std::optional<Piece> NextPiece(Lane lane);
  std::vector<uint8_t> Build(std::optional<DataFragment> fragment);
  DataAck MakeAck(size_t max_blocks) const;
  void OnAck(const DataAck& ack, Timestamp now);
  void Acknowledge(const InFlight& packet);
  void DetectLosses(Timestamp now);
  void MarkLost(uint32_t packet_number);
  void OnFragment(const DataFragment& fragment, Timestamp now);
  void ResetReceiver(uint32_t incarnation, uint32_t epoch);
  void Restart();
  void UpdateRtt(TimeDelta sample);
  void ArmRetransmission(Timestamp now);

  Config config_;
  uint32_t epoch_ = 1;

  // Sending.
  std::array<SendLane, kLaneCount> lanes_;
  uint32_t next_packet_number_ = 1;
  std::map<uint32_t, InFlight> in_flight_;
  size_t bytes_in_flight_ = 0;
  size_t peer_window_;
  uint32_t largest_acked_ = 0;
  std::optional<TimeDelta> srtt_;
  TimeDelta rttvar_ = TimeDelta::Zero();
  TimeDelta latest_rtt_ = TimeDelta::Zero();
  int backoff_ = 0;
  Timestamp retransmit_at_ = Timestamp::PlusInfinity();
  // Receiving. The peer's incarnation and epoch, whose packet numbers `cumulative_` counts; 0
  // until its first packet. A new incarnation means the peer restarted.
  uint32_t peer_incarnation_ = 0;
  uint32_t peer_epoch_ = 0;
  std::set<uint32_t> retired_incarnations_;
  uint32_t cumulative_ = 0;
  std::set<uint32_t> received_above_;
  std::array<ReceiveLane, kLaneCount> receive_lanes_;
  size_t buffered_ = 0;
  std::vector<Message> delivered_;
  bool ack_pending_ = false;
  bool ack_now_ = false;
  int unacked_packets_ = 0;
  Timestamp ack_due_ = Timestamp::PlusInfinity();

  Stats stats_;
};

}  // namespace comodal::datachannel

#endif  // TRANSPORT_DATACHANNEL_RELIABLE_CHANNEL_H_
