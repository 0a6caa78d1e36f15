#include "transport/cc/congestion_controller.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace comodal {

std::string_view RateChangeReasonName(RateChangeReason reason) {
  switch (reason) {
    case RateChangeReason::kStart:
      return "start";
    case RateChangeReason::kProbe:
      return "probe";
    case RateChangeReason::kAdditiveIncrease:
      return "additive-increase";
    case RateChangeReason::kQueueGrowing:
      return "queue-growing";
    case RateChangeReason::kHighLoss:
      return "high-loss";
    case RateChangeReason::kFeedbackLost:
      return "feedback-lost";
    case RateChangeReason::kRecoveredAfterDrain:
      return "recovered-after-drain";
    case RateChangeReason::kFeedbackReturned:
      return "feedback-returned";
    case RateChangeReason::kLimitsChanged:
      return "limits-changed";
  }
  return "unknown";
}

std::string_view CongestionPhaseName(CongestionController::Phase phase) {
  switch (phase) {
    case CongestionController::Phase::kStartup:
      return "startup";
    case CongestionController::Phase::kSteady:
      return "steady";
    case CongestionController::Phase::kDraining:
      return "draining";
    case CongestionController::Phase::kNoFeedback:
      return "no-feedback";
    case CongestionController::Phase::kRecovering:
      return "recovering";
  }
  return "unknown";
}

CongestionController::CongestionController(Config config, Timestamp start)
    : config_(std::move(config)),
      target_(std::clamp(config_.start_rate, config_.min_rate, config_.max_rate)),
      probe_estimator_(ProbeRateEstimator::Config{.min_packets = config_.probe_min_packets}),
      last_increase_(start) {}

NetworkControlUpdate CongestionController::Start(Timestamp now) {
  changed_ = RateChangeReason::kStart;
  stats_.last_reason = RateChangeReason::kStart;
  for (double multiplier : config_.initial_probe_multipliers) AddProbe(target_ * multiplier, now);
  return Output();
}

NetworkControlUpdate CongestionController::Output() {
  NetworkControlUpdate update;
  update.target_rate = target_;
  // Held by the path, packets leave barely faster than the target (a burst would queue in the
  // modem); at the top of the ladder with headroom shown (a LAN, LEO), bursts (keyframes) leave
  // fast and wait nowhere.
  const bool headroom = !link_limited_ && target_ >= config_.max_rate * 0.95;
  update.pacing_rate =
      target_ * (headroom ? config_.headroom_pacing_factor : config_.pacing_factor);
  update.probes = std::move(pending_probes_);
  pending_probes_.clear();
  update.changed = std::exchange(changed_, std::nullopt);
  return update;
}

void CongestionController::SetTarget(DataRate rate, RateChangeReason reason) {
  rate = std::clamp(rate, config_.min_rate, config_.max_rate);
  if (rate == target_) return;
  target_ = rate;
  // The first reason of an input stands (a probe's jump, not the increase after it).
  if (!changed_) changed_ = reason;
  stats_.last_reason = reason;
}

void CongestionController::AddProbe(DataRate rate, Timestamp now) {
  rate = std::min(rate, config_.max_rate * 1.1);
  ProbeCluster cluster;
  cluster.id = next_probe_id_++;
  cluster.rate = rate;
  const TimeDelta duration = std::clamp(jitter_ * config_.probe_jitter_multiple,
                                        config_.probe_duration, config_.max_probe_duration);
  cluster.min_duration = duration;
  cluster.min_size = std::max(rate * duration, DataSize::Bytes(200) * config_.probe_min_packets);
  // The queue a probe builds is its own, not congestion: delays of packets sent until it can
  // have drained (at the current target) do not count toward growth. Probes run one after the
  // other.
  const Timestamp probe_start = std::max(now, quiet_until_);
  quiet_until_ = probe_start + duration * std::max(1.0, rate / target_);
  pending_probes_.push_back(cluster);
  last_probe_ = now;
  last_probe_id_ = cluster.id;
  ++stats_.probes_sent;
}

