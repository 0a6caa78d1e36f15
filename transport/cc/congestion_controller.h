#ifndef TRANSPORT_CC_CONGESTION_CONTROLLER_H_
#define TRANSPORT_CC_CONGESTION_CONTROLLER_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "transport/cc/pacer.h"
#include "transport/cc/probe_rate_estimator.h"
#include "transport/cc/transport_feedback_adapter.h"
#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// Why the target rate last changed (kept in stats and logged by the caller).
enum class RateChangeReason : uint8_t {
  kStart,
  kProbe,                // A probe showed the path carries more.
  kAdditiveIncrease,     // The queue stayed empty: a fixed step per second.
  kQueueGrowing,         // Our own queue grew past the target delay: back off below delivery.
  kHighLoss,             // Loss far beyond random loss, with or without a queue.
  kFeedbackLost,         // No feedback for longer than the path explains: toward the floor.
  kRecoveredAfterDrain,  // The queue we caused has drained: back near what the path delivered.
  kFeedbackReturned,     // Feedback is back after an outage and a probe confirmed the old rate.
  kLimitsChanged,        // The caller moved the minimum or maximum.
};
std::string_view RateChangeReasonName(RateChangeReason reason);

// What the caller does after an input: send at `target_rate` (the encoders' budget), pace at
// `pacing_rate`, and start `probes` (in order, one after the other) on the pacer.
struct NetworkControlUpdate {
  DataRate target_rate = DataRate::Zero();
  DataRate pacing_rate = DataRate::Zero();
  std::vector<ProbeCluster> probes;
  // Set when this input changed the target rate.
  std::optional<RateChangeReason> changed;
};

// The congestion controller for one flow (every stream to one peer; DESIGN.md principle 2),
// designed for satellite paths rather than for terrestrial round trips:
//
// - Capacity is found by probing, not by RTT-paced additive steps: bursts of packets at 3 and 6
//   times the start rate, then at twice what the last probe showed while it was not held back,
//   measure the path by their dispersion (ProbeRateEstimator). At a 600 ms round trip, GCC's
//   additive step (one packet per 2 x (RTT + 100 ms)) gains some 7 kbit/s a second; a probe
//   answers in one round trip.
// - The congestion signal is the growth of our own queue: the one-way delay of each feedback's
//   fastest packet above the base (the smallest seen in the last `base_window`). A delay that
//   rises and keeps rising while it is above `queue_target` is a queue we build; a delay that
//   jumps once and then stays flat is a path change (a LEO handover re-plans the path every
//   15 s), and after `rebase_after` the base moves to it with no rate cut. The growth test
//   leaves out the largest single step of the window for that reason. A queue that stands above
//   `queue_target` for a growth window with no step to explain it is ours too, however slowly
//   it crept up (a rate a few per cent over capacity).
// - A probe the path held back (saturated) also caps the target at `probe_share` of what it
//   measured: sitting at capacity, the queue the probe left would never drain.
// - A back-off goes below what the path delivered (`backoff` of it, deeper when the queue is
//   long, so that it drains in about `drain_time`), once per round trip; once the queue has
//   drained, the rate returns to `recovery_share` of what was delivered while the queue stood,
//   so that a capacity drop costs one dip, not a slow climb back.
// - Between probes the rate grows by a fixed `additive_increase` per second, the same for every
//   flow whatever its rate, so that flows sharing a bottleneck converge to fair shares (each
//   back-off is proportional, each increase equal: Chiu & Jain 1989).
// - Loss alone is not congestion on these links (1-3 % random loss, bursts at LEO handovers):
//   only loss above `high_loss` over a second backs off.
// - No feedback for a round trip plus `feedback_timeout` while packets were sent: the link is
//   taken as down, the rate halves each round trip to `min_rate`, and small probes keep going
//   out every `outage_probe_interval`; when feedback returns, one probe at the rate before the
//   outage restores it in about one round trip.
//
// A pure state machine: each input carries its time, each output is a value for the caller.
class CongestionController {
 public:
  struct Config {
    DataRate start_rate = DataRate::KilobitsPerSec(300);
    DataRate min_rate = DataRate::KilobitsPerSec(40);
    DataRate max_rate = DataRate::KilobitsPerSec(2500);
    // The pacer drains at this multiple of the target: bursts (keyframes) are smoothed, and the
    // bucket still catches up after a pause.
    double pacing_factor = 1.25;
    // At the top of the ladder while the last measurement showed headroom (a probe the path did
    // not hold back).
    double headroom_pacing_factor = 2.5;
    // Probes at start, as multiples of the start rate; each probe that is not held back is
    // followed by one at `probe_growth` times what it measured.
    std::vector<double> initial_probe_multipliers = {3.0, 6.0};
    double probe_growth = 2.0;
    // In steady state a probe at `steady_probe_gain` x target goes out every
    // `probe_interval` while the queue is empty and the target is below the maximum. After a
    // probe the path held back (the target sits at what it carries), the next is smaller,
    // `limited_probe_gain`: at capacity a probe only builds a queue, and it needs only show that
    // the path has grown (then the probes that follow it double). Probing less often was
    // tried: at 10 s, the rise of RFC 8867 §5.1 was found too late for 85 % within 15 s.
    double steady_probe_gain = 1.5;
    double limited_probe_gain = 1.25;
    TimeDelta probe_interval = TimeDelta::Seconds(5);
    // A probe lasts this long at least, and `probe_jitter_multiple` times the delay spread
    // measured on the path (its dispersion must stand out of the jitter), up to the maximum.
    TimeDelta probe_duration = TimeDelta::Millis(100);
    double probe_jitter_multiple = 10;
    TimeDelta max_probe_duration = TimeDelta::Millis(400);
    int probe_min_packets = 6;
    // The share of a probe's measured capacity taken as the target.
    double probe_share = 0.92;
    // A probe the path did not hold back showing this much more than the capacity estimate: the
    // path has grown, and the next probe's measure replaces the estimate instead of joining it.
    double growth_shown = 1.2;
    // Delay above the base: above `queue_target` a growing queue is congestion; below
    // `queue_low` the queue is empty enough to grow or probe.
    TimeDelta queue_target = TimeDelta::Millis(50);
    TimeDelta queue_low = TimeDelta::Millis(25);
    // Growth, over the last `growth_window` of feedback, beyond which the queue is building.
    TimeDelta growth_window = TimeDelta::Millis(300);
    TimeDelta min_growth = TimeDelta::Millis(6);
    // A single rise between two feedbacks above this is a step the growth test leaves out.
    TimeDelta step_threshold = TimeDelta::Millis(12);
    TimeDelta rebase_after = TimeDelta::Seconds(1);
    TimeDelta base_window = TimeDelta::Seconds(10);
    double backoff = 0.85;
    // The delivery rate is measured over this much of the latest arrivals.
    TimeDelta delivery_window = TimeDelta::Millis(400);
    TimeDelta drain_time = TimeDelta::Seconds(2);
    double recovery_share = 0.9;
    DataRate additive_increase = DataRate::KilobitsPerSec(20);  // Per second.
    // Above this share of the last capacity measured, the increase is a quarter as fast.
    double near_capacity_share = 0.95;
    double high_loss = 0.3;
    TimeDelta loss_window = TimeDelta::Seconds(1);
    TimeDelta feedback_timeout = TimeDelta::Millis(600);  // Beyond one round trip.
    TimeDelta outage_probe_interval = TimeDelta::Seconds(1);
    TimeDelta initial_rtt = TimeDelta::Millis(600);  // Until RTCP or feedback measures it.
  };

