#include "transport/rtp/nack_requester.h"

#include <algorithm>

namespace comodal {

NackRequester::NackRequester(Config config) : config_(config), rtt_(config.initial_rtt) {}

void NackRequester::TrimToMaxSize() {
  while (missing_.size() > config_.max_list_size) {
    missing_.erase(missing_.begin());
    ++stats_.given_up;
  }
}

void NackRequester::OnPacket(uint16_t sequence_number, Timestamp arrival, bool retransmission) {
  const int64_t seq = unwrapper_.Unwrap(sequence_number);
  if (!started_) {
    started_ = true;
    newest_ = seq;
    return;
  }
  if (!retransmission && (seq - newest_ >= kMaxDropout || newest_ - seq >= kMaxDropout)) {
    // The sender restarted its sequence numbers: nothing from before will be sent again.
    stats_.given_up += missing_.size();
    missing_.clear();
    newest_ = seq;
    return;
  }
  if (seq <= newest_) {
    auto it = missing_.find(seq);
    if (it == missing_.end()) return;  // A duplicate, or overtaken and already given up.
    if (it->second.requests > 0) ++stats_.recovered;
    missing_.erase(it);
    return;
  }
  if (retransmission) return;
  // Only the newest max_list_size of a long gap could be kept; the rest are given up at once.
  const int64_t first = std::max(newest_ + 1, seq - static_cast<int64_t>(config_.max_list_size));
  stats_.given_up += static_cast<uint64_t>(first - (newest_ + 1));
  for (int64_t s = first; s < seq; ++s) {
    missing_.emplace(s, Missing{arrival, arrival + std::max(first_delay_, config_.reorder_grace),
                                Timestamp::MinusInfinity(), 0});
  }
  newest_ = seq;
  TrimToMaxSize();
}

void NackRequester::SetRtt(TimeDelta rtt) {
  rtt_ = std::max(rtt, TimeDelta::Zero());
  for (auto& [seq, m] : missing_) {
    if (m.requests > 0) m.due = m.last_requested + RetryInterval();
  }
}

std::vector<uint16_t> NackRequester::TakeRequests(Timestamp now) {
  std::vector<uint16_t> requests;
  for (auto it = missing_.begin(); it != missing_.end();) {
    Missing& m = it->second;
    const bool too_old = now - m.detected > config_.max_packet_age;
    const bool due = m.due <= now;
    if (too_old || (due && m.requests >= config_.max_retries)) {
      it = missing_.erase(it);
      ++stats_.given_up;
      continue;
    }
    if (due) {
      requests.push_back(static_cast<uint16_t>(it->first));
      ++m.requests;
      ++stats_.requested;
      m.last_requested = now;
      m.due = now + RetryInterval();
    }
    ++it;
  }
  return requests;
}

void NackRequester::ClearUpTo(uint16_t sequence_number) {
  const auto end = missing_.lower_bound(unwrapper_.PeekUnwrap(sequence_number));
  stats_.cleared += static_cast<uint64_t>(std::distance(missing_.begin(), end));
  missing_.erase(missing_.begin(), end);
}

Timestamp NackRequester::NextRequestTime() const {
  Timestamp next = Timestamp::PlusInfinity();
  for (const auto& [seq, m] : missing_) next = std::min(next, m.due);
  return next;
}

}  // namespace comodal
