#ifndef TRANSPORT_CC_PROBE_RATE_ESTIMATOR_H_
#define TRANSPORT_CC_PROBE_RATE_ESTIMATOR_H_

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "transport/cc/transport_feedback_adapter.h"
#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/timestamp.h"

namespace comodal {

// What a probe cluster measured: the rate it was sent at, the rate its packets arrived at, and
// whether the path held it back (`saturated`: it arrived markedly slower than it was sent, so
// `received` is what the bottleneck carries; otherwise the path carries at least `received`).
struct ProbeResult {
  int cluster_id = 0;
  DataRate sent = DataRate::Zero();
  DataRate received = DataRate::Zero();
  bool saturated = false;

  // The capacity the probe shows: what arrived, never more than what was sent.
  DataRate capacity() const { return std::min(sent, received); }
};

// Measures the path's rate from the arrival spacing of probe clusters (packet-train dispersion):
// a train sent faster than the bottleneck leaves it at the bottleneck's rate. A cluster counts
// once all of it has been reported (feedback reports in order: a later packet has been), if it
// has `min_packets` and at least `min_received_share` of them arrived; its send rate is taken over
// the send span (the last packet's size excluded, it leaves at the end of the span) and its receive
// rate over the arrival span (the first packet's size excluded), and the delay growth along the
// train corrects it. One probe over a GEO round trip thus measures the capacity, where growing the
// rate step by step would take a round trip per step.
//
// A pure state machine; feed it every feedback, it answers for each cluster once.
class ProbeRateEstimator {
 public:
  struct Config {
    int min_packets = 5;
    double min_received_share = 0.8;
    // Received below this share of the send rate: the bottleneck held the train back.
    double saturation_share = 0.9;
    // The queue a train builds: if its packets' one-way delays grow by more than this share of
    // the send time between them, the bottleneck is slower than the train. Arrival spacing alone
    // is fooled by jitter (a link that holds packets and lets them go together compresses the
    // train); the delay growth from the first third of the train to the last is not.
    double saturation_delay_growth = 0.15;
    // A cluster not complete this long after its first packet was sent is given up.
    TimeDelta max_cluster_age = TimeDelta::Seconds(5);
  };

  ProbeRateEstimator() : ProbeRateEstimator(Config{}) {}
  explicit ProbeRateEstimator(Config config) : config_(config) {}

  // The clusters this feedback completed (usually none or one).
  [[nodiscard]] std::vector<ProbeResult> OnFeedback(const TransportPacketsFeedback& feedback);

 private:
  struct Cluster {
    int reported = 0;
    int64_t last_sequence_number = -1;
    int received = 0;
    DataSize sent_bytes = DataSize::Zero();
    DataSize last_sent_size = DataSize::Zero();
    Timestamp first_sent = Timestamp::PlusInfinity();
    Timestamp last_sent = Timestamp::MinusInfinity();
    DataSize received_bytes = DataSize::Zero();
    DataSize first_received_size = DataSize::Zero();
    Timestamp first_received = Timestamp::PlusInfinity();
    Timestamp last_received = Timestamp::MinusInfinity();
    struct Arrival {
      Timestamp sent;
      Timestamp received;
      DataSize size;
    };
    std::vector<Arrival> arrivals;
    bool done = false;
  };

  // The send rate over the rate the delays grew at (1 + growth per unit of send time), or nullopt
  // when the train is too short to say.
  static std::optional<double> DelayGrowth(std::vector<Cluster::Arrival> arrivals);
  // The bottleneck rate of a saturated train from the lower envelope of its arrivals (each
  // departs the bottleneck at its rate; jitter only delays), starting from `guess`.
  static DataRate EnvelopeRate(std::vector<Cluster::Arrival> arrivals, DataRate guess);

  Config config_;
  std::map<int, Cluster> clusters_;
  int64_t highest_reported_ = -1;
};

}  // namespace comodal

#endif  // TRANSPORT_CC_PROBE_RATE_ESTIMATOR_H_