void CongestionController::EnterDrain(DataRate delivered) {
  link_limited_ = true;
  phase_ = Phase::kDraining;
  if (!delivered.IsZero()) {
    delivered_at_backoff_ = delivered;
    UpdateCapacity(delivered);
  }
}

double CongestionController::DrainFactor() const {
  return std::max(0.5, config_.backoff - queue_delay_ / config_.drain_time);
}

void CongestionController::UpdateCapacity(DataRate measured) {
  stats_.capacity_estimate = stats_.capacity_estimate.IsZero()
                                 ? measured
                                 : stats_.capacity_estimate * 0.7 + measured * 0.3;
}

void CongestionController::OnPacketSent(const SentPacket& packet) {
  if (!first_unreported_send_.IsFinite()) first_unreported_send_ = packet.send_time;
}

void CongestionController::OnRoundTripTime(TimeDelta rtt) {
  if (rtt > TimeDelta::Zero()) rtt_ = rtt;
}

TimeDelta CongestionController::rtt() const {
  if (rtt_) return *rtt_;
  if (feedback_rtt_) return *feedback_rtt_;
  return config_.initial_rtt;
}

TimeDelta CongestionController::BaseDelay() const {
  TimeDelta base = TimeDelta::PlusInfinity();
  for (const DelayPoint& point : base_history_) {
    if (point.at >= base_since_) base = std::min(base, point.min_delay);
  }
  return base;
}

std::pair<TimeDelta, TimeDelta> CongestionController::Growth(Timestamp now) const {
  // The points of the window, and the one just before it as the anchor.
  auto first = std::find_if(delay_history_.begin(), delay_history_.end(), [&](const DelayPoint& p) {
    return p.at >= now - config_.growth_window;
  });
  if (first != delay_history_.begin()) --first;
  // Delays of packets sent before the last decrease show the queue it already acts on.
  while (first != delay_history_.end() && first->first_send < last_decrease_) ++first;
  if (std::distance(first, delay_history_.end()) < 3) return {TimeDelta::Zero(), TimeDelta::Zero()};
  TimeDelta step = TimeDelta::Zero();
  for (auto it = std::next(first); it != delay_history_.end(); ++it) {
    step = std::max(step, it->min_delay - std::prev(it)->min_delay);
  }
  TimeDelta growth = delay_history_.back().min_delay - first->min_delay;
  if (step > config_.step_threshold) growth -= step;
  return {growth, step};
}

DataRate CongestionController::DeliveryRate(bool busy_only, TimeDelta window) const {
  Timestamp newest = Timestamp::MinusInfinity();
  for (const Delivered& d : delivered_) {
    if (d.receive_time.IsFinite()) newest = std::max(newest, d.receive_time);
  }
  std::vector<const Delivered*> arrivals;
  for (const Delivered& d : delivered_) {
    if (d.receive_time.IsFinite() && d.receive_time >= newest - window) arrivals.push_back(&d);
  }
  std::sort(arrivals.begin(), arrivals.end(), [](const Delivered* a, const Delivered* b) {
    return a->receive_time < b->receive_time;
  });
  const TimeDelta base = BaseDelay();
  const TimeDelta busy_threshold = std::max(config_.queue_low, jitter_ * 2);
  // A packet that waited in a queue left a bottleneck that had work: the rate such packets
  // arrive at is what the bottleneck serves. Only runs of consecutive waiting packets count,
  // each from its first arrival to its last: a gap where the queue ran empty says how much
  // there was to send, not how fast the path sends it.
  DataSize bytes = DataSize::Zero();
  TimeDelta span = TimeDelta::Zero();
  int packets = 0;
  const Delivered* run_start = nullptr;
  const Delivered* previous = nullptr;
  for (const Delivered* d : arrivals) {
    const bool busy = !busy_only || d->receive_time - d->send_time - base > busy_threshold;
    if (!busy) {
      run_start = nullptr;
      continue;
    }
    if (run_start == nullptr) {
      run_start = d;  // Its bytes left before the run's first arrival: not counted.
    } else {
      bytes += d->size;
      span += d->receive_time - previous->receive_time;
      ++packets;
    }
    previous = d;
  }
  if (packets < 4 || span < TimeDelta::Millis(50)) return DataRate::Zero();
  return bytes / span;
}

