#include "transport/datachannel/data_flow.h"

#include <algorithm>
#include <utility>

#include "transport/rtp/rtp_header_extensions.h"

namespace comodal::datachannel {
namespace {

constexpr uint8_t kTransportSequenceNumberId = 2;  // As the media streams use it.
// The bulk lane's bucket holds at most this much of its rate, or two packets.
constexpr TimeDelta kBulkBurst = TimeDelta::Millis(50);

}  // namespace

DataFlow::DataFlow(TaskScheduler& scheduler, Config config, SendDatagram send, OnMessage on_message,
                   OnUnreliable on_unreliable, OnMedia on_media)
    : scheduler_(scheduler),
      config_(config),
      send_(std::move(send)),
      on_message_(std::move(on_message)),
      on_unreliable_(std::move(on_unreliable)),
      on_media_(std::move(on_media)),
      channel_(config.channel),
      transport_(
          scheduler, config.transport,
          [this](std::span<const uint8_t> datagram, Timestamp now) { send_(datagram, now); },
          [](const NetworkControlUpdate&) {}),
      feedback_(scheduler, config.ssrc, [this](rtcp::RtcpCompound compound) {
        std::vector<uint8_t> datagram(compound.Size());
        ByteWriter writer(datagram);
        if (!compound.Write(writer).ok()) return;
        datagram.resize(writer.size());
        ++stats_.feedback_sent;
        send_(datagram, scheduler_.Now());
      }) {}

DataFlow::~DataFlow() { tick_.Cancel(); }

void DataFlow::Start() {
  transport_.Start();
  bulk_refilled_ = scheduler_.Now();
  tick_ = scheduler_.StartRepeating(config_.tick, [this] {
    Pump();
    return config_.tick;
  });
}

Status DataFlow::Send(Lane lane, std::vector<uint8_t> message) {
  Status status = channel_.Send(lane, std::move(message));
  if (status.ok()) Pump();
  return status;
}

Status DataFlow::SendUnreliable(std::span<const uint8_t> datagram) {
  if (datagram.empty() || datagram.size() > 1100) {
    return Error{ErrorCode::kInvalidArgument, "datagram empty or over 1100 bytes"};
  }
  ++stats_.unreliable_sent;
  stats_.session_data_sent += DataSize::Bytes(static_cast<int64_t>(datagram.size()));
  SendPacket(datagram, config_.datagram_payload_type, PacketPriority::kSessionData);
  return Status::Ok();
}

void DataFlow::SendMedia(std::vector<uint8_t> packet, PacketPriority priority) {
  transport_.SendRtp(std::move(packet), priority, /*repair=*/false);
}

void DataFlow::Pump() {
  const Timestamp now = scheduler_.Now();
  if (channel_.NextTimeout() <= now) channel_.OnTimeout(now);
  if (const std::optional<TimeDelta> rtt = channel_.smoothed_rtt(); rtt && rtt != rtt_given_) {
    transport_.OnRoundTripTime(*rtt);
    rtt_given_ = rtt;
  }

  while (transport_.queue_time(PacketPriority::kSessionData) < config_.session_data_queue) {
    std::optional<std::vector<uint8_t>> packet = channel_.NextPacket(Lane::kSessionData, now);
    if (!packet) break;
    stats_.session_data_sent += DataSize::Bytes(static_cast<int64_t>(packet->size()));
    SendPacket(*packet, config_.payload_type, PacketPriority::kSessionData);
  }

  const DataRate bulk_rate = transport_.target_rate() * config_.bulk_share;
  if (bulk_refilled_.IsFinite()) {
    const double cap = std::max((bulk_rate * kBulkBurst).bytes_f(),
                                2.0 * static_cast<double>(config_.channel.max_packet_size));
    bulk_tokens_ = std::min(cap, bulk_tokens_ + (bulk_rate * (now - bulk_refilled_)).bytes_f());
  }
  bulk_refilled_ = now;
  while (bulk_tokens_ > 0 && transport_.queue_time(PacketPriority::kBulk) < config_.bulk_queue) {
    std::optional<std::vector<uint8_t>> packet = channel_.NextPacket(Lane::kBulk, now);
    if (!packet) break;
    bulk_tokens_ -= static_cast<double>(packet->size());
    stats_.bulk_sent += DataSize::Bytes(static_cast<int64_t>(packet->size()));
    SendPacket(*packet, config_.payload_type, PacketPriority::kBulk);
  }

  if (std::optional<std::vector<uint8_t>> ack = channel_.TakeAck(now)) {
    ++stats_.ack_packets_sent;
    SendPacket(*ack, config_.payload_type, PacketPriority::kSessionData);
  }
}

void DataFlow::SendPacket(std::span<const uint8_t> payload, uint8_t payload_type,
                          PacketPriority priority) {
  RtpPacketBuilder builder;
  builder.set_payload_type(payload_type)
      .set_sequence_number(sequence_number_++)
      .set_timestamp(static_cast<uint32_t>(scheduler_.Now().ms()))
      .set_ssrc(config_.ssrc);
  builder.SetExtension<TransportSequenceNumber>(kTransportSequenceNumberId, 0);
  std::vector<uint8_t> packet(builder.HeaderSize() + payload.size());
  Result<size_t> written = builder.Build(payload, packet);
  if (!written.ok()) return;
  packet.resize(*written);
  ++stats_.data_packets_sent;
  transport_.SendRtp(std::move(packet), priority, /*repair=*/false);
}

void DataFlow::OnDatagram(std::span<const uint8_t> datagram, Timestamp arrival) {
  std::optional<DemuxedPacket> demuxed = demuxer_.Demux(datagram, arrival);
  if (!demuxed) {
    ++stats_.refused;
    return;
  }
  if (const auto* compound = std::get_if<rtcp::RtcpCompound>(&demuxed->parsed)) {
    for (const rtcp::RtcpMessage& message : compound->messages) {
      if (const auto* feedback = std::get_if<rtcp::TransportFeedback>(&message)) {
        transport_.OnTransportFeedback(*feedback, arrival);
      }
    }
    return;
  }
  const auto* packet = std::get_if<RtpPacket>(&demuxed->parsed);
  if (!packet) {
    ++stats_.refused;
    return;
  }
  if (const auto number =
          packet->GetExtension<TransportSequenceNumber>(kTransportSequenceNumberId)) {
    feedback_.OnPacket(*number, packet->ssrc(),
                       DataSize::Bytes(static_cast<int64_t>(datagram.size())), arrival);
  }
  if (packet->payload().empty()) return;  // Probe padding.
  if (packet->payload_type() != config_.payload_type) channel_.OnPeerHeard(arrival);
  if (packet->payload_type() == config_.datagram_payload_type) {
    if (on_unreliable_) on_unreliable_(packet->payload(), arrival);
    Pump();
    return;
  }
  if (packet->payload_type() != config_.payload_type) {
    ++stats_.media_packets_received;
    if (on_media_) on_media_(*packet, arrival);
    return;
  }
  if (!channel_.OnPacket(packet->payload(), arrival).ok()) ++stats_.refused;
  for (ReliableChannel::Message& message : channel_.TakeMessages()) {
    on_message_(std::move(message), arrival);
  }
  Pump();
}

}  // namespace comodal::datachannel
