#ifndef TRANSPORT_CC_SEND_TRANSPORT_CONTROLLER_H_
#define TRANSPORT_CC_SEND_TRANSPORT_CONTROLLER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "transport/cc/congestion_controller.h"
#include "transport/cc/pacer.h"
#include "transport/cc/transport_feedback_adapter.h"
#include "transport/rtcp/transport_feedback.h"
#include "transport/time/task_scheduler.h"

namespace comodal {

// Everything one peer's streams share on the way out (DESIGN.md principle 2): one pacer, one
// congestion controller, one transport-wide sequence. RTP packets come in with their priority;
// each gets its transport-wide sequence number as it leaves (so that numbers follow the wire
// order, retransmissions included), is remembered for feedback, and goes to `send`.
// Retransmissions leave as RTX (RFC 4588 §4, session-multiplexed) on `rtx_ssrc`, so that a plain
// RTP receiver that knows nothing of repairs still sees one clean media stream. Probes are filled
// with RTP padding packets on the same stream (RFC 3550 §5.1 padding; a receiver that does not
// know the SSRC drops them); one sequence numbers both, as SRTP's replay protection needs. The
// target rate comes out through `on_rate` for the encoders to follow.
//
// With `adaptive` off the rate is fixed: packets leave at once, as a plain RTP pipeline sends
// them, and feedback is only counted.
class SendTransportController {
 public:
  using SendDatagram = std::function<void(std::span<const uint8_t> datagram, Timestamp now)>;
  using OnRate = std::function<void(const NetworkControlUpdate& update)>;

  struct Config {
    bool adaptive = true;
    CongestionController::Config controller;
    uint8_t transport_sequence_number_extension_id = 2;
    // The repair stream: retransmissions (as RTX) and probe padding. With `rtx_ssrc` zero,
    // retransmissions leave as they came and padding goes on SSRC zero.
    uint32_t rtx_ssrc = 0;
    uint8_t rtx_payload_type = 127;
    uint16_t rtx_initial_sequence_number = 1;
    // The controller's timers (feedback timeout, periodic probes).
    TimeDelta process_interval = TimeDelta::Millis(25);
  };
  struct Stats {
    uint64_t packets_sent = 0;
    uint64_t padding_packets = 0;
    uint64_t rtx_packets = 0;  // Retransmissions sent as RTX.
    DataSize padding_sent = DataSize::Zero();
    uint64_t feedbacks = 0;
    uint64_t feedback_packets_received = 0;  // What feedback reported, received and lost.
    uint64_t feedback_packets_lost = 0;
    uint64_t rate_changes = 0;
    DataSize queued = DataSize::Zero();  // In the pacer now.
    TimeDelta max_queue_time = TimeDelta::Zero();
  };

  SendTransportController(TaskScheduler& scheduler, Config config, SendDatagram send,
                          OnRate on_rate);
  ~SendTransportController();
  SendTransportController(const SendTransportController&) = delete;
  SendTransportController& operator=(const SendTransportController&) = delete;

  // Starts the controller (the first rate and the initial probes).
  void Start();
  // A serialised RTP packet that carries a transport-wide sequence number element (any value:
  // it is written as the packet leaves). A `repair` (a retransmission) goes ahead of new packets
  // of its priority, and leaves as RTX.
  void SendRtp(std::vector<uint8_t> packet, PacketPriority priority, bool repair);
  // Sends everything queued at once, whatever the pacing (the sender stops: its last packets go
  // before its BYE).
  void Flush();
  // Drops waiting packets of `priority` that `stale` picks (Pacer::Discard). Returns how many.
  size_t Discard(PacketPriority priority, const std::function<bool(const Pacer::Packet&)>& stale);
  void OnTransportFeedback(const rtcp::TransportFeedback& feedback, Timestamp arrival);
  void OnRoundTripTime(TimeDelta rtt);

  DataRate target_rate() const { return controller_.target_rate(); }
  // How long what waits in the pacer at `priority` and above (what a new packet of that priority
  // would wait behind) takes to leave at the pacing rate: zero with `adaptive` off.
  TimeDelta queue_time(PacketPriority priority = PacketPriority::kBulk) const;
  const CongestionController& controller() const { return controller_; }
  const TransportFeedbackAdapter& feedback_adapter() const { return adapter_; }
  const Stats& stats() const { return stats_; }

 private:
  void Apply(NetworkControlUpdate update);
  void Send(std::span<uint8_t> packet, std::optional<int> probe_cluster_id);
  // Sends a packet the pacer let out (a repair as RTX).
  void SendPaced(Pacer::Packet& packet);
  void SendPadding(DataSize size, std::optional<int> probe_cluster_id);
  // Sends what the pacer lets out now and sets the next wake-up.
  void Pace();
  void PaceNow();
  void ScheduleNextPace();

  TaskScheduler& scheduler_;
  Config config_;
  SendDatagram send_;
  OnRate on_rate_;
  CongestionController controller_;
  Pacer pacer_;
  TransportFeedbackAdapter adapter_;
  std::vector<ProbeCluster> waiting_probes_;
  uint16_t transport_sequence_number_ = 1;
  uint16_t rtx_sequence_number_;
  uint32_t padding_timestamp_ = 0;
  bool pacing_ = false;
  TaskHandle pace_task_;
  Timestamp pace_at_ = Timestamp::PlusInfinity();
  TaskHandle process_task_;
  Stats stats_;
};

}  // namespace comodal

#endif  // TRANSPORT_CC_SEND_TRANSPORT_CONTROLLER_H_
