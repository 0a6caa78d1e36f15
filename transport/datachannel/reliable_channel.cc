#include "transport/datachannel/reliable_channel.h"

#include <algorithm>
#include <cstring>

namespace comodal::datachannel {
namespace {

// A receiver accepts packet numbers this far past its cumulative acknowledgement.
constexpr uint32_t kMaxPacketsAhead = 1 << 16;
// RFC 9002 §6.1.1 and §6.1.2.
constexpr uint32_t kPacketThreshold = 3;
// Acknowledgements riding on a fragment carry at most this many ranges (the fragment size
// leaves room for them); acknowledgement-only packets carry all sixteen.
constexpr size_t kPiggybackBlocks = 4;

}  // namespace

ReliableChannel::ReliableChannel(Config config)
    : config_(config), peer_window_(config.receive_window) {
  if (config_.incarnation == 0) config_.incarnation = 1;
}

size_t ReliableChannel::fragment_size() const {
  const size_t overhead = DataPacket::kHeaderSize + DataPacket::AckSize(kPiggybackBlocks) +
                          DataPacket::kFragmentHeaderSize;
  return config_.max_packet_size > overhead + 64 ? config_.max_packet_size - overhead : 64;
}

uint32_t ReliableChannel::fragment_count(const OutgoingMessage& message) const {
  return static_cast<uint32_t>((message.data.size() + fragment_size() - 1) / fragment_size());
}

Status ReliableChannel::Send(Lane lane, std::vector<uint8_t> message) {
  if (message.empty() || message.size() > DataFragment::kMaxMessageSize) {
    return Error{ErrorCode::kInvalidArgument, "channel message empty or over 1 MiB"};
  }
  SendLane& out = lanes_[Index(lane)];
  if (out.unacknowledged + message.size() > config_.max_queued_bytes) {
    return Error{ErrorCode::kBufferTooSmall, "channel lane queue full"};
  }
  out.unacknowledged += message.size();
  OutgoingMessage& queued = out.messages[out.next_message_number++];
  queued.data = std::move(message);
  queued.acked.assign(fragment_count(queued), false);
  return Status::Ok();
}

std::optional<ReliableChannel::Piece> ReliableChannel::NextPiece(Lane lane) {
  SendLane& out = lanes_[Index(lane)];
  while (!out.lost.empty()) {
    const Piece piece = out.lost.front();
    out.lost.pop_front();
    auto it = out.messages.find(piece.message_number);
    if (it != out.messages.end() && !it->second.acked[piece.fragment]) {
      return Piece{piece.message_number, piece.fragment, /*repeat=*/true};
    }
  }
  for (auto& [number, message] : out.messages) {
    if (message.next_fragment < message.acked.size()) {
      return Piece{number, message.next_fragment++, /*repeat=*/false};
    }
  }
  return std::nullopt;
}

std::optional<std::vector<uint8_t>> ReliableChannel::NextPacket(Lane lane, Timestamp now) {
  // The peer's window bounds what is in flight (one piece always may go).
  if (next_packet_number_ == UINT32_MAX ||
      (!in_flight_.empty() && bytes_in_flight_ + fragment_size() > peer_window_)) {
    return std::nullopt;
  }
  const std::optional<Piece> piece = NextPiece(lane);
  if (!piece) return std::nullopt;
  const OutgoingMessage& message = lanes_[Index(lane)].messages.at(piece->message_number);
  const size_t offset = size_t{piece->fragment} * fragment_size();
  const size_t length = std::min(fragment_size(), message.data.size() - offset);

  DataFragment fragment;
  fragment.packet_number = next_packet_number_++;
  fragment.floor = in_flight_.empty() ? fragment.packet_number : in_flight_.begin()->first;
  fragment.lane = lane;
  fragment.message_number = piece->message_number;
  fragment.message_size = static_cast<uint32_t>(message.data.size());
  fragment.offset = static_cast<uint32_t>(offset);
  fragment.data = std::span<const uint8_t>(message.data).subspan(offset, length);
  std::vector<uint8_t> packet = Build(fragment);

  in_flight_[fragment.packet_number] = InFlight{lane, *piece, length, now};
  bytes_in_flight_ += length;
  ++stats_.packets_sent;
  if (piece->repeat) {
    ++stats_.retransmissions;
    stats_.bytes_retransmitted += DataSize::Bytes(static_cast<int64_t>(length));
  } else {
    stats_.bytes_sent += DataSize::Bytes(static_cast<int64_t>(length));
  }
  if (retransmit_at_.IsPlusInfinity()) ArmRetransmission(now);
  return packet;
}

std::optional<std::vector<uint8_t>> ReliableChannel::TakeAck(Timestamp now) {
  if (!ack_pending_ || peer_incarnation_ == 0 || (!ack_now_ && now < ack_due_)) {
    return std::nullopt;
  }
  ++stats_.acks_sent;
  return Build(std::nullopt);
}

std::vector<uint8_t> ReliableChannel::Build(std::optional<DataFragment> fragment) {
  DataPacket packet;
  packet.incarnation = config_.incarnation;
  packet.epoch = epoch_;
  if (peer_incarnation_ != 0) {
    packet.ack = MakeAck(fragment ? kPiggybackBlocks : DataAck::kMaxBlocks);
    ack_pending_ = false;
    ack_now_ = false;
    unacked_packets_ = 0;
    ack_due_ = Timestamp::PlusInfinity();
  }
  packet.fragment = fragment;
  return packet.Serialize();
}

DataAck ReliableChannel::MakeAck(size_t max_blocks) const {
  DataAck ack;
  ack.acked_incarnation = peer_incarnation_;
  ack.acked_epoch = peer_epoch_;
  ack.cumulative = cumulative_;
  ack.window = static_cast<uint32_t>(std::min<size_t>(
      config_.receive_window - std::min(buffered_, config_.receive_window), UINT32_MAX));
  // The newest ranges: they tell the sender most about what is lost (RFC 9000 §13.2.3).
  for (auto it = received_above_.rbegin();
       it != received_above_.rend() && ack.blocks.size() < max_blocks;) {
    const uint32_t last = *it;
    uint32_t first = last;
    for (++it; it != received_above_.rend() && *it == first - 1; ++it) first = *it;
    ack.blocks.emplace_back(first, last);
  }
  std::reverse(ack.blocks.begin(), ack.blocks.end());
  return ack;
}

Status ReliableChannel::OnPacket(std::span<const uint8_t> bytes, Timestamp now) {
  Result<DataPacket> parsed = DataPacket::Parse(bytes);
  if (!parsed.ok()) {
    ++stats_.refused;
    return parsed.error();
  }
  const DataPacket& packet = *parsed;
  if (retired_incarnations_.contains(packet.incarnation) ||
      (packet.incarnation == peer_incarnation_ && packet.epoch < peer_epoch_)) {
    ++stats_.stale_incarnation;
    return Error{ErrorCode::kReplayed, "data packet from an incarnation or epoch left behind"};
  }
  ++stats_.packets_received;
  if (packet.incarnation != peer_incarnation_) {
    if (peer_incarnation_ != 0) {
      // The peer restarted: what it had not delivered is gone, and it numbers from 1 again.
      ++stats_.peer_restarts;
      retired_incarnations_.insert(peer_incarnation_);
      Restart();
    }
    ResetReceiver(packet.incarnation, packet.epoch);
  } else if (packet.epoch != peer_epoch_) {
    ResetReceiver(packet.incarnation, packet.epoch);
  }
  if (packet.ack) OnAck(*packet.ack, now);
  OnPeerHeard(now);
  if (packet.fragment) OnFragment(*packet.fragment, now);
  return Status::Ok();
}

void ReliableChannel::OnPeerHeard(Timestamp now) {
  if (backoff_ == 0 || in_flight_.empty()) return;
  // Heard again while backing off (a link back from an outage): probe now rather than at the
  // end of a long timeout.
  MarkLost(in_flight_.begin()->first);
  backoff_ = 0;
  ArmRetransmission(now);
}

void ReliableChannel::OnAck(const DataAck& ack, Timestamp now) {
  if (ack.acked_incarnation != config_.incarnation || ack.acked_epoch != epoch_) return;
  peer_window_ = ack.window;
  uint32_t newest = 0;
  Timestamp newest_sent = Timestamp::MinusInfinity();
  auto take = [&](std::map<uint32_t, InFlight>::iterator it) {
    if (it->first > newest) newest = it->first, newest_sent = it->second.sent;
    Acknowledge(it->second);
    return in_flight_.erase(it);
  };
  for (auto it = in_flight_.begin(); it != in_flight_.end() && it->first <= ack.cumulative;) {
    it = take(it);
  }
  for (const auto& [first, last] : ack.blocks) {
    for (auto it = in_flight_.lower_bound(first); it != in_flight_.end() && it->first <= last;) {
      it = take(it);
    }
  }
  if (newest == 0) return;
  if (newest > largest_acked_) {
    largest_acked_ = newest;
    UpdateRtt(now - newest_sent);
  }
  backoff_ = 0;
  DetectLosses(now);
  // RFC 6298 §5.3: new data acknowledged restarts the timer.
  retransmit_at_ = Timestamp::PlusInfinity();
  if (!in_flight_.empty()) ArmRetransmission(now);
}

void ReliableChannel::Acknowledge(const InFlight& packet) {
  bytes_in_flight_ -= packet.size;
  SendLane& out = lanes_[Index(packet.lane)];
  auto it = out.messages.find(packet.piece.message_number);
  if (it == out.messages.end() || it->second.acked[packet.piece.fragment]) return;
  OutgoingMessage& message = it->second;
  message.acked[packet.piece.fragment] = true;
  out.unacknowledged -= packet.size;
  if (++message.acked_count == message.acked.size()) {
    out.messages.erase(it);
    ++stats_.messages_sent;
  }
}

void ReliableChannel::DetectLosses(Timestamp now) {
  const TimeDelta rtt = std::max(srtt_.value_or(config_.initial_rto), latest_rtt_);
  const TimeDelta loss_delay = rtt * 9 / 8;
  for (auto it = in_flight_.begin(); it != in_flight_.end() && it->first < largest_acked_;) {
    const uint32_t number = it->first;
    const bool lost =
        largest_acked_ - number >= kPacketThreshold || it->second.sent <= now - loss_delay;
    ++it;
    if (lost) MarkLost(number);
  }
}

void ReliableChannel::MarkLost(uint32_t packet_number) {
  auto it = in_flight_.find(packet_number);
  if (it == in_flight_.end()) return;
  bytes_in_flight_ -= it->second.size;
  lanes_[Index(it->second.lane)].lost.push_back(it->second.piece);
  in_flight_.erase(it);
}

void ReliableChannel::UpdateRtt(TimeDelta sample) {
  latest_rtt_ = sample;
  if (!srtt_) {
    srtt_ = sample;
    rttvar_ = sample / 2;
    return;
  }
  // RFC 6298 §2.3.
  const TimeDelta error = *srtt_ > sample ? *srtt_ - sample : sample - *srtt_;
  rttvar_ = rttvar_ * 3 / 4 + error / 4;
  srtt_ = *srtt_ * 7 / 8 + sample / 8;
}

TimeDelta ReliableChannel::rto() const {
  if (!srtt_) return config_.initial_rto;
  return std::max(*srtt_ + std::max(rttvar_ * 4, TimeDelta::Millis(10)) + config_.ack_delay,
                  config_.min_rto);
}

void ReliableChannel::ArmRetransmission(Timestamp now) {
  TimeDelta timeout = rto();
  const TimeDelta cap = std::max(timeout, config_.max_probe_interval);
  for (int i = 0; i < backoff_ && timeout < cap; ++i) timeout = timeout * 2;
  retransmit_at_ = now + std::min(timeout, cap);
}

Timestamp ReliableChannel::NextTimeout() const {
  return std::min(
      ack_pending_ ? (ack_now_ ? Timestamp::MinusInfinity() : ack_due_) : Timestamp::PlusInfinity(),
      retransmit_at_);
}

void ReliableChannel::OnTimeout(Timestamp now) {
  if (ack_pending_ && now >= ack_due_) ack_now_ = true;
  if (now < retransmit_at_) return;
  retransmit_at_ = Timestamp::PlusInfinity();
  if (in_flight_.empty()) return;
  // RFC 6298 §5.4-5.6: the oldest piece again, and the timeout doubled. Only the oldest: the
  // rest waits for the acknowledgement that shows what else is missing (through an hour's
  // outage, a probe each `max_probe_interval` rather than the window every time).
  ++stats_.timeouts;
  MarkLost(in_flight_.begin()->first);
  ++backoff_;
  ArmRetransmission(now);
}

void ReliableChannel::OnFragment(const DataFragment& fragment, Timestamp now) {
  const uint32_t number = fragment.packet_number;
  ack_pending_ = true;
  // Numbers below the sender's floor will not come (their pieces went again under new
  // numbers): without this, one lost packet would hold the cumulative acknowledgement for the
  // rest of the epoch, and every packet 2^16 past it would be refused.
  if (fragment.floor > cumulative_ + 1) {
    cumulative_ = fragment.floor - 1;
    received_above_.erase(received_above_.begin(), received_above_.upper_bound(cumulative_));
    while (!received_above_.empty() && *received_above_.begin() == cumulative_ + 1) {
      received_above_.erase(received_above_.begin());
      ++cumulative_;
    }
  }
  if (number <= cumulative_ || received_above_.contains(number)) {
    // Our acknowledgement may have been lost: say again at once what we hold.
    ++stats_.duplicates_received;
    ack_now_ = true;
    return;
  }
  if (number - cumulative_ > kMaxPacketsAhead) {
    ++stats_.refused;
    return;
  }
  ReceiveLane& in = receive_lanes_[Index(fragment.lane)];
  bool keep = fragment.message_number >= in.next_to_deliver;
  if (keep) {
    auto found = in.messages.find(fragment.message_number);
    if (found == in.messages.end()) {
      // The message to deliver next is always taken: refusing it for want of room, with later
      // messages holding the room, would stop the lane for good.
      if (fragment.message_number != in.next_to_deliver &&
          buffered_ + fragment.message_size > config_.receive_window) {
        ++stats_.refused;  // Not acknowledged: the sender sends it again when there is room.
        return;
      }
      found = in.messages.emplace(fragment.message_number, Reassembly{}).first;
      found->second.data.resize(fragment.message_size);
      buffered_ += fragment.message_size;
    }
    Reassembly& message = found->second;
    if (message.data.size() != fragment.message_size) {
      ++stats_.refused;
      return;
    }
    auto next = message.pieces.lower_bound(fragment.offset);
    if (next != message.pieces.end() && next->first == fragment.offset &&
        next->second == fragment.data.size()) {
      keep = false;  // The same piece again, under a new packet number.
    } else {
      const bool overlaps_next =
          next != message.pieces.end() && next->first < fragment.offset + fragment.data.size();
      const bool overlaps_previous =
          next != message.pieces.begin() &&
          std::prev(next)->first + std::prev(next)->second > fragment.offset;
      if (overlaps_next || overlaps_previous) {
        ++stats_.refused;
        return;
      }
      std::memcpy(message.data.data() + fragment.offset, fragment.data.data(),
                  fragment.data.size());
      message.pieces.emplace(fragment.offset, static_cast<uint32_t>(fragment.data.size()));
      message.received += fragment.data.size();
    }
  }
  if (!keep) ++stats_.duplicates_received;

  // The packet is held: acknowledge it.
  const bool had_gap = !received_above_.empty();
  if (number == cumulative_ + 1) {
    ++cumulative_;
    while (!received_above_.empty() && *received_above_.begin() == cumulative_ + 1) {
      received_above_.erase(received_above_.begin());
      ++cumulative_;
    }
  } else {
    received_above_.insert(number);
  }
  // RFC 5681 §4.2: at once on a gap or when one fills, else every second packet or after a
  // short delay.
  if (had_gap || !received_above_.empty() || ++unacked_packets_ >= 2) ack_now_ = true;
  if (ack_due_.IsPlusInfinity()) ack_due_ = now + config_.ack_delay;

  while (true) {
    auto it = in.messages.find(in.next_to_deliver);
    if (it == in.messages.end() || it->second.received < it->second.data.size()) break;
    buffered_ -= it->second.data.size();
    delivered_.push_back(Message{fragment.lane, std::move(it->second.data)});
    in.messages.erase(it);
    ++in.next_to_deliver;
    ++stats_.messages_delivered;
  }
}

std::vector<ReliableChannel::Message> ReliableChannel::TakeMessages() {
  std::vector<Message> out;
  out.swap(delivered_);
  return out;
}

bool ReliableChannel::idle() const {
  return in_flight_.empty() && lanes_[0].messages.empty() && lanes_[1].messages.empty();
}

void ReliableChannel::ResetReceiver(uint32_t incarnation, uint32_t epoch) {
  peer_incarnation_ = incarnation;
  peer_epoch_ = epoch;
  cumulative_ = 0;
  received_above_.clear();
  for (ReceiveLane& in : receive_lanes_) in = ReceiveLane{};
  buffered_ = 0;
  ack_pending_ = false;
  ack_now_ = false;
  unacked_packets_ = 0;
  ack_due_ = Timestamp::PlusInfinity();
}

void ReliableChannel::Restart() {
  ++epoch_;
  for (SendLane& out : lanes_) {
    SendLane fresh;
    for (auto& [number, message] : out.messages) {
      OutgoingMessage& again = fresh.messages[fresh.next_message_number++];
      fresh.unacknowledged += message.data.size();
      again.acked.assign(message.acked.size(), false);
      again.data = std::move(message.data);
    }
    out = std::move(fresh);
  }
  in_flight_.clear();
  bytes_in_flight_ = 0;
  next_packet_number_ = 1;
  largest_acked_ = 0;
  backoff_ = 0;
  retransmit_at_ = Timestamp::PlusInfinity();
  peer_window_ = config_.receive_window;
}

}  // namespace comodal::datachannel
