#include "transport/cc/transport_feedback_sender.h"

namespace comodal {

void TransportFeedbackSender::OnPacket(uint16_t transport_sequence_number, uint32_t media_ssrc,
                                       DataSize size, Timestamp arrival) {
  if (!generator_) {
    generator_ = std::make_unique<TransportFeedbackGenerator>(sender_ssrc_, media_ssrc);
  }
  generator_->OnPacket(transport_sequence_number, size, arrival);
  ArmTimer();
}

void TransportFeedbackSender::Reset() {
  timer_.Cancel();
  timer_at_ = Timestamp::PlusInfinity();
  generator_.reset();
}

void TransportFeedbackSender::ArmTimer() {
  const Timestamp due = generator_->NextSendTime();
  if (!due.IsFinite() || (timer_.pending() && timer_at_ <= due)) return;
  timer_.Cancel();
  timer_at_ = due;
  timer_ = scheduler_.PostDelayedTask(due - scheduler_.Now(), [this] {
    timer_at_ = Timestamp::PlusInfinity();
    for (rtcp::TransportFeedback& message : generator_->Build(scheduler_.Now())) {
      rtcp::RtcpCompound compound;
      compound.messages.push_back(std::move(message));
      send_(std::move(compound));
    }
    ArmTimer();
  });
}

}  // namespace comodal
