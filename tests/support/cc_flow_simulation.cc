#include "tests/support/cc_flow_simulation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <utility>

#include "transport/cc/send_transport_controller.h"
#include "transport/cc/transport_feedback_generator.h"
#include "transport/link/scheduled_link.h"
#include "transport/rtp/rtp_header_extensions.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/time/simulated_loop.h"

namespace comodal::testing {
namespace {

constexpr size_t kPacketSize = 1200;  // The whole RTP packet, header and extension included.
constexpr uint8_t kTransportSequenceNumberId = 2;
constexpr uint8_t kMediaPayloadType = 96;

struct Flow {
  Flow(SimulatedLoop& loop, const CongestionController::Config& config, int index,
       SendTransportController::SendDatagram send, SendTransportController::OnRate on_rate)
      : transport(loop, TransportConfig(config, index), std::move(send), std::move(on_rate)),
        generator(0x5EC0000 + index, 0x5E00000 + index),
        ssrc(0x5E00000 + index) {}
  static SendTransportController::Config TransportConfig(const CongestionController::Config& cc,
                                                         int index) {
    SendTransportController::Config config;
    config.controller = cc;
    config.transport_sequence_number_extension_id = kTransportSequenceNumberId;
    config.rtx_ssrc = 0x5EE0000 + index;
    config.rtx_payload_type = 97;
    return config;
  }
  SendTransportController transport;
  TransportFeedbackGenerator generator;
  uint32_t ssrc;
  uint16_t sequence = 1;
  uint32_t timestamp = 0;
  DataSize delivered_in_sample = DataSize::Zero();
  TaskHandle frames, feedback;
};

// What travels on the emulated links: which flow, and the datagram (data) or the feedback message
// (uplink).
struct OnWire {
  int flow = 0;
  std::vector<uint8_t> datagram;
  std::optional<rtcp::TransportFeedback> feedback;
};

// One frame's worth of RTP packets with a transport-wide sequence number element (written by the
// transport controller as each leaves).
std::vector<std::vector<uint8_t>> Packetize(Flow& flow, DataSize frame) {
  std::vector<std::vector<uint8_t>> packets;
  static constexpr size_t kHeader = RtpPacket::kFixedHeaderSize + 8;
  while (frame > DataSize::Zero()) {
    const size_t size = static_cast<size_t>(std::min<int64_t>(frame.bytes(), kPacketSize));
    const std::vector<uint8_t> payload(std::max(size, kHeader + 30) - kHeader, 0xAB);
    RtpPacketBuilder builder;
    builder.set_ssrc(flow.ssrc)
        .set_payload_type(kMediaPayloadType)
        .set_sequence_number(flow.sequence++)
        .set_timestamp(flow.timestamp);
    builder.SetExtension<TransportSequenceNumber>(kTransportSequenceNumberId, 0);
    std::vector<uint8_t> packet(kMaxPacketBufferSize);
    auto built = builder.Build(payload, packet);
    if (!built.ok()) break;
    packet.resize(*built);
    packets.push_back(std::move(packet));
    frame -= DataSize::Bytes(size);
  }
  return packets;
}

}  // namespace

CcFlowSimulationResult RunCcFlowSimulation(const CcFlowSimulationConfig& config) {
  SimulatedLoop loop;
  const Timestamp start = loop.Now();
  CcFlowSimulationResult result;
  std::map<uint64_t, OnWire> wire;
  uint64_t next_id = 0;
  std::vector<std::unique_ptr<Flow>> flows;
  result.changes.resize(config.flows);

  link::ScheduledLink uplink(loop, config.uplink, config.seed * 2 + 1, [&](link::Delivery d) {
    auto it = wire.find(d.packet.id);
    if (it == wire.end()) return;
    OnWire on_wire = std::move(it->second);
    wire.erase(it);
    flows[on_wire.flow]->transport.OnTransportFeedback(*on_wire.feedback, d.delivered);
  });
  // The receiver: reads the transport-wide sequence number of each RTP packet that arrives.
  link::ScheduledLink downlink(loop, config.downlink, config.seed * 2, [&](link::Delivery d) {
    auto it = wire.find(d.packet.id);
    if (it == wire.end()) return;
    const OnWire on_wire = std::move(it->second);
    wire.erase(it);
    Flow& flow = *flows[on_wire.flow];
    flow.delivered_in_sample += d.packet.size();
    auto packet = RtpPacket::Parse(on_wire.datagram);
    if (!packet.ok()) return;
    auto element = packet->FindExtension(kTransportSequenceNumberId);
    if (!element) return;
    auto sequence = TransportSequenceNumber::Parse(*element);
    if (!sequence) return;
    flow.generator.OnPacket(*sequence, d.packet.size(), d.delivered);
  });

  for (int i = 0; i < config.flows; ++i) {
    auto send = [&, i](std::span<const uint8_t> datagram, Timestamp) {
      const uint64_t id = next_id++;
      wire[id] = OnWire{i, std::vector<uint8_t>(datagram.begin(), datagram.end()), std::nullopt};
      if (downlink.Send(link::LinkPacket{id, std::vector<uint8_t>(datagram.size())}) !=
          link::SendOutcome::kQueued) {
        wire.erase(id);  // Dropped or lost on the link: never delivered, so forget it here.
      }
    };
    auto on_rate = [&, i](const NetworkControlUpdate& update) {
      if (update.changed) {
        result.changes[i].push_back({loop.Now() - start, update.target_rate, *update.changed});
      }
    };
    flows.push_back(std::make_unique<Flow>(loop, config.controller, i, send, on_rate));
    const TimeDelta begin =
        i < static_cast<int>(config.flow_start.size()) ? config.flow_start[i] : TimeDelta::Zero();
    loop.PostDelayedTask(begin, [&, i] {
      Flow& flow = *flows[i];
      flow.transport.Start();
      const TimeDelta frame_interval = TimeDelta::Seconds(1) / config.frame_rate;
      flow.frames = loop.StartRepeating(TimeDelta::Zero(), [&, i, frame_interval] {
        Flow& f = *flows[i];
        for (auto& packet : Packetize(f, f.transport.target_rate() * frame_interval)) {
          f.transport.SendRtp(std::move(packet), PacketPriority::kTeacherVideo, false);
        }
        f.timestamp += 3000;
        return frame_interval;
      });
      flow.feedback = loop.StartRepeating(TimeDelta::Millis(10), [&, i] {
        Flow& f = *flows[i];
        const Timestamp now = loop.Now();
        if (f.generator.NextSendTime() <= now) {
          for (rtcp::TransportFeedback& message : f.generator.Build(now)) {
            const uint64_t id = next_id++;
            const size_t size = message.Size() + 28;
            wire[id] = OnWire{i, {}, std::move(message)};
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
      sample.target.push_back(flow->transport.target_rate());
      sample.delivered.push_back(flow->delivered_in_sample / config.sample_interval);
      flow->delivered_in_sample = DataSize::Zero();
    }
    result.samples.push_back(std::move(sample));
  }
  result.downlink = downlink.stats();
  for (auto& flow : flows) {
    result.controllers.push_back(flow->transport.controller().stats());
    flow->frames.Cancel();
    flow->feedback.Cancel();
  }
  return result;
}

}  // namespace comodal::testing