  enum class Phase : uint8_t { kStartup, kSteady, kDraining, kNoFeedback, kRecovering };

  struct Stats {
    uint64_t feedbacks = 0;
    uint64_t probes_sent = 0;
    uint64_t probes_answered = 0;
    uint64_t increases = 0;
    uint64_t backoffs = 0;  // For a growing queue.
    uint64_t loss_backoffs = 0;
    // Back-offs deepened while draining, as the delivery rate showed a capacity below the one
    // the back-off was taken from.
    uint64_t drain_corrections = 0;
    uint64_t rebases = 0;  // Base delay moved to a path change, no rate cut.
    uint64_t feedback_timeouts = 0;
    uint64_t recoveries = 0;                    // After an outage.
    TimeDelta queue_delay = TimeDelta::Zero();  // The last estimate.
    double loss = 0;                            // Over the last loss window.
    DataRate delivered = DataRate::Zero();      // The last measured delivery rate.
    DataRate capacity_estimate = DataRate::Zero();
    TimeDelta jitter = TimeDelta::Zero();  // Smoothed delay spread above the fastest packet.
    std::optional<RateChangeReason> last_reason;
  };

  CongestionController(Config config, Timestamp start);

  // The first update: the start rate and the initial probes.
  [[nodiscard]] NetworkControlUpdate Start(Timestamp now);
  void OnPacketSent(const SentPacket& packet);
  [[nodiscard]] NetworkControlUpdate OnTransportFeedback(const TransportPacketsFeedback& feedback);
  void OnRoundTripTime(TimeDelta rtt);
  // Called every few tens of milliseconds: feedback timeouts and periodic probes.
  [[nodiscard]] NetworkControlUpdate OnProcessInterval(Timestamp now);
  [[nodiscard]] NetworkControlUpdate SetLimits(DataRate min_rate, DataRate max_rate, Timestamp now);

