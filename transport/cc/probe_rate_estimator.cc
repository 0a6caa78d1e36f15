#include "transport/cc/probe_rate_estimator.h"

#include <vector>

namespace comodal {

std::vector<ProbeResult> ProbeRateEstimator::OnFeedback(const TransportPacketsFeedback& feedback) {
  std::vector<ProbeResult> results;
  for (const PacketResult& packet : feedback.packets) {
    if (!packet.probe_cluster_id) continue;
    Cluster& c = clusters_[*packet.probe_cluster_id];
    if (c.done) continue;
    ++c.reported;
    c.sent_bytes += packet.size;
    if (packet.send_time < c.first_sent) c.first_sent = packet.send_time;
    if (packet.send_time >= c.last_sent) {
      c.last_sent = packet.send_time;
      c.last_sent_size = packet.size;
    }
    if (!packet.received()) continue;
    ++c.received;
    c.received_bytes += packet.size;
    if (packet.receive_time < c.first_received) {
      c.first_received = packet.receive_time;
      c.first_received_size = packet.size;
    }
    if (packet.receive_time > c.last_received) c.last_received = packet.receive_time;
  }
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    Cluster& c = it->second;
    const bool enough = c.reported >= config_.min_packets &&
                        c.received >= config_.min_received_share * c.reported && c.received >= 2;
    const TimeDelta send_span = c.last_sent - c.first_sent;
    const TimeDelta receive_span = c.last_received - c.first_received;
    if (!c.done && enough && send_span > TimeDelta::Zero() && receive_span > TimeDelta::Zero()) {
      ProbeResult result;
      result.cluster_id = it->first;
      result.sent = (c.sent_bytes - c.last_sent_size) / send_span;
      result.received = (c.received_bytes - c.first_received_size) / receive_span;
      result.saturated = result.received < result.sent * config_.saturation_share;
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

}  // namespace comodal
