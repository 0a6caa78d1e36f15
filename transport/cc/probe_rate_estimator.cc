#include "transport/cc/probe_rate_estimator.h"

#include <vector>

namespace comodal {

std::vector<ProbeResult> ProbeRateEstimator::OnFeedback(const TransportPacketsFeedback& feedback) {
  std::vector<ProbeResult> results;
  for (const PacketResult& packet : feedback.packets) {
    highest_reported_ = std::max(highest_reported_, packet.sequence_number);
    if (!packet.probe_cluster_id) continue;
    Cluster& c = clusters_[*packet.probe_cluster_id];
    if (c.done) continue;
    ++c.reported;
    c.last_sequence_number = std::max(c.last_sequence_number, packet.sequence_number);
    c.sent_bytes += packet.size;
    if (packet.send_time < c.first_sent) c.first_sent = packet.send_time;
    if (packet.send_time >= c.last_sent) {
      c.last_sent = packet.send_time;
      c.last_sent_size = packet.size;
    }
    if (!packet.received()) continue;
    ++c.received;
    c.received_bytes += packet.size;
    c.arrivals.push_back({packet.send_time, packet.receive_time, packet.size});
    if (packet.receive_time < c.first_received) {
      c.first_received = packet.receive_time;
      c.first_received_size = packet.size;
    }
    if (packet.receive_time > c.last_received) c.last_received = packet.receive_time;
  }
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    Cluster& c = it->second;
    // Feedback reports in sequence order: once a later packet is reported, the whole train is.
    const bool enough = highest_reported_ > c.last_sequence_number &&
                        c.reported >= config_.min_packets &&
                        c.received >= config_.min_received_share * c.reported && c.received >= 2;
    const TimeDelta send_span = c.last_sent - c.first_sent;
    const TimeDelta receive_span = c.last_received - c.first_received;
    if (!c.done && enough && send_span > TimeDelta::Zero() && receive_span > TimeDelta::Zero()) {
      ProbeResult result;
      result.cluster_id = it->first;
      result.sent = (c.sent_bytes - c.last_sent_size) / send_span;
      result.received = (c.received_bytes - c.first_received_size) / receive_span;
      result.saturated = result.received < result.sent * config_.saturation_share;
      if (auto growth = DelayGrowth(c.arrivals);
          growth && *growth > config_.saturation_delay_growth) {
        result.saturated = true;
        result.received = std::min(result.received, result.sent / (1 + *growth));
      }
      if (result.saturated) {
        result.received = std::min(result.sent, EnvelopeRate(c.arrivals, result.received));
      }
      results.push_back(result);
      c.done = true;
    }
    // Answered clusters are remembered (later reports of their packets change nothing) until
    // they are old; unanswered ones are given up then.
    if (c.first_sent.IsFinite() &&
        feedback.feedback_time - c.first_sent > config_.max_cluster_age) {
      it = clusters_.erase(it);
    } else {
      ++it;
    }
  }
  return results;
}

std::optional<double> ProbeRateEstimator::DelayGrowth(std::vector<Cluster::Arrival> arrivals) {
  const size_t third = arrivals.size() / 3;
  if (third < 2) return std::nullopt;
  std::sort(arrivals.begin(), arrivals.end(),
            [](const auto& a, const auto& b) { return a.sent < b.sent; });
  // The fastest packet of each end third: the floor of the delay there, jitter mostly removed.
  auto fastest = [](auto begin, auto end) {
    return *std::min_element(begin, end, [](const auto& a, const auto& b) {
      return a.received - a.sent < b.received - b.sent;
    });
  };
  const auto first = fastest(arrivals.begin(), arrivals.begin() + third);
  const auto last = fastest(arrivals.end() - third, arrivals.end());
  const TimeDelta between = last.sent - first.sent;
  if (between <= TimeDelta::Zero()) return std::nullopt;
  return ((last.received - last.sent) - (first.received - first.sent)) / between;
}

DataRate ProbeRateEstimator::EnvelopeRate(std::vector<Cluster::Arrival> arrivals, DataRate guess) {
  const size_t third = arrivals.size() / 3;
  if (third < 2 || guess <= DataRate::Zero()) return guess;
  std::sort(arrivals.begin(), arrivals.end(),
            [](const auto& a, const auto& b) { return a.received < b.received; });
  // Bytes that left the bottleneck before each packet.
  std::vector<DataSize> before(arrivals.size(), DataSize::Zero());
  for (size_t i = 1; i < arrivals.size(); ++i) before[i] = before[i - 1] + arrivals[i - 1].size;
  DataRate rate = guess;
  // Packet i left the bottleneck at t0 + before[i] / rate and arrived no earlier than that plus
  // the path delay: the packet of each end third that arrived least late on that line is the one
  // jitter delayed least. Two passes, each guess refining the line.
  for (int pass = 0; pass < 2; ++pass) {
    auto least_late = [&](size_t begin, size_t end) {
      size_t best = begin;
      for (size_t i = begin; i < end; ++i) {
        if (arrivals[i].received - before[i] / rate <
            arrivals[best].received - before[best] / rate) {
          best = i;
        }
      }
      return best;
    };
    const size_t a = least_late(0, third);
    const size_t b = least_late(arrivals.size() - third, arrivals.size());
    const TimeDelta span = arrivals[b].received - arrivals[a].received;
    if (span <= TimeDelta::Zero()) break;
    rate = (before[b] - before[a]) / span;
  }
  return rate;
}

}  // namespace comodal
