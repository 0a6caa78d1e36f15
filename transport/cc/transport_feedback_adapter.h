#ifndef TRANSPORT_CC_TRANSPORT_FEEDBACK_ADAPTER_H_
#define TRANSPORT_CC_TRANSPORT_FEEDBACK_ADAPTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "transport/rtcp/transport_feedback.h"
#include "transport/rtp/sequence_number.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// One packet the sender put on the wire with a transport-wide sequence number.
struct SentPacket {
  uint16_t transport_sequence_number = 0;
  DataSize size = DataSize::Zero();
  Timestamp send_time = Timestamp::MinusInfinity();
  // Padding or a packet sent as part of a bandwidth probe (ProbeCluster::id), if any.
  std::optional<int> probe_cluster_id;
};

// What transport feedback says about one sent packet.
struct PacketResult {
  int64_t sequence_number = 0;  // Unwrapped transport-wide sequence number.
  DataSize size = DataSize::Zero();
  Timestamp send_time = Timestamp::MinusInfinity();
  // On the receiver's clock (only differences between receive times mean anything); plus
  // infinity when the feedback reports the packet lost.
  Timestamp receive_time = Timestamp::PlusInfinity();
  std::optional<int> probe_cluster_id;

  bool received() const { return receive_time.IsFinite(); }
};

// One feedback message, turned into the controller's terms.
struct TransportPacketsFeedback {
  Timestamp feedback_time = Timestamp::MinusInfinity();  // When it arrived at the sender.
  std::vector<PacketResult> packets;                     // In sequence order.
  DataSize data_in_flight = DataSize::Zero();            // Sent and not yet reported, after it.
};

// The sender's side of transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01): remembers every packet sent with a
// transport-wide sequence number (send time and size), and matches each feedback message's
// statuses and arrival times to them. Arrival times are put on one continuous receiver clock
// across messages (the reference time wraps; reordered or repeated messages are handled).
// A packet is reported once: the first feedback that covers it decides whether it was received.
// A pure state machine: every input carries its time.
class TransportFeedbackAdapter {
 public:
  struct Stats {
    uint64_t feedbacks = 0;
    uint64_t packets_reported = 0;
    uint64_t packets_unknown = 0;   // Reported, but never sent (or forgotten): ignored.
    uint64_t packets_repeated = 0;  // Reported again by a later message: ignored.
  };

  // Sent packets are forgotten this long after they were sent if no feedback covers them.
  static constexpr TimeDelta kMaxHistory = TimeDelta::Seconds(60);

  void OnPacketSent(const SentPacket& packet);
  // nullopt when the message reports nothing this adapter knows.
  std::optional<TransportPacketsFeedback> OnTransportFeedback(
      const rtcp::TransportFeedback& feedback, Timestamp arrival);

  DataSize data_in_flight() const { return in_flight_; }
  const Stats& stats() const { return stats_; }

 private:
  struct Sent {
    DataSize size;
    Timestamp send_time;
    std::optional<int> probe_cluster_id;
  };

  SeqNumUnwrapper<uint16_t> sequence_unwrapper_;
  std::map<int64_t, Sent> history_;  // Sent, not yet reported; by unwrapped sequence number.
  int64_t highest_reported_ = -1;
  DataSize in_flight_ = DataSize::Zero();
  // The receiver clock: the first message's reference time is placed at kReceiverClockStart,
  // and each later one is placed by its reference-time distance from the previous one.
  std::optional<uint32_t> last_reference_ticks_;
  Timestamp last_reference_ = Timestamp::MinusInfinity();
  Stats stats_;
};

}  // namespace comodal

#endif  // TRANSPORT_CC_TRANSPORT_FEEDBACK_ADAPTER_H_
