#ifndef TRANSPORT_LINK_SCHEDULED_LINK_H_
#define TRANSPORT_LINK_SCHEDULED_LINK_H_

#include <functional>

#include "transport/link/link_model.h"
#include "transport/time/task_scheduler.h"

namespace comodal::link {

// Drives a LinkModel on a TaskScheduler: a packet handed to Send() comes out of the delivery
// handler at its delivery time. The same code runs in simulated time (SimulatedLoop, for tests
// and benches) and in real time (AsioScheduler, for the UDP relay).
class ScheduledLink {
 public:
  using DeliveryHandler = std::function<void(Delivery)>;

  ScheduledLink(TaskScheduler& scheduler, LinkDirectionConfig config, uint64_t seed,
                DeliveryHandler on_delivery);
  ~ScheduledLink();
  ScheduledLink(const ScheduledLink&) = delete;
  ScheduledLink& operator=(const ScheduledLink&) = delete;

  SendOutcome Send(LinkPacket packet);
  // A packet that entered the link at `arrival`, earlier than now (a datagram the relay reads
  // after the kernel received it). Never later than now, never before an earlier packet.
  SendOutcome Send(LinkPacket packet, Timestamp arrival);
  const LinkStats& stats() const { return model_.stats(); }

 private:
  // Makes sure a wake-up is pending for the model's next delivery.
  void ArmWakeup();
  void OnWakeup();

  TaskScheduler& scheduler_;
  LinkModel model_;
  DeliveryHandler on_delivery_;
  TaskHandle wakeup_;
  Timestamp wakeup_at_ = Timestamp::PlusInfinity();
  Timestamp last_arrival_ = Timestamp::MinusInfinity();
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_SCHEDULED_LINK_H_
