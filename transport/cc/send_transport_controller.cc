#include "transport/cc/send_transport_controller.h"

#include <algorithm>
#include <array>
#include <utility>

#include "transport/rtp/rtp_header_extensions.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/rtp/rtx.h"

namespace comodal {
namespace {

// An RTP padding-only packet: the fixed header, the transport-wide sequence number element
// (4-byte RFC 8285 header plus one 4-byte element), and at most 255 bytes of padding.
constexpr size_t kPaddingHeaderSize = RtpPacket::kFixedHeaderSize + 8;
constexpr size_t kMaxPadding = 255;

Pacer::Config PacerConfig() {
  Pacer::Config config;
  config.max_padding_size = DataSize::Bytes(kPaddingHeaderSize + kMaxPadding);
  config.min_padding_size = DataSize::Bytes(kPaddingHeaderSize + 50);
  return config;
}

}  // namespace

SendTransportController::SendTransportController(TaskScheduler& scheduler, Config config,
                                                 SendDatagram send, OnRate on_rate)
    : scheduler_(scheduler),
      config_(std::move(config)),
      send_(std::move(send)),
      on_rate_(std::move(on_rate)),
      controller_(config_.controller, scheduler.Now()),
      pacer_(PacerConfig()),
      rtx_sequence_number_(config_.rtx_initial_sequence_number) {}

SendTransportController::~SendTransportController() {
  pace_task_.Cancel();
  process_task_.Cancel();
}

void SendTransportController::Start() {
  if (!config_.adaptive) return;
  Apply(controller_.Start(scheduler_.Now()));
  process_task_ = scheduler_.StartRepeating(config_.process_interval, [this] {
    Apply(controller_.OnProcessInterval(scheduler_.Now()));
    return config_.process_interval;
  });
}

void SendTransportController::Apply(NetworkControlUpdate update) {
  pacer_.SetPacingRate(update.pacing_rate);
  pacer_.SetAverageRate(update.target_rate);
  for (const ProbeCluster& probe : update.probes) waiting_probes_.push_back(probe);
  if (update.changed) ++stats_.rate_changes;
  if (on_rate_) on_rate_(update);
  Pace();
}

void SendTransportController::SendRtp(std::vector<uint8_t> packet, PacketPriority priority,
                                      bool repair) {
  Pacer::Packet paced;
  paced.data = std::move(packet);
  paced.priority = priority;
  paced.repair = repair;
  if (!config_.adaptive) {
    SendPaced(paced);
    return;
  }
  pacer_.Enqueue(std::move(paced), scheduler_.Now());
  Pace();
}

void SendTransportController::Flush() {
  if (pacing_) return;
  pacing_ = true;
  while (auto packet = pacer_.TakeFirst(scheduler_.Now())) SendPaced(*packet);
  pacing_ = false;
  stats_.queued = pacer_.queued_size();
}

size_t SendTransportController::Discard(PacketPriority priority,
                                        const std::function<bool(const Pacer::Packet&)>& stale) {
  const size_t removed = pacer_.Discard(priority, stale);
  stats_.queued = pacer_.queued_size();
  return removed;
}

void SendTransportController::SendPaced(Pacer::Packet& packet) {
  if (!packet.data.empty() && packet.enqueued.IsFinite()) {
    stats_.max_queue_time = std::max(stats_.max_queue_time, scheduler_.Now() - packet.enqueued);
  }
  if (!packet.repair || config_.rtx_ssrc == 0) {
    Send(packet.data, packet.probe_cluster_id);
    return;
  }
  std::array<uint8_t, kMaxPacketBufferSize> buffer;
  auto built = BuildRtxPacket(packet.data, config_.rtx_ssrc, config_.rtx_payload_type,
                              rtx_sequence_number_, buffer);
  if (!built.ok()) return;  // Not RTP: nothing to repair.
  ++rtx_sequence_number_;
  ++stats_.rtx_packets;
  Send(std::span<uint8_t>(buffer.data(), *built), packet.probe_cluster_id);
}

void SendTransportController::Send(std::span<uint8_t> packet, std::optional<int> probe_cluster_id) {
  const Timestamp now = scheduler_.Now();
  auto parsed = RtpPacket::Parse(packet);
  if (parsed.ok()) {
    if (auto element = parsed->FindExtension(config_.transport_sequence_number_extension_id);
        element && element->size() == TransportSequenceNumber::kValueSize) {
      // The element's bytes sit inside `packet`: write the number in place.
      const size_t offset = static_cast<size_t>(element->data() - packet.data());
      const uint16_t sequence = transport_sequence_number_++;
      TransportSequenceNumber::Write(packet.subspan(offset, 2), sequence);
      const SentPacket sent{sequence, DataSize::Bytes(packet.size()), now, probe_cluster_id};
      adapter_.OnPacketSent(sent);
      controller_.OnPacketSent(sent);
    }
  }
  ++stats_.packets_sent;
  send_(packet, now);
}

void SendTransportController::SendPadding(DataSize size, std::optional<int> probe_cluster_id) {
  const size_t padding =
      std::clamp<size_t>(static_cast<size_t>(size.bytes()) - kPaddingHeaderSize, 1, kMaxPadding);
  RtpPacketBuilder builder;
  builder.set_ssrc(config_.rtx_ssrc)
      .set_payload_type(config_.rtx_payload_type)
      .set_sequence_number(rtx_sequence_number_++)
      .set_timestamp(padding_timestamp_);
  builder.SetExtension<TransportSequenceNumber>(config_.transport_sequence_number_extension_id, 0);
  std::array<uint8_t, kMaxPacketBufferSize> buffer;
  auto built = builder.Build({}, buffer, padding);
  if (!built.ok()) return;
  ++stats_.padding_packets;
  stats_.padding_sent += DataSize::Bytes(*built);
  pacer_.OnPaddingSent(DataSize::Bytes(*built), scheduler_.Now());
  Send(std::span<uint8_t>(buffer.data(), *built), probe_cluster_id);
}

void SendTransportController::Pace() {
  // A packet sent below may make more (FEC repair packets): they are enqueued and this loop
  // takes them; pacing does not start over inside itself.
  if (pacing_) return;
  pacing_ = true;
  PaceNow();
  pacing_ = false;
  ScheduleNextPace();
}

void SendTransportController::PaceNow() {
  const Timestamp now = scheduler_.Now();
  if (!pacer_.active_probe_id() && !waiting_probes_.empty()) {
    pacer_.StartProbe(waiting_probes_.front(), now);
    waiting_probes_.erase(waiting_probes_.begin());
  }
  while (auto packet = pacer_.TakeNext(now)) SendPaced(*packet);
  while (auto padding = pacer_.PaddingToSend(now)) {
    const std::optional<int> probe = pacer_.active_probe_id();
    SendPadding(*padding, probe);
  }
  stats_.queued = pacer_.queued_size();
}

void SendTransportController::ScheduleNextPace() {
  const Timestamp now = scheduler_.Now();
  // Probes that wait start when the running one ends: wake at least every few milliseconds
  // while any are waiting or running.
  Timestamp next = pacer_.NextSendTime(now);
  if (pacer_.active_probe_id() || !waiting_probes_.empty()) {
    next = std::min(next, now + TimeDelta::Millis(5));
  }
  if (!next.IsFinite()) return;
  next = std::max(next, now + TimeDelta::Millis(1));
  if (pace_task_.pending() && pace_at_ <= next) return;
  pace_task_.Cancel();
  pace_at_ = next;
  pace_task_ = scheduler_.PostDelayedTask(next - now, [this] {
    pace_at_ = Timestamp::PlusInfinity();
    Pace();
  });
}

void SendTransportController::OnTransportFeedback(const rtcp::TransportFeedback& feedback,
                                                  Timestamp arrival) {
  ++stats_.feedbacks;
  auto packets = adapter_.OnTransportFeedback(feedback, arrival);
  if (!packets) return;
  for (const PacketResult& packet : packets->packets) {
    ++(packet.received() ? stats_.feedback_packets_received : stats_.feedback_packets_lost);
  }
  if (!config_.adaptive) return;
  Apply(controller_.OnTransportFeedback(*packets));
}

TimeDelta SendTransportController::queue_time(PacketPriority priority) const {
  const DataSize queued = pacer_.queued_size(priority);
  const DataRate rate = pacer_.pacing_rate();
  if (rate <= DataRate::Zero())
    return queued.IsZero() ? TimeDelta::Zero() : TimeDelta::PlusInfinity();
  return queued / rate;
}

void SendTransportController::OnRoundTripTime(TimeDelta rtt) { controller_.OnRoundTripTime(rtt); }

}  // namespace comodal
