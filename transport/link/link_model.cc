#include "transport/link/link_model.h"

#include <algorithm>
#include <iterator>

namespace comodal::link {

LinkModel::LinkModel(LinkDirectionConfig config, Timestamp start, uint64_t seed)
    : config_(std::move(config)),
      start_(start),
      random_(seed),
      loss_(config_.loss),
      last_transmission_end_(start) {
  if (config_.codel) codel_.emplace(*config_.codel);
  if (config_.handovers) next_handover_ = start_ + config_.handovers->first_at;
}

bool LinkModel::AdvanceHandovers(Timestamp at) {
  if (!config_.handovers) return false;
  const HandoverConfig& handover = *config_.handovers;
  while (next_handover_ <= at) {
    const double u = random_.Uniform();
    current_delay_ = handover.delay_min + (handover.delay_max - handover.delay_min) * u;
    last_handover_ = next_handover_;
    next_handover_ += handover.period;
    ++stats_.handovers;
  }
  return at >= last_handover_ && at - last_handover_ < handover.loss_burst;
}

TimeDelta LinkModel::PropagationDelayAt(Timestamp at) {
  AdvanceHandovers(at);
  return DelayAfterHandovers(at);
}

TimeDelta LinkModel::DelayAfterHandovers(Timestamp at) const {
  // Before the first handover (or without handovers) the configured delay applies.
  return last_handover_.IsFinite() ? current_delay_
                                   : config_.propagation_delay.DelayAt(at - start_);
}

bool LinkModel::InOutage(Timestamp at) const {
  const TimeDelta t = at - start_;
  for (const OutageWindow& window : config_.outages) {
    if (window.Contains(t)) return true;
  }
  return false;
}

void LinkModel::Prune(Timestamp now) {
  while (!bottleneck_.empty() && bottleneck_.front().transmission_end <= now) {
    bottleneck_bytes_ -= bottleneck_.front().size;
    bottleneck_.pop_front();
  }
}

DataSize LinkModel::QueuedBytes(Timestamp now) {
  Prune(now);
  return bottleneck_bytes_;
}

SendOutcome LinkModel::Send(LinkPacket packet, Timestamp now) {
  ++stats_.packets_in;
  if (InOutage(now)) {
    ++stats_.dropped_outage;
    return SendOutcome::kDroppedOutage;
  }
  Prune(now);
  const DataSize size = packet.size();
  const DataSize queued_after = bottleneck_bytes_ + size;
  const bool over_bytes = config_.queue_limit_bytes && queued_after > *config_.queue_limit_bytes;
  const bool over_time =
      config_.queue_limit_time &&
      queued_after > config_.capacity.RateAt(now - start_) * *config_.queue_limit_time;
  if (over_bytes || over_time) {
    ++stats_.dropped_queue;
    return SendOutcome::kDroppedQueue;
  }

  // FIFO single server: serialisation starts when the previous packet has left.
  const Timestamp transmission_start = std::max(now, last_transmission_end_);
  // CoDel decides when the packet reaches the head of the queue; a dropped packet never takes
  // the server, so it delays no one.
  if (codel_ && codel_->ShouldDrop(transmission_start, transmission_start - now)) {
    ++stats_.dropped_queue;
    ++stats_.dropped_aqm;
    return SendOutcome::kDroppedAqm;
  }
  const Timestamp transmission_end =
      start_ + config_.capacity.TransmissionEnd(transmission_start - start_, size);
  last_transmission_end_ = transmission_end;
  bottleneck_.push_back({transmission_end, size});
  bottleneck_bytes_ += size;

  // Loss is drawn per packet in FIFO order, so a seed fixes which packets are lost.
  if (loss_.ShouldDrop(random_)) {
    ++stats_.dropped_loss;
    return SendOutcome::kLost;
  }
  if (InOutage(transmission_end)) {
    ++stats_.dropped_outage;
    return SendOutcome::kDroppedOutage;
  }
  if (AdvanceHandovers(transmission_end)) {
    ++stats_.dropped_handover;
    return SendOutcome::kLostHandover;
  }
  Timestamp delivery = transmission_end + DelayAfterHandovers(transmission_end);
  if (config_.jitter > TimeDelta::Zero()) delivery += config_.jitter * random_.Uniform();
  if (config_.allow_reordering) {
    // Keep in_flight_ ordered by delivery time.
    auto it = in_flight_.end();
    while (it != in_flight_.begin() && std::prev(it)->delivered > delivery) --it;
    in_flight_.insert(it, Delivery{std::move(packet), now, delivery, transmission_start - now});
    return SendOutcome::kQueued;
  }
  // In order: a packet never arrives before the one sent ahead of it (a shorter delay after a
  // handover, or less jitter, holds it back).
  delivery = std::max(delivery, last_delivery_);
  last_delivery_ = delivery;
  in_flight_.push_back(Delivery{std::move(packet), now, delivery, transmission_start - now});
  return SendOutcome::kQueued;
}

Timestamp LinkModel::NextDeliveryTime() const {
  return in_flight_.empty() ? Timestamp::PlusInfinity() : in_flight_.front().delivered;
}

std::vector<Delivery> LinkModel::DeliverDue(Timestamp now) {
  std::vector<Delivery> due;
  while (!in_flight_.empty() && in_flight_.front().delivered <= now) {
    Delivery delivery = std::move(in_flight_.front());
    in_flight_.pop_front();
    ++stats_.packets_out;
    stats_.queue_delay.Add(delivery.queue_delay);
    stats_.delay_min = std::min(stats_.delay_min, delivery.delivered - delivery.sent);
    const int64_t second = (delivery.delivered - start_).us() / 1'000'000;
    if (second >= 0) {
      if (stats_.delivered_bytes_by_second.size() <= static_cast<size_t>(second)) {
        stats_.delivered_bytes_by_second.resize(static_cast<size_t>(second) + 1, 0);
      }
      stats_.delivered_bytes_by_second[static_cast<size_t>(second)] +=
          delivery.packet.size().bytes();
    }
    due.push_back(std::move(delivery));
  }
  return due;
}

}  // namespace comodal::link