double CongestionController::LossRatio(Timestamp now) const {
  int total = 0;
  int lost = 0;
  for (const Delivered& d : delivered_) {
    if (d.reported_at < now - config_.loss_window) continue;
    ++total;
    lost += !d.receive_time.IsFinite();
  }
  return total >= 10 ? static_cast<double>(lost) / total : 0.0;
}

void CongestionController::UpdateDelay(const TransportPacketsFeedback& feedback) {
  const Timestamp now = feedback.feedback_time;
  TimeDelta min_all = TimeDelta::PlusInfinity();
  TimeDelta min_clean = TimeDelta::PlusInfinity();
  TimeDelta sum = TimeDelta::Zero();
  int received = 0;
  Timestamp first_send = Timestamp::PlusInfinity();
  for (const PacketResult& packet : feedback.packets) {
    delivered_.push_back({packet.send_time, packet.receive_time, packet.size, now});
    if (!packet.received()) continue;
    const TimeDelta delay = packet.receive_time - packet.send_time;
    min_all = std::min(min_all, delay);
    sum += delay;
    ++received;
    if (packet.send_time >= quiet_until_) {
      min_clean = std::min(min_clean, delay);
      first_send = std::min(first_send, packet.send_time);
    }
    // Feedback leaves the receiver some time after the packet arrived: the newest packet's
    // answer bounds the round trip from above.
    const TimeDelta answer = now - packet.send_time;
    if (!feedback_rtt_ || answer < *feedback_rtt_) feedback_rtt_ = answer;
  }
  const TimeDelta keep = std::max(config_.loss_window, config_.growth_window);
  while (!delivered_.empty() && delivered_.front().reported_at < now - keep) delivered_.pop_front();

  if (min_all.IsFinite()) {
    base_history_.push_back({now, min_all, first_send});
    // How far a packet's delay strays above the fastest one's (jitter, and our own bursts):
    // probes must be long against it.
    const TimeDelta spread = sum / received - min_all;
    jitter_ = jitter_ * 0.9 + spread * 0.1;
    stats_.jitter = jitter_;
  }
  while (base_history_.size() > 1 && base_history_.front().at < now - config_.base_window) {
    base_history_.pop_front();
  }
  if (min_clean.IsFinite()) {
    delay_history_.push_back({now, min_clean, first_send});
    while (delay_history_.size() > 1 && delay_history_.front().at < now - config_.base_window) {
      delay_history_.pop_front();
    }
    const TimeDelta base = BaseDelay();
    if (base.IsFinite()) queue_delay_ = std::max(TimeDelta::Zero(), min_clean - base);
  }
  stats_.queue_delay = queue_delay_;
}

