#include "tests/support/cc_flow_simulation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <utility>

#include "transport/cc/pacer.h"
#include "transport/cc/transport_feedback_adapter.h"
#include "transport/cc/transport_feedback_generator.h"
#include "transport/link/scheduled_link.h"
#include "transport/time/simulated_loop.h"

namespace comodal::testing {
namespace {

constexpr size_t kPacketSize = 1200;
constexpr TimeDelta kProcessInterval = TimeDelta::Millis(25);

struct Flow {
  Flow(const CongestionController::Config& config, Timestamp start, int index)
      : controller(config, start), generator(0x5EC0000 + index, 0x5E00000 + index) {}
  CongestionController controller;
  Pacer pacer;
  TransportFeedbackAdapter adapter;
  TransportFeedbackGenerator generator;
  uint16_t sequence = 1;
  std::vector<ProbeCluster> waiting_probes;
  DataSize delivered_in_sample = DataSize::Zero();
  TaskHandle frames, pacing, process, feedback;
};

// What travels on the emulated links: which flow, and the transport-wide sequence number (data)
// or the feedback message (uplink).
struct OnWire {
  int flow = 0;
  uint16_t sequence = 0;
  std::optional<rtcp::TransportFeedback> feedback;
};

}  // namespace

CcFlowSimulationResult RunCcFlowSimulation(const CcFlowSimulationConfig& config) {
  SimulatedLoop loop;
  const Timestamp start = loop.Now();
  CcFlowSimulationResult result;
  std::map<uint64_t, OnWire> wire;
  uint64_t next_id = 0;
  std::vector<std::unique_ptr<Flow>> flows;
  result.changes.resize(config.flows);

  auto apply = [&](int index, NetworkControlUpdate update) {
    Flow& flow = *flows[index];
    flow.pacer.SetPacingRate(update.pacing_rate);
    if (update.changed) {
      result.changes[index].push_back({loop.Now() - start, update.target_rate, *update.changed});
    }
    for (const ProbeCluster& probe : update.probes) flow.waiting_probes.push_back(probe);
  };

  link::ScheduledLink uplink(loop, config.uplink, config.seed * 2 + 1, [&](link::Delivery d) {
    auto it = wire.find(d.packet.id);
    if (it == wire.end()) return;
    OnWire on_wire = std::move(it->second);
    wire.erase(it);
    Flow& flow = *flows[on_wire.flow];
    if (auto feedback = flow.adapter.OnTransportFeedback(*on_wire.feedback, d.delivered)) {
      apply(on_wire.flow, flow.controller.OnTransportFeedback(*feedback));
    }
  });
  link::ScheduledLink downlink(loop, config.downlink, config.seed * 2, [&](link::Delivery d) {
    auto it = wire.find(d.packet.id);
    if (it == wire.end()) return;
    const OnWire on_wire = it->second;
    wire.erase(it);
    Flow& flow = *flows[on_wire.flow];
    flow.delivered_in_sample += d.packet.size();
    flow.generator.OnPacket(on_wire.sequence, d.packet.size(), d.delivered);
  });

  auto send = [&](int index, size_t size, std::optional<int> probe) {
    Flow& flow = *flows[index];
    const uint16_t sequence = flow.sequence++;
    const Timestamp now = loop.Now();
    const SentPacket sent{sequence, DataSize::Bytes(size), now, probe};
    flow.adapter.OnPacketSent(sent);
    flow.controller.OnPacketSent(sent);
    const uint64_t id = next_id++;
    wire[id] = OnWire{index, sequence, std::nullopt};
    if (downlink.Send(link::LinkPacket{id, std::vector<uint8_t>(size)}) !=
        link::SendOutcome::kQueued) {
      // Dropped or lost on the link: never delivered, so forget it here.
      wire.erase(id);
    }
  };
  // The pacer's caller: starts waiting probes one after the other, sends what may leave, and
  // wakes again when something can.
  auto pace = [&](int index) -> TimeDelta {
    Flow& flow = *flows[index];
    const Timestamp now = loop.Now();
    if (!flow.pacer.active_probe_id() && !flow.waiting_probes.empty()) {
      flow.pacer.StartProbe(flow.waiting_probes.front(), now);
      flow.waiting_probes.erase(flow.waiting_probes.begin());
    }
    while (auto packet = flow.pacer.TakeNext(now)) {
      send(index, packet->data.size(), packet->probe_cluster_id);
    }
    while (auto padding = flow.pacer.PaddingToSend(now)) {
      const std::optional<int> probe = flow.pacer.active_probe_id();
      flow.pacer.OnPaddingSent(*padding, now);
      send(index, static_cast<size_t>(padding->bytes()), probe);
    }
    const Timestamp next = flow.pacer.NextSendTime(now);
    return std::clamp(next - now, TimeDelta::Millis(1), TimeDelta::Millis(5));
  };

  for (int i = 0; i < config.flows; ++i) {
    flows.push_back(std::make_unique<Flow>(config.controller, start, i));
    const TimeDelta begin =
        i < static_cast<int>(config.flow_start.size()) ? config.flow_start[i] : TimeDelta::Zero();
    loop.PostDelayedTask(begin, [&, i] {
      Flow& flow = *flows[i];
      apply(i, flow.controller.Start(loop.Now()));
      const TimeDelta frame_interval = TimeDelta::Seconds(1) / config.frame_rate;
      flow.frames = loop.StartRepeating(TimeDelta::Zero(), [&, i, frame_interval] {
        Flow& f = *flows[i];
        DataSize frame = f.controller.target_rate() * frame_interval;
        while (frame > DataSize::Zero()) {
          const size_t size = static_cast<size_t>(std::min<int64_t>(frame.bytes(), kPacketSize));
          Pacer::Packet packet;
          packet.data.resize(std::max<size_t>(size, 50));
          packet.priority = PacketPriority::kTeacherVideo;
          f.pacer.Enqueue(std::move(packet), loop.Now());
          frame -= DataSize::Bytes(size);
        }
        return frame_interval;
      });
      flow.pacing = loop.StartRepeating(TimeDelta::Zero(), [&, i] { return pace(i); });
      flow.process = loop.StartRepeating(kProcessInterval, [&, i] {
        apply(i, flows[i]->controller.OnProcessInterval(loop.Now()));
        return kProcessInterval;
      });
      flow.feedback = loop.StartRepeating(TimeDelta::Millis(10), [&, i] {
        Flow& f = *flows[i];
        const Timestamp now = loop.Now();
        if (f.generator.NextSendTime() <= now) {
          for (rtcp::TransportFeedback& message : f.generator.Build(now)) {
            const uint64_t id = next_id++;
            const size_t size = message.Size() + 28;
            wire[id] = OnWire{i, 0, std::move(message)};
            if (uplink.Send(link::LinkPacket{id, std::vector<uint8_t>(size)}) !=
                link::SendOutcome::kQueued) {
              wire.erase(id);
            }
          }
        }
        return TimeDelta::Millis(10);
      });
    });
  }

  const int samples = static_cast<int>(config.duration / config.sample_interval);
  for (int s = 1; s <= samples; ++s) {
    loop.RunFor(config.sample_interval);
    CcFlowSample sample;
    sample.at = config.sample_interval * s;
    sample.capacity = config.downlink.capacity.RateAt(sample.at - config.sample_interval / 2);
    for (auto& flow : flows) {
      sample.target.push_back(flow->controller.target_rate());
      sample.delivered.push_back(flow->delivered_in_sample / config.sample_interval);
      flow->delivered_in_sample = DataSize::Zero();
    }
    result.samples.push_back(std::move(sample));
  }
  result.downlink = downlink.stats();
  for (auto& flow : flows) {
    result.controllers.push_back(flow->controller.stats());
    flow->frames.Cancel();
    flow->pacing.Cancel();
    flow->process.Cancel();
    flow->feedback.Cancel();
  }
  return result;
}

}  // namespace comodal::testing
