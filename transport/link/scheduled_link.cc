#include "transport/link/scheduled_link.h"

#include <algorithm>

namespace comodal::link {

ScheduledLink::ScheduledLink(TaskScheduler& scheduler, LinkDirectionConfig config, uint64_t seed,
                             DeliveryHandler on_delivery)
    : scheduler_(scheduler),
      model_(std::move(config), scheduler.Now(), seed),
      on_delivery_(std::move(on_delivery)) {}

ScheduledLink::~ScheduledLink() { wakeup_.Cancel(); }

SendOutcome ScheduledLink::Send(LinkPacket packet) {
  return Send(std::move(packet), scheduler_.Now());
}

SendOutcome ScheduledLink::Send(LinkPacket packet, Timestamp arrival) {
  last_arrival_ = std::clamp(arrival, last_arrival_, scheduler_.Now());
  const SendOutcome outcome = model_.Send(std::move(packet), last_arrival_);
  if (outcome == SendOutcome::kQueued) ArmWakeup();
  return outcome;
}

void ScheduledLink::ArmWakeup() {
  const Timestamp next = model_.NextDeliveryTime();
  // Deliveries come out in order, so a pending wake-up at or before `next` already covers it.
  if (next.IsPlusInfinity() || (wakeup_.pending() && wakeup_at_ <= next)) return;
  wakeup_.Cancel();
  wakeup_at_ = next;
  wakeup_ = scheduler_.PostDelayedTask(next - scheduler_.Now(), [this] { OnWakeup(); });
}

void ScheduledLink::OnWakeup() {
  wakeup_at_ = Timestamp::PlusInfinity();
  for (Delivery& delivery : model_.DeliverDue(scheduler_.Now())) on_delivery_(std::move(delivery));
  ArmWakeup();
}

}  // namespace comodal::link