void CongestionController::OnProbeResult(const ProbeResult& result, Timestamp now) {
  ++stats_.probes_answered;
  const DataRate capacity = result.capacity();
  link_limited_ = result.saturated;
  // The probe that follows one showing the path well above the estimate (a chain climbing after
  // the path grew) is the first measure of the new capacity: averaged with the old one, it would
  // leave the target far below it (after a rise from 1 to 2.5 Mbit/s, 1.5 Mbit/s and four more
  // probes). A probe a little above the estimate is the path's jitter as often as growth, and
  // the average stays (taken as it is, such measures left three flows sharing a bottleneck up
  // to 29 % from a fair share).
  const bool after_growth = result.saturated && path_grew_ && result.cluster_id == last_probe_id_;
  saturated_probes_ = result.saturated ? saturated_probes_ + 1 : 0;
  path_grew_ = !result.saturated && (stats_.capacity_estimate.IsZero() ||
                                     capacity > stats_.capacity_estimate * config_.growth_shown);
  // A probe a little over a link at capacity is held back neither by a share nor by a delay
  // growth that jitter lets one tell (at 1.12 x capacity both are within it): "not held back" by
  // less than growth_shown over the estimate joins the estimate like a measure, and the
  // follow-up at twice the rate decides whether the path grew. Taken as the capacity, it sent
  // the target over a 1 Mbit/s GEO link for a round trip (a 180 ms queue).
  const bool unclear = phase_ == Phase::kSteady && !result.saturated && !path_grew_ &&
                       !stats_.capacity_estimate.IsZero();
  if (after_growth) {
    stats_.capacity_estimate = capacity;
  } else if (result.saturated || unclear) {
    UpdateCapacity(capacity);
  } else if (capacity > stats_.capacity_estimate) {
    // The path carries more than the estimate: it has grown; start over from what was shown.
    stats_.capacity_estimate = capacity;
  }
  if (phase_ == Phase::kRecovering) {
    // The probe at the rate before the outage: back to it if the path carries it.
    ++stats_.recoveries;
    phase_ = Phase::kSteady;
    const DataRate carried = result.saturated ? capacity * config_.probe_share : capacity;
    SetTarget(std::max(target_, std::min(rate_before_outage_, carried)),
              RateChangeReason::kFeedbackReturned);
    return;
  }
  if (phase_ == Phase::kNoFeedback || phase_ == Phase::kDraining) return;
  // A queue stands: a probe through it measures a share of a full link, not spare capacity.
  if (queue_delay_ > config_.queue_target) return;
  // A saturated train measures the capacity within the path's jitter: the running estimate
  // smooths that out.
  const DataRate shown =
      result.saturated || unclear ? std::min(capacity, stats_.capacity_estimate) : capacity;
  const DataRate next = shown * config_.probe_share;
  if (next > target_) SetTarget(next, RateChangeReason::kProbe);
  if (result.saturated) {
    if (phase_ == Phase::kStartup) phase_ = Phase::kSteady;
    // At or above what the path carries, the queue the probe left would never drain (and
    // would be taken for a path step): settle below the measure.
    if (target_ > next && result.cluster_id == last_probe_id_) {
      SetTarget(next, RateChangeReason::kProbe);
    }
    return;
  }
  // Not held back: the path carries more. The newest probe leads to the next, higher one.
  if (result.cluster_id == last_probe_id_ && target_ < config_.max_rate) {
    AddProbe(capacity * config_.probe_growth, now);
  }
}

