#include "transport/fec/fec_encoder.h"

#include <algorithm>
#include <cmath>

#include "transport/fec/reed_solomon.h"
#include "transport/rtp/rtp_header_extensions.h"
#include "transport/rtp/sequence_number.h"

namespace comodal {
namespace {

// The sequence number of a stored packet (checked to be RTP when it was stored).
uint16_t SequenceNumberOf(const std::vector<uint8_t>& rtp) { return LoadBE16(&rtp[2]); }

}  // namespace

FlexfecSender::FlexfecSender(const Config& config)
    : config_(config), sequence_number_(config.initial_sequence_number) {}

void FlexfecSender::SetProtection(double delta_rate, double key_rate, double loss) {
  // NaN compares false both ways: it ends up as 0, protection off.
  const auto clamp = [](double rate) { return rate > 0 ? std::min(rate, 1.0) : 0.0; };
  delta_rate_ = clamp(delta_rate);
  key_rate_ = clamp(key_rate);
  loss_ = std::min(clamp(loss), 0.5);
}

double FlexfecSender::ExpectedOverhead() const {
  if (!ReedSolomon()) return delta_rate_;
  const auto n = std::max<size_t>(
      1,
      static_cast<size_t>(std::lround(
          reed_solomon_group_size_ > 0 ? reed_solomon_group_size_
                                       : static_cast<double>(config_.reed_solomon_group_packets))));
  const size_t m = ReedSolomonRepairCount(n, loss_, GroupFailureTarget(n, /*keyframe=*/false));
  return std::max(delta_rate_, static_cast<double>(m) / static_cast<double>(n));
}

double FlexfecSender::GroupFailureTarget(size_t n, bool keyframe) const {
  // Per packet: a group shorter than reed_solomon_group_packets (cut by its span at low rates)
  // fails proportionally less often, so that the frames lost to failed groups stay as rare per
  // second of video whatever the groups' size.
  const double share = std::min(
      1.0, static_cast<double>(n) / static_cast<double>(config_.reed_solomon_group_packets));
  return config_.reed_solomon_group_failure * share * (keyframe ? 0.1 : 1.0);
}

size_t FlexfecSender::ReedSolomonRepairCount(size_t n, double loss, double failure) {
  // The binomial tail P(X > m) for X lost of n + m, each lost with probability `loss`.
  const auto tail = [loss](size_t total, size_t m) {
    double term = std::pow(1 - loss, static_cast<double>(total));  // P(X = 0).
    double at_most = term;
    for (size_t x = 1; x <= m; ++x) {
      term *= static_cast<double>(total - x + 1) / static_cast<double>(x) * loss / (1 - loss);
      at_most += term;
    }
    return 1 - at_most;
  };
  size_t m = 0;
  while (m < std::min(n, ReedSolomonRepair::kMaxRows) && tail(n + m, m) > failure) ++m;
  return m;
}

std::vector<std::vector<uint8_t>> FlexfecSender::OnMediaPacket(std::span<const uint8_t> rtp,
                                                               bool end_of_frame, bool keyframe) {
  auto packet = RtpPacket::Parse(rtp);
  if (!packet.ok()) {
    ++stats_.rejected;
    return {};
  }
  return OnMediaPacket(*packet, end_of_frame, keyframe);
}

std::vector<std::vector<uint8_t>> FlexfecSender::OnMediaPacket(const RtpPacket& packet,
                                                               bool end_of_frame, bool keyframe) {
  if (packet.ssrc() != config_.protected_ssrc) {
    ++stats_.rejected;
    return {};
  }
  const uint16_t sequence_number = packet.sequence_number();
  // A retransmission (or any copy of an older number) was protected when it was first sent.
  if (newest_ && !IsNewerSequenceNumber(sequence_number, *newest_)) {
    ++stats_.not_newer;
    return {};
  }
  newest_ = sequence_number;
  ++stats_.media_packets;
  std::vector<std::vector<uint8_t>> out;
  // Close the group first if this packet cannot join it: a keyframe does not share a group with
  // delta frames (their rates differ), and every packet must fall in the mask after the base.
  if (!group_.empty() &&
      (keyframe != group_keyframe_ ||
       static_cast<uint16_t>(sequence_number - SequenceNumberOf(group_.front())) >=
           FlexfecHeader::kMaxMaskBits)) {
    out = EmitGroup();
  }
  const double rate = keyframe ? key_rate_ : delta_rate_;
  if (rate <= 0) return out;

  if (group_.empty()) group_keyframe_ = keyframe;
  group_.emplace_back(packet.data().begin(), packet.data().end());
  if (end_of_frame) ++group_frames_;

  const bool full = group_.size() == kMaxMediaPacketsPerGroup;
  bool due = end_of_frame && (group_keyframe_ || group_frames_ >= config_.max_frames_per_group ||
                              static_cast<double>(group_.size()) * rate >= 1.0);
  if (!group_keyframe_ && ReedSolomon()) {
    const uint32_t span = packet.timestamp() - LoadBE32(&group_.front()[4]);
    due = end_of_frame && (group_.size() >= config_.reed_solomon_group_packets ||
                           span >= config_.reed_solomon_max_span);
  } else if (!group_keyframe_ && TwoD(rate)) {
    due = end_of_frame &&
          (group_.size() >= TwoDGroupSize(rate) || group_frames_ >= config_.max_two_d_frames);
  }
  if (full || due) {
    auto repair = EmitGroup();
    out.insert(out.end(), std::make_move_iterator(repair.begin()),
               std::make_move_iterator(repair.end()));
  }
  return out;
}

bool FlexfecSender::TwoD(double rate) const { return rate >= config_.two_d_from_rate; }

bool FlexfecSender::ReedSolomon() const {
  return config_.reed_solomon_payload_type && loss_ >= config_.reed_solomon_from_loss;
}

size_t FlexfecSender::TwoDGroupSize(double rate) {
  // Rows and columns of about sqrt(n) packets: 2 sqrt(n) repairs for n packets.
  const double n = std::pow(2.0 / rate, 2);
  return std::clamp<size_t>(static_cast<size_t>(std::lround(n)), 9, 25);
}

std::vector<std::vector<uint8_t>> FlexfecSender::EmitGroup() {
  const double rate = group_keyframe_ ? key_rate_ : delta_rate_;
  std::vector<std::vector<uint8_t>> out;
  if (!group_.empty() && rate > 0) out = ReedSolomon() ? ReedSolomonRepairs(rate) : XorRepair(rate);
  group_.clear();
  group_frames_ = 0;
  return out;
}

std::vector<std::vector<uint8_t>> FlexfecSender::ReedSolomonRepairs(double rate) {
  const size_t n = group_.size();
  const size_t m = std::clamp<size_t>(
      std::max(static_cast<size_t>(std::lround(static_cast<double>(n) * rate)),
               ReedSolomonRepairCount(n, loss_, GroupFailureTarget(n, group_keyframe_))),
      1, std::min(n, ReedSolomonRepair::kMaxRows));
  if (!group_keyframe_) {
    const auto size = static_cast<double>(n);
    reed_solomon_group_size_ =
        reed_solomon_group_size_ > 0 ? 0.8 * reed_solomon_group_size_ + 0.2 * size : size;
  }
  std::vector<std::vector<uint8_t>> sources;
  sources.reserve(n);
  for (const std::vector<uint8_t>& packet : group_) sources.push_back(FecBitString(packet));
  stats_.protected_packets += n;
  std::vector<std::vector<uint8_t>> out;
  for (size_t row = 0; row < m; ++row) {
    const std::vector<uint8_t> bits = ReedSolomonEncode(sources, row);
    ReedSolomonRepair repair;
    repair.sequence_number_base = SequenceNumberOf(group_.front());
    repair.source_count = static_cast<uint8_t>(n);
    repair.row = static_cast<uint8_t>(row);
    repair.bit_string = bits;
    std::vector<uint8_t> payload(ReedSolomonRepair::kHeaderSize + bits.size());
    ByteWriter writer(payload);
    repair.Write(writer);
    if (auto packet = RepairPacket(*config_.reed_solomon_payload_type, payload)) {
      out.push_back(std::move(*packet));
    }
  }
  return out;
}

std::optional<std::vector<uint8_t>> FlexfecSender::RepairPacket(uint8_t payload_type,
                                                                std::span<const uint8_t> payload) {
  RtpPacketBuilder builder;
  builder.set_payload_type(payload_type)
      .set_ssrc(config_.ssrc)
      .set_sequence_number(sequence_number_)
      .set_timestamp(LoadBE32(&group_.back()[4]));  // The last packet's (RFC 3550 §5.1).
  const uint32_t csrc = config_.protected_ssrc;
  (void)builder.SetCsrcs(std::span(&csrc, 1));
  if (config_.transport_sequence_number_extension_id) {
    (void)builder.SetExtension<TransportSequenceNumber>(
        *config_.transport_sequence_number_extension_id, 0);
  }
  std::vector<uint8_t> packet(builder.HeaderSize() + payload.size());
  auto size = builder.Build(payload, packet);
  if (!size.ok()) return std::nullopt;  // Only a group of 64 KiB packets could overflow.
  packet.resize(*size);
  ++sequence_number_;
  ++stats_.fec_packets;
  stats_.fec_bytes += packet.size();
  return packet;
}

std::vector<std::vector<uint8_t>> FlexfecSender::XorRepair(double rate) {
  std::vector<std::vector<uint8_t>> out;
  const size_t n = group_.size();
  // The positions in the group each repair packet protects.
  std::vector<std::vector<size_t>> masks;
  if (n >= 4 && !group_keyframe_ && TwoD(rate)) {
    // A grid of `columns` packets a row, filled in send order: a repair per row (consecutive
    // packets) and one per column (every `columns`-th packet, so a burst falls across columns).
    const auto columns = static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
    for (size_t row = 0; row * columns < n; ++row) {
      auto& mask = masks.emplace_back();
      for (size_t i = row * columns; i < std::min(n, (row + 1) * columns); ++i) mask.push_back(i);
    }
    for (size_t column = 0; column < columns; ++column) {
      auto& mask = masks.emplace_back();
      for (size_t i = column; i < n; i += columns) mask.push_back(i);
    }
  } else {
    const size_t m =
        std::clamp<size_t>(static_cast<size_t>(std::lround(static_cast<double>(n) * rate)), 1, n);
    for (size_t k = 0; k < m; ++k) {
      auto& mask = masks.emplace_back();
      for (size_t i = k; i < n; i += m) mask.push_back(i);
    }
  }
  for (const std::vector<size_t>& mask : masks) {
    FlexfecHeader header;
    FlexfecHeader::ProtectedStream stream;
    stream.ssrc = config_.protected_ssrc;
    // RFC 8627 §4.2.2.1: SN base is the lowest sequence number the repair packet protects.
    stream.sequence_number_base = SequenceNumberOf(group_[mask.front()]);
    std::vector<uint8_t> repair;
    for (size_t i : mask) {
      const uint16_t sequence_number = SequenceNumberOf(group_[i]);
      stream.mask.set(static_cast<uint16_t>(sequence_number - stream.sequence_number_base));
      header.XorSourcePacket(group_[i], repair);
      ++stats_.protected_packets;
    }
    header.streams.push_back(stream);

    std::vector<uint8_t> payload(header.Size() + repair.size());
    ByteWriter writer(payload);
    if (!header.Write(writer).ok()) continue;  // Cannot happen: sized by Size().
    writer.Bytes(repair);
    if (auto packet = RepairPacket(config_.payload_type, payload))
      out.push_back(std::move(*packet));
  }
  return out;
}

}  // namespace comodal
