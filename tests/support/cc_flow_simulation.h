#ifndef TESTS_SUPPORT_CC_FLOW_SIMULATION_H_
#define TESTS_SUPPORT_CC_FLOW_SIMULATION_H_

#include <cstdint>
#include <vector>

#include "transport/cc/congestion_controller.h"
#include "transport/link/link_model.h"

namespace comodal::testing {

// Congestion control alone, in simulated time: `flows` senders share one emulated downlink (the
// bottleneck), each with its own SendTransportController (the engine's send path: pacer,
// controller, feedback adapter, probe padding) and a source that always has what the target
// asks for (frames of target / frame_rate bytes, cut into 1 200-byte RTP packets). The receivers'
// transport-wide feedback comes back over the uplink. What is left out here (codecs, repair) is
// what the media benches add; this isolates the controller's decisions.
struct CcFlowSimulationConfig {
  link::LinkDirectionConfig downlink;
  link::LinkDirectionConfig uplink;
  int flows = 1;
  std::vector<TimeDelta> flow_start;  // Since the start, per flow (missing: at once).
  CongestionController::Config controller;
  double frame_rate = 30;
  TimeDelta duration = TimeDelta::Seconds(60);
  TimeDelta sample_interval = TimeDelta::Millis(200);
  uint64_t seed = 1;
};

struct CcFlowSample {
  TimeDelta at = TimeDelta::Zero();  // Since the start: the end of the sample's interval.
  DataRate capacity = DataRate::Zero();
  std::vector<DataRate> target;     // Per flow, at the end of the interval.
  std::vector<DataRate> delivered;  // Per flow, over the interval.
};

struct CcFlowSimulationResult {
  std::vector<CcFlowSample> samples;
  link::LinkStats downlink;
  std::vector<CongestionController::Stats> controllers;
  // Every target change, per flow: (time since start, new target, reason).
  struct Change {
    TimeDelta at = TimeDelta::Zero();
    DataRate target;
    RateChangeReason reason;
  };
  std::vector<std::vector<Change>> changes;
};

CcFlowSimulationResult RunCcFlowSimulation(const CcFlowSimulationConfig& config);

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_CC_FLOW_SIMULATION_H_