NetworkControlUpdate CongestionController::OnTransportFeedback(
    const TransportPacketsFeedback& feedback) {
  const Timestamp now = feedback.feedback_time;
  ++stats_.feedbacks;
  first_unreported_send_ = Timestamp::PlusInfinity();
  UpdateDelay(feedback);
  stats_.delivered = DeliveryRate(/*busy_only=*/false, config_.delivery_window);

  if (phase_ == Phase::kNoFeedback) {
    // The link is back: one probe at the rate before the outage decides how far to return.
    // Until it answers (a round trip), media goes at the rate a session starts at, so that
    // pictures come back a round trip sooner; a path that came back narrower than that is
    // handled as at the start.
    phase_ = Phase::kRecovering;
    AddProbe(rate_before_outage_, now);
    const DataRate resume = std::min(rate_before_outage_, config_.start_rate);
    if (resume > target_) SetTarget(resume, RateChangeReason::kFeedbackReturned);
  }
  for (const ProbeResult& result : probe_estimator_.OnFeedback(feedback)) {
    OnProbeResult(result, now);
  }

  const TimeDelta rtt_now = rtt();
  const bool can_decrease = now - last_decrease_ > rtt_now + TimeDelta::Millis(100);
  stats_.loss = LossRatio(now);
  if (phase_ == Phase::kDraining && queue_delay_ > config_.queue_target) {
    // The back-off was taken from what arrived in the round trip after a capacity drop, partly
    // at the old rate. While the queue stands, the bottleneck serves at its new capacity and
    // every feedback measures it better: follow it down at once, not a round trip later, or
    // the queue stays full (and the buffer drops) for round trips more. Only when the path
    // delivers clearly less than the target: after a path step (a LEO handover) the delay is
    // high too, but all that is sent arrives.
    const DataRate delivered = DeliveryRate(/*busy_only=*/true, config_.delivery_window);
    if (!delivered.IsZero() && delivered < target_ * config_.backoff) {
      const DataRate corrected = delivered * DrainFactor();
      if (corrected < target_) {
        ++stats_.drain_corrections;
        delivered_at_backoff_ = std::min(delivered_at_backoff_, delivered);
        UpdateCapacity(delivered);
        SetTarget(corrected, RateChangeReason::kQueueGrowing);
        return Output();
      }
    }
  }
  if (stats_.loss > config_.high_loss && can_decrease) {
    ++stats_.loss_backoffs;
    last_decrease_ = now;
    if (!stats_.delivered.IsZero()) {
      delivered_at_backoff_ = std::min(delivered_at_backoff_, stats_.delivered);
    }
    DataRate next = target_ * (1 - 0.5 * stats_.loss);
    // Packets that waited in a queue measure what the path serves: a buffer that drops this much
    // is full, and cutting the target by the loss alone can leave it far above the path (after
    // a drop from 2.5 to 0.6 Mbit/s, four round trips of cuts). Go below the path at once and
    // drain, as for a growing queue.
    const DataRate busy = DeliveryRate(/*busy_only=*/true, config_.delivery_window);
    if (!busy.IsZero() && busy * DrainFactor() < next) {
      next = busy * DrainFactor();
      EnterDrain(busy);
    }
    SetTarget(next, RateChangeReason::kHighLoss);
    return Output();
  }

  const auto [growth, step] = Growth(now);
  if (step > config_.step_threshold) {
    last_step_ = now;
    last_step_size_ = step;
  }
  // Only a jump explains most of the height: a queue that crept up and stopped is still ours.
  const bool stepped = now - last_step_ <= config_.rebase_after + config_.growth_window &&
                       last_step_size_ * 2 >= queue_delay_;
  // A queue above the target that no path step explains, measured on packets sent after the
  // last decrease and not draining: ours, even when it creeps up too slowly for the growth test
  // (a rate a few per cent over capacity).
  const bool fresh = !delay_history_.empty() && delay_history_.back().first_send > last_decrease_;
  if (queue_delay_ > config_.queue_target && !stepped && fresh && growth > -config_.min_growth) {
    if (!standing_since_.IsFinite()) standing_since_ = now;
  } else {
    standing_since_ = Timestamp::PlusInfinity();
  }
  const bool standing =
      standing_since_.IsFinite() && now - standing_since_ >= config_.growth_window;
  const bool overuse =
      queue_delay_ > config_.queue_target && (growth > config_.min_growth || standing);
  if (overuse && can_decrease) {
    // Below what the path delivers, and deeper the longer the queue, so that it drains within
    // about `drain_time`.
    // The newest part of the window alone, when it shows less: the capacity has just dropped,
    // and the older arrivals left the bottleneck at the old rate.
    DataRate delivered = DeliveryRate(/*busy_only=*/true, config_.delivery_window);
    const DataRate newest = DeliveryRate(/*busy_only=*/true, config_.delivery_window / 2);
    if (!newest.IsZero() && (delivered.IsZero() || newest < delivered)) delivered = newest;
    if (delivered.IsZero()) delivered = stats_.delivered;
    const double factor = DrainFactor();
    const DataRate reference = delivered.IsZero() ? target_ : std::min(target_, delivered);
    EnterDrain(delivered);
    ++stats_.backoffs;
    last_decrease_ = now;
    elevated_since_ = Timestamp::PlusInfinity();
    standing_since_ = Timestamp::PlusInfinity();
    SetTarget(reference * factor, RateChangeReason::kQueueGrowing);
    return Output();
  }

  if (queue_delay_ > config_.queue_target && !overuse) {
    // High but not growing: a path change (or someone else's queue). Once it has stayed flat
    // for `rebase_after`, it becomes the base.
    const bool flat = growth < config_.min_growth && growth > -config_.min_growth;
    if (!flat || !stepped || now - last_decrease_ < rtt_now) {
      elevated_since_ = Timestamp::PlusInfinity();
    } else if (!elevated_since_.IsFinite()) {
      elevated_since_ = now;
    } else if (now - elevated_since_ >= config_.rebase_after) {
      ++stats_.rebases;
      base_since_ = elevated_since_;
      elevated_since_ = Timestamp::PlusInfinity();
      const TimeDelta base = BaseDelay();
      if (base.IsFinite()) queue_delay_ = delay_history_.back().min_delay - base;
      if (phase_ == Phase::kDraining) phase_ = Phase::kSteady;
    }
  } else {
    elevated_since_ = Timestamp::PlusInfinity();
  }

  if (phase_ == Phase::kDraining && queue_delay_ < config_.queue_low) {
    phase_ = Phase::kSteady;
    // What arrived while the queue stood, measured over a few hundred milliseconds, reads high
    // on a jittery path (arrivals bunch: 1.1 Mbit/s on a 1 Mbit/s link with 30 ms of jitter); the
    // capacity estimate averages it with the measurements before it.
    DataRate reference = delivered_at_backoff_;
    if (!stats_.capacity_estimate.IsZero()) {
      reference = std::min(reference, stats_.capacity_estimate);
    }
    const DataRate restore = reference * config_.recovery_share;
    if (restore > target_) SetTarget(restore, RateChangeReason::kRecoveredAfterDrain);
    last_increase_ = now;
  } else if (phase_ != Phase::kDraining && queue_delay_ < config_.queue_low &&
             now - last_decrease_ > rtt_now) {
    const TimeDelta since = std::min(now - last_increase_, TimeDelta::Millis(250));
    if (since > TimeDelta::Zero() && target_ < config_.max_rate) {
      ++stats_.increases;
      // Near what the path was last seen to carry, a quarter of the step: the queue that
      // overshooting builds takes a round trip to show.
      const bool near_capacity = !stats_.capacity_estimate.IsZero() &&
                                 target_ >= stats_.capacity_estimate * config_.near_capacity_share;
      const DataRate increase = config_.additive_increase * since.seconds_f();
      SetTarget(target_ + (near_capacity ? increase / 4 : increase),
                RateChangeReason::kAdditiveIncrease);
    }
    last_increase_ = now;
  } else {
    last_increase_ = now;
  }
  return Output();
}

