#include "transport/cc/pacer.h"

#include <algorithm>
#include <cstddef>
#include <numeric>

namespace comodal {

DataRate Pacer::CurrentRate() const { return probe_ ? probe_->cluster.rate : pacing_rate_; }

DataSize Pacer::Drained(DataSize owed, DataRate rate, Timestamp now) const {
  if (!last_drain_.IsFinite() || now <= last_drain_) return owed;
  return std::max(DataSize::Zero(), owed - rate * (now - last_drain_));
}

void Pacer::Drain(Timestamp now) {
  debt_ = Drained(debt_, CurrentRate(), now);
  average_debt_ = Drained(average_debt_, average_rate_, now);
  if (!last_drain_.IsFinite() || now > last_drain_) last_drain_ = now;
}

void Pacer::SetAverageRate(DataRate rate) {
  // The bucket holds time, not bytes: what it owed in sending time at the old rate it owes at
  // the new one (a cut to a quarter does not hold media four times as long).
  if (average_rate_ > DataRate::Zero() && rate > DataRate::Zero()) {
    average_debt_ = average_debt_ * (rate / average_rate_);
  }
  average_rate_ = rate;
}

bool Pacer::AverageAllows() const {
  return probe_ || average_rate_ <= DataRate::Zero() ||
         average_debt_ < average_rate_ * config_.average_window;
}

void Pacer::Account(DataSize size, Timestamp now) {
  Drain(now);
  debt_ += size;
  // A probe sends above the target on purpose: it is not owed afterwards.
  if (!probe_) average_debt_ += size;
  ++stats_.packets_sent;
  stats_.bytes_sent += size;
  if (!probe_) return;
  probe_->sent += size;
  if (probe_->sent >= probe_->cluster.min_size &&
      now - probe_->started >= probe_->cluster.min_duration) {
    probe_.reset();
    ++stats_.probes_finished;
  }
}

void Pacer::Enqueue(Packet packet, Timestamp now) {
  packet.enqueued = now;
  const auto index = static_cast<size_t>(packet.priority);
  queued_bytes_[index] += static_cast<int64_t>(packet.data.size());
  auto& queue = queues_[index];
  if (packet.repair) {
    // Ahead of new packets of its priority, behind the repairs already waiting.
    auto it = std::find_if(queue.begin(), queue.end(), [](const Packet& p) { return !p.repair; });
    queue.insert(it, std::move(packet));
  } else {
    queue.push_back(std::move(packet));
  }
}

DataSize Pacer::queued_size(PacketPriority priority) const {
  const auto end = queued_bytes_.begin() + static_cast<ptrdiff_t>(priority) + 1;
  return DataSize::Bytes(std::accumulate(queued_bytes_.begin(), end, int64_t{0}));
}

size_t Pacer::Discard(PacketPriority priority, const std::function<bool(const Packet&)>& stale) {
  auto& queue = queues_[static_cast<size_t>(priority)];
  const auto kept = std::stable_partition(queue.begin(), queue.end(),
                                          [&](const Packet& packet) { return !stale(packet); });
  const auto removed = static_cast<size_t>(std::distance(kept, queue.end()));
  for (auto it = kept; it != queue.end(); ++it) {
    queued_bytes_[static_cast<size_t>(priority)] -= static_cast<int64_t>(it->data.size());
  }
  queue.erase(kept, queue.end());
  return removed;
}

void Pacer::StartProbe(const ProbeCluster& cluster, Timestamp now) {
  Drain(now);
  probe_ = ActiveProbe{cluster, now};
  ++stats_.probes_started;
}

std::optional<int> Pacer::active_probe_id() const {
  return probe_ ? std::optional<int>(probe_->cluster.id) : std::nullopt;
}

std::deque<Pacer::Packet>* Pacer::FirstNonEmpty() {
  for (size_t i = 1; i < queues_.size(); ++i) {
    if (!queues_[i].empty()) return &queues_[i];
  }
  return nullptr;
}

std::optional<Pacer::Packet> Pacer::TakeNext(Timestamp now) { return Take(now, /*paced=*/true); }

std::optional<Pacer::Packet> Pacer::TakeFirst(Timestamp now) { return Take(now, /*paced=*/false); }

std::optional<Pacer::Packet> Pacer::Take(Timestamp now, bool paced) {
  Drain(now);
  std::deque<Packet>* queue = &queues_[static_cast<size_t>(PacketPriority::kAudio)];
  if (queue->empty()) {
    queue = FirstNonEmpty();
    if (queue == nullptr) return std::nullopt;
    // Audio is never held. The bucket may run max_burst of sending time ahead, no more.
    if (paced && (debt_ >= CurrentRate() * config_.max_burst || !AverageAllows())) {
      return std::nullopt;
    }
  }
  return Take(*queue, now);
}

Pacer::Packet Pacer::Take(std::deque<Packet>& queue, Timestamp now) {
  Packet packet = std::move(queue.front());
  queue.pop_front();
  const DataSize size = DataSize::Bytes(packet.data.size());
  queued_bytes_[static_cast<size_t>(packet.priority)] -= size.bytes();
  if (probe_) packet.probe_cluster_id = probe_->cluster.id;
  Account(size, now);
  return packet;
}

std::optional<DataSize> Pacer::PaddingToSend(Timestamp now) {
  if (!probe_ || FirstNonEmpty() != nullptr ||
      !queues_[static_cast<size_t>(PacketPriority::kAudio)].empty()) {
    return std::nullopt;
  }
  Drain(now);
  if (debt_ >= CurrentRate() * config_.max_burst) return std::nullopt;
  const DataSize still_needed = probe_->cluster.min_size - probe_->sent;
  return std::clamp(still_needed, config_.min_padding_size, config_.max_padding_size);
}

void Pacer::OnPaddingSent(DataSize size, Timestamp now) {
  stats_.padding_sent += size;
  Account(size, now);
}

Timestamp Pacer::NextSendTime(Timestamp now) const {
  if (!queues_[static_cast<size_t>(PacketPriority::kAudio)].empty()) return now;
  const bool media_waiting = std::any_of(queues_.begin() + 1, queues_.end(),
                                         [](const auto& queue) { return !queue.empty(); });
  if (!media_waiting && !probe_) return Timestamp::PlusInfinity();
  const DataRate rate = CurrentRate();
  if (rate <= DataRate::Zero()) return Timestamp::PlusInfinity();
  const DataSize debt = Drained(debt_, rate, now);
  // The first instant a debt is below its allowance again (sizes are whole bytes: one more byte
  // of drain and a microsecond make sure it is).
  auto when = [&](DataSize owed, DataRate drain, DataSize allowance) {
    if (owed < allowance) return now;
    return now + (owed - allowance + DataSize::Bytes(1)) / drain + TimeDelta::Micros(1);
  };
  Timestamp next = when(debt, rate, rate * config_.max_burst);
  if (!probe_ && average_rate_ > DataRate::Zero()) {
    next = std::max(next, when(Drained(average_debt_, average_rate_, now), average_rate_,
                               average_rate_ * config_.average_window));
  }
  return next;
}

bool Pacer::empty() const {
  return std::all_of(queues_.begin(), queues_.end(), [](const auto& q) { return q.empty(); });
}

}  // namespace comodal
