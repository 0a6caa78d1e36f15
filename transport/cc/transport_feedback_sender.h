#ifndef TRANSPORT_CC_TRANSPORT_FEEDBACK_SENDER_H_
#define TRANSPORT_CC_TRANSPORT_FEEDBACK_SENDER_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "transport/cc/transport_feedback_generator.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/time/task_scheduler.h"

namespace comodal {

// The receiving end of a flow's congestion control: records each packet's transport-wide
// number and arrival (TransportFeedbackGenerator, made at the first packet, reporting on its
// SSRC), and sends the feedback as reduced-size RTCP (RFC 5506: the feedback alone) when it is
// due, every 50-250 ms.
class TransportFeedbackSender {
 public:
  using SendCompound = std::function<void(rtcp::RtcpCompound compound)>;

  TransportFeedbackSender(TaskScheduler& scheduler, uint32_t sender_ssrc, SendCompound send)
      : scheduler_(scheduler), sender_ssrc_(sender_ssrc), send_(std::move(send)) {}
  ~TransportFeedbackSender() { timer_.Cancel(); }
  TransportFeedbackSender(const TransportFeedbackSender&) = delete;
  TransportFeedbackSender& operator=(const TransportFeedbackSender&) = delete;

  void OnPacket(uint16_t transport_sequence_number, uint32_t media_ssrc, DataSize size,
                Timestamp arrival);
  // Forgets every packet and starts again at the next (a new sender).
  void Reset();

 private:
  void ArmTimer();

  TaskScheduler& scheduler_;
  uint32_t sender_ssrc_;
  SendCompound send_;
  std::unique_ptr<TransportFeedbackGenerator> generator_;
  TaskHandle timer_;
  Timestamp timer_at_ = Timestamp::PlusInfinity();
};

}  // namespace comodal

#endif  // TRANSPORT_CC_TRANSPORT_FEEDBACK_SENDER_H_
