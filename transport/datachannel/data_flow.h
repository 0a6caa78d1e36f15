#ifndef TRANSPORT_DATACHANNEL_DATA_FLOW_H_
#define TRANSPORT_DATACHANNEL_DATA_FLOW_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "transport/cc/send_transport_controller.h"
#include "transport/cc/transport_feedback_sender.h"
#include "transport/datachannel/reliable_channel.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/rtp/rtp_rtcp_demuxer.h"
#include "transport/time/task_scheduler.h"

namespace comodal::datachannel {

// comodal's session data stream: the reliable channel's packets as RTP payloads on their own SSRC
// and payload type, so that they share the flow's transport-wide numbering, feedback and pacer
// with the media (DESIGN.md principle 2) and its SRTP context once the secured path carries them.
inline constexpr uint32_t kDataSsrc = 0x0B1DE004;
inline constexpr uint8_t kDataPayloadType = 103;
// Datagrams that are worth nothing late (clock exchanges, liveness): sent once, never queued
// behind the reliable channel's repairs.
inline constexpr uint8_t kDatagramPayloadType = 104;

// One end of a flow carrying the reliable channel: its packets leave through the flow's pacer
// and congestion controller (session data at kSessionData, bulk at kBulk), the peer's packets
// come in with their transport-wide numbers reported back, and the feedback from the peer drives
// the controller. The bulk lane is held to `bulk_share` of the controller's target by a token
// bucket, so a resync or a blob transfer leaves room for live media; both lanes put only a few
// tens of milliseconds of packets in the pacer at a time, so that a later, more urgent packet
// does not wait behind a long queue. Other RTP packets on the flow (media) may be sent through
// it at their own priority and come out through `on_media`.
class DataFlow {
 public:
  using SendDatagram = std::function<void(std::span<const uint8_t> datagram, Timestamp now)>;
  using OnMessage = std::function<void(ReliableChannel::Message message, Timestamp now)>;
  using OnUnreliable = std::function<void(std::span<const uint8_t> datagram, Timestamp arrival)>;
  using OnMedia = std::function<void(const RtpPacket& packet, Timestamp arrival)>;

  struct Config {
    ReliableChannel::Config channel;
    SendTransportController::Config transport;
    uint32_t ssrc = kDataSsrc;
    uint8_t payload_type = kDataPayloadType;
    uint8_t datagram_payload_type = kDatagramPayloadType;
    // The bulk lane's share of the controller's target.
    double bulk_share = 0.5;
    // How much sending time of each lane may wait in the pacer.
    TimeDelta session_data_queue = TimeDelta::Millis(30);
    TimeDelta bulk_queue = TimeDelta::Millis(60);
    // How often the flow looks for packets to send while the channel has some waiting.
    TimeDelta tick = TimeDelta::Millis(5);
  };
  struct Stats {
    uint64_t data_packets_sent = 0;
    uint64_t ack_packets_sent = 0;
    uint64_t unreliable_sent = 0;
    uint64_t feedback_sent = 0;
    uint64_t media_packets_received = 0;
    uint64_t refused = 0;  // Datagrams dropped: malformed, or a data packet the channel refused.
    DataSize session_data_sent = DataSize::Zero();  // Datagram bytes, per lane.
    DataSize bulk_sent = DataSize::Zero();
  };

  DataFlow(TaskScheduler& scheduler, Config config, SendDatagram send, OnMessage on_message,
           OnUnreliable on_unreliable = nullptr, OnMedia on_media = nullptr);
  ~DataFlow();
  DataFlow(const DataFlow&) = delete;
  DataFlow& operator=(const DataFlow&) = delete;

  // Starts the controller and the flow's timers.
  void Start();
  // Queues a message on `lane` (ReliableChannel::Send).
  Status Send(Lane lane, std::vector<uint8_t> message);
  // A datagram (up to 1 100 bytes) sent once at session-data priority: it arrives or not.
  Status SendUnreliable(std::span<const uint8_t> datagram);
  // A media RTP packet with a transport-wide sequence number element (written as it leaves).
  void SendMedia(std::vector<uint8_t> packet, PacketPriority priority);
  // A datagram from the peer.
  void OnDatagram(std::span<const uint8_t> datagram, Timestamp arrival);

  const ReliableChannel& channel() const { return channel_; }
  const SendTransportController& transport() const { return transport_; }
  DataRate target_rate() const { return transport_.target_rate(); }
  const Stats& stats() const { return stats_; }

 private:
  // Sends what the channel has for each lane within its limits, and any acknowledgement due.
  void Pump();
  void SendPacket(std::span<const uint8_t> payload, uint8_t payload_type, PacketPriority priority);

  TaskScheduler& scheduler_;
  Config config_;
  SendDatagram send_;
  OnMessage on_message_;
  OnUnreliable on_unreliable_;
  OnMedia on_media_;
  ReliableChannel channel_;
  SendTransportController transport_;
  RtpRtcpDemuxer demuxer_;
  TransportFeedbackSender feedback_;
  uint16_t sequence_number_ = 1;
  // The bulk lane's budget: bytes it may still send (negative: owed), refilled at its share.
  double bulk_tokens_ = 0;
  Timestamp bulk_refilled_ = Timestamp::MinusInfinity();
  std::optional<TimeDelta> rtt_given_;
  TaskHandle tick_;
  Stats stats_;
};

}  // namespace comodal::datachannel

#endif  // TRANSPORT_DATACHANNEL_DATA_FLOW_H_