  DataRate target_rate() const { return target_; }
  Phase phase() const { return phase_; }
  const Stats& stats() const { return stats_; }
  const Config& config() const { return config_; }
  // RTCP's measure, else an upper bound from feedback, else the configured guess.
  TimeDelta rtt() const;

 private:
  struct DelayPoint {
    Timestamp at;          // Feedback time.
    TimeDelta min_delay;   // The fastest packet's one-way delay (sender and receiver clocks).
    Timestamp first_send;  // The earliest send time among the packets it is taken over.
  };
  struct Delivered {
    Timestamp send_time;
    Timestamp receive_time;  // +inf: lost.
    DataSize size;
    Timestamp reported_at;
  };

  NetworkControlUpdate Output();
  void SetTarget(DataRate rate, RateChangeReason reason);
  void AddProbe(DataRate rate, Timestamp now);
  TimeDelta BaseDelay() const;
  // Delay growth over the growth window with the largest single step left out; and that step.
  std::pair<TimeDelta, TimeDelta> Growth(Timestamp now) const;
  // Over the delivery window; only packets that waited in a queue if `busy_only` (zero when too
  // few).
  DataRate DeliveryRate(bool busy_only, TimeDelta window) const;
  // The share of the delivery rate a back-off goes to: deeper the longer the queue, so that it
  // drains within about drain_time.
  double DrainFactor() const;
  // A back-off below what the path delivered (zero: not measured) while a queue stood: that is
  // the path's capacity, the rate to restore once the queue has drained, and the phase drains.
  void EnterDrain(DataRate delivered);
  // A capacity measurement (a saturated probe, delivery while a queue stood) into the estimate.
  void UpdateCapacity(DataRate measured);
  double LossRatio(Timestamp now) const;
  void OnProbeResult(const ProbeResult& result, Timestamp now);
  void UpdateDelay(const TransportPacketsFeedback& feedback);

  Config config_;
  Phase phase_ = Phase::kStartup;
  DataRate target_;
  std::optional<RateChangeReason> changed_;
  std::optional<TimeDelta> rtt_;
  std::optional<TimeDelta> feedback_rtt_;
  ProbeRateEstimator probe_estimator_;
  int next_probe_id_ = 1;
  int last_probe_id_ = 0;
  std::vector<ProbeCluster> pending_probes_;
  Timestamp last_probe_ = Timestamp::MinusInfinity();
  // Packets sent before this may queue behind a probe: their delays are not a growth signal.
  Timestamp quiet_until_ = Timestamp::MinusInfinity();

  // Per feedback, the fastest packet's one-way delay: of all packets (the base), and of those
  // sent outside probe queues (the queue estimate), over the base window.
  std::deque<DelayPoint> base_history_;
  std::deque<DelayPoint> delay_history_;
  // Base points older than this are ignored (a rebase moves it).
  Timestamp base_since_ = Timestamp::MinusInfinity();
  TimeDelta queue_delay_ = TimeDelta::Zero();
  TimeDelta jitter_ = TimeDelta::Zero();
  Timestamp elevated_since_ = Timestamp::PlusInfinity();
  // Since when the queue has stood above the target with no path step to explain it.
  Timestamp standing_since_ = Timestamp::PlusInfinity();
  // The last single rise between two feedbacks above the step threshold.
  Timestamp last_step_ = Timestamp::MinusInfinity();
  TimeDelta last_step_size_ = TimeDelta::Zero();
  std::deque<Delivered> delivered_;  // Reported over the last loss / growth window.

  Timestamp first_unreported_send_ = Timestamp::PlusInfinity();
  Timestamp last_increase_;
  Timestamp last_decrease_ = Timestamp::MinusInfinity();
  Timestamp last_outage_step_ = Timestamp::MinusInfinity();
  DataRate rate_before_outage_ = DataRate::Zero();
  // What the path delivered while our queue stood (a bottleneck running full).
  DataRate delivered_at_backoff_ = DataRate::Zero();
  // The last capacity measurement was the path holding us back (a saturated probe, a queue).
  bool link_limited_ = false;
  int saturated_probes_ = 0;  // Probes held back in a row.
  // The last probe answered was not held back and showed more than growth_shown x the estimate.
  bool path_grew_ = false;
  Stats stats_;
};

std::string_view CongestionPhaseName(CongestionController::Phase phase);

}  // namespace comodal

#endif  // TRANSPORT_CC_CONGESTION_CONTROLLER_H_