NetworkControlUpdate CongestionController::OnProcessInterval(Timestamp now) {
  const TimeDelta rtt_now = rtt();
  if (phase_ != Phase::kNoFeedback && first_unreported_send_.IsFinite() &&
      now - first_unreported_send_ > rtt_now + config_.feedback_timeout) {
    // Packets went out and nothing came back: the link (or its return path) is down. Back off
    // at once rather than keep filling a buffer nobody drains.
    ++stats_.feedback_timeouts;
    if (phase_ != Phase::kRecovering) rate_before_outage_ = target_;
    phase_ = Phase::kNoFeedback;
    last_outage_step_ = now;
    SetTarget(target_ * 0.5, RateChangeReason::kFeedbackLost);
  } else if (phase_ == Phase::kNoFeedback) {
    if (now - last_outage_step_ >= rtt_now && target_ > config_.min_rate) {
      last_outage_step_ = now;
      SetTarget(target_ * 0.5, RateChangeReason::kFeedbackLost);
    }
    // A trickle of small probes: the first feedback after the link returns ends the outage.
    if (now - last_probe_ >= config_.outage_probe_interval) AddProbe(config_.min_rate, now);
  } else if (phase_ == Phase::kRecovering) {
    if (now - last_probe_ >= rtt_now + TimeDelta::Millis(500)) AddProbe(rate_before_outage_, now);
  } else if (phase_ != Phase::kDraining && queue_delay_ < config_.queue_low &&
             target_ < config_.max_rate && now - last_probe_ >= config_.probe_interval &&
             now - last_decrease_ >= config_.probe_interval) {
    AddProbe(
        target_ * (saturated_probes_ > 0 ? config_.limited_probe_gain : config_.steady_probe_gain),
        now);
  }
  return Output();
}

NetworkControlUpdate CongestionController::SetLimits(DataRate min_rate, DataRate max_rate,
                                                     Timestamp /*now*/) {
  config_.min_rate = min_rate;
  config_.max_rate = std::max(min_rate, max_rate);
  SetTarget(target_, RateChangeReason::kLimitsChanged);
  return Output();
}

}  // namespace comodal
