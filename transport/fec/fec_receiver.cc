#include "transport/fec/fec_receiver.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "transport/fec/reed_solomon.h"

namespace comodal {

std::vector<std::vector<uint8_t>> FlexfecReceiver::OnPacket(std::span<const uint8_t> packet,
                                                            Timestamp at) {
  if (packet.size() < RtpPacket::kFixedHeaderSize) return {};
  const uint32_t ssrc = LoadBE32(&packet[8]);
  if (ssrc == config_.fec_ssrc) return OnFecPacket(packet, at);
  if (ssrc == config_.protected_ssrc) return OnMediaPacket(packet, at);
  return {};
}

std::vector<std::vector<uint8_t>> FlexfecReceiver::OnMediaPacket(std::span<const uint8_t> packet,
                                                                 Timestamp at) {
  auto parsed = RtpPacket::Parse(packet);
  if (!parsed.ok()) return {};
  return OnMediaPacket(*parsed, at);
}

std::vector<std::vector<uint8_t>> FlexfecReceiver::OnMediaPacket(const RtpPacket& packet,
                                                                 Timestamp at) {
  Evict(at);
  if (packet.ssrc() != config_.protected_ssrc) return {};
  ++stats_.media_packets;
  const int64_t sequence_number = unwrapper_.Unwrap(packet.sequence_number());
  if (sequence_number < oldest_kept_ || media_.contains(sequence_number)) return {};
  media_.emplace(sequence_number, StoredMedia{{packet.data().begin(), packet.data().end()}, at});
  newest_ = std::max(newest_, sequence_number);
  Evict(at);
  std::vector<uint64_t> work;
  for (const StoredFec& fec : fec_) {
    if (Covers(fec, sequence_number)) work.push_back(fec.id);
  }
  std::vector<std::pair<int64_t, std::vector<uint8_t>>> recovered;
  Recover(std::move(work), at, recovered);
  for (const ReedSolomonGroup& group : ReedSolomonGroupsCovering(sequence_number)) {
    RecoverReedSolomon(group, at, recovered);
  }
  return Sorted(std::move(recovered));
}

std::vector<std::vector<uint8_t>> FlexfecReceiver::OnFecPacket(std::span<const uint8_t> packet,
                                                               Timestamp at) {
  auto parsed = RtpPacket::Parse(packet);
  if (!parsed.ok()) {
    Evict(at);
    ++stats_.malformed;
    return {};
  }
  return OnFecPacket(*parsed, at);
}

std::vector<std::vector<uint8_t>> FlexfecReceiver::OnFecPacket(const RtpPacket& packet,
                                                               Timestamp at) {
  Evict(at);
  if (packet.ssrc() != config_.fec_ssrc) return {};
  if (config_.reed_solomon_payload_type &&
      packet.payload_type() == *config_.reed_solomon_payload_type) {
    return OnReedSolomonPacket(packet, at);
  }
  auto header = FlexfecHeader::Parse(packet);
  if (!header.ok()) {
    ++(header.error().code == ErrorCode::kUnsupported ? stats_.unsupported : stats_.malformed);
    return {};
  }
  if (header->streams.size() != 1 || header->streams[0].ssrc != config_.protected_ssrc) {
    ++stats_.unsupported;
    return {};
  }
  const FlexfecHeader::ProtectedStream& stream = header->streams[0];
  if (stream.mask.none()) {
    ++stats_.malformed;  // RFC 8627 §4.2.2.1: a repair packet protects at least one packet.
    return {};
  }
  // Peek, not Unwrap: a repair packet does not move the media history's reference point.
  const int64_t base = unwrapper_.PeekUnwrap(stream.sequence_number_base);
  if (base < oldest_kept_) return {};  // Its packets are older than the media kept.
  ++stats_.fec_packets;

  StoredFec fec{next_fec_id_++, base, stream.mask, {}, {}, at};
  fec.recovery.p_x_cc_recovery = header->p_x_cc_recovery;
  fec.recovery.m_pt_recovery = header->m_pt_recovery;
  fec.recovery.length_recovery = header->length_recovery;
  fec.recovery.timestamp_recovery = header->timestamp_recovery;
  fec.repair_payload.assign(header->repair_payload.begin(), header->repair_payload.end());
  fec_.push_back(std::move(fec));
  const uint64_t id = fec_.back().id;
  Evict(at);
  return Recover({id}, at);
}

std::vector<std::vector<uint8_t>> FlexfecReceiver::OnReedSolomonPacket(const RtpPacket& packet,
                                                                       Timestamp at) {
  auto repair = ReedSolomonRepair::Parse(packet);
  if (!repair.ok()) {
    ++stats_.malformed;
    return {};
  }
  if (packet.csrc_count() != 1 || packet.csrc(0) != config_.protected_ssrc) {
    ++stats_.unsupported;
    return {};
  }
  const int64_t base = unwrapper_.PeekUnwrap(repair->sequence_number_base);
  if (base < oldest_kept_) return {};  // Its packets are older than the media kept.
  const ReedSolomonGroup group{base, repair->source_count};
  for (const StoredReedSolomon& stored : reed_solomon_) {
    if (stored.group == group && stored.row == repair->row) return {};  // A duplicate.
  }
  ++stats_.fec_packets;
  reed_solomon_.push_back(StoredReedSolomon{
      group, repair->row,
      std::vector<uint8_t>(repair->bit_string.begin(), repair->bit_string.end()), at});
  Evict(at);
  std::vector<std::pair<int64_t, std::vector<uint8_t>>> recovered;
  RecoverReedSolomon(group, at, recovered);
  return Sorted(std::move(recovered));
}

std::vector<FlexfecReceiver::ReedSolomonGroup> FlexfecReceiver::ReedSolomonGroupsCovering(
    int64_t sequence_number) const {
  std::vector<ReedSolomonGroup> groups;
  for (const StoredReedSolomon& row : reed_solomon_) {
    if (row.group.Covers(sequence_number) &&
        std::find(groups.begin(), groups.end(), row.group) == groups.end()) {
      groups.push_back(row.group);
    }
  }
  return groups;
}

void FlexfecReceiver::RecoverReedSolomon(
    ReedSolomonGroup group, Timestamp at,
    std::vector<std::pair<int64_t, std::vector<uint8_t>>>& recovered) {
  size_t missing = 0;
  for (size_t i = 0; i < group.count; ++i) {
    missing += !media_.contains(group.base + static_cast<int64_t>(i));
  }
  std::vector<uint8_t> rows;
  std::vector<std::vector<uint8_t>> repairs;
  for (const StoredReedSolomon& row : reed_solomon_) {
    if (row.group == group && rows.size() < missing) {
      rows.push_back(row.row);
      repairs.push_back(row.bit_string);
    }
  }
  if (missing > 0 && rows.size() < missing) return;  // Wait for more packets.
  // The group is done with, rebuilt or inconsistent: its rows go.
  std::erase_if(reed_solomon_, [&](const StoredReedSolomon& row) { return row.group == group; });
  if (missing == 0) return;
  // Bit strings only now that the group can be solved: a group short of rows is checked again at
  // every packet that arrives for it.
  std::vector<std::vector<uint8_t>> received(group.count);
  for (size_t i = 0; i < group.count; ++i) {
    auto media = media_.find(group.base + static_cast<int64_t>(i));
    if (media != media_.end()) received[i] = FecBitString(media->second.data);
  }
  auto rebuilt = ReedSolomonDecode(received, rows, repairs);
  std::vector<std::pair<int64_t, std::vector<uint8_t>>> packets;
  for (size_t i = 0, t = 0; rebuilt && i < group.count; ++i) {
    if (!received[i].empty()) continue;
    const int64_t sequence_number = group.base + static_cast<int64_t>(i);
    auto packet = PacketFromFecBitString((*rebuilt)[t++], static_cast<uint16_t>(sequence_number),
                                         config_.protected_ssrc);
    if (!packet) {
      rebuilt.reset();
      break;
    }
    packets.emplace_back(sequence_number, std::move(*packet));
  }
  if (!rebuilt) {
    ++stats_.malformed;  // The repair does not agree with the packets received.
    return;
  }
  std::vector<uint64_t> work;
  for (auto& [sequence_number, packet] : packets) {
    AddRecovered(sequence_number, std::move(packet), at, work, recovered);
  }
  Recover(std::move(work), at, recovered);
}

void FlexfecReceiver::AddRecovered(
    int64_t sequence_number, std::vector<uint8_t> packet, Timestamp at, std::vector<uint64_t>& work,
    std::vector<std::pair<int64_t, std::vector<uint8_t>>>& recovered) {
  ++stats_.recovered;
  media_.emplace(sequence_number, StoredMedia{packet, at});
  newest_ = std::max(newest_, sequence_number);
  recovered.emplace_back(sequence_number, std::move(packet));
  for (const StoredFec& fec : fec_) {
    if (Covers(fec, sequence_number)) work.push_back(fec.id);
  }
  for (const ReedSolomonGroup& group : ReedSolomonGroupsCovering(sequence_number)) {
    RecoverReedSolomon(group, at, recovered);
  }
}

std::vector<std::vector<uint8_t>> FlexfecReceiver::Sorted(
    std::vector<std::pair<int64_t, std::vector<uint8_t>>> recovered) {
  std::sort(recovered.begin(), recovered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::vector<uint8_t>> out;
  out.reserve(recovered.size());
  for (auto& [sequence_number, packet] : recovered) out.push_back(std::move(packet));
  return out;
}

bool FlexfecReceiver::Covers(const StoredFec& fec, int64_t sequence_number) {
  const int64_t j = sequence_number - fec.base;
  return j >= 0 && j < static_cast<int64_t>(FlexfecHeader::kMaxMaskBits) &&
         fec.mask.test(static_cast<size_t>(j));
}

void FlexfecReceiver::Evict(Timestamp now) {
  // Media go by count, and by age from the oldest sequence number on.
  auto keep = media_.begin();
  size_t remaining = media_.size();
  int64_t oldest_kept = oldest_kept_;
  while (keep != media_.end() &&
         (remaining > config_.max_media_packets || now - keep->second.at > config_.max_age)) {
    oldest_kept = keep->first + 1;
    ++keep;
    --remaining;
  }
  // Repair packets go first, while the media they protect are still there to tell which of
  // their packets were never received.
  for (size_t i = 0; i < fec_.size();) {
    if (now - fec_[i].at > config_.max_age || fec_[i].base < oldest_kept) {
      DropFec(i, /*count_unrecoverable=*/true);
    } else {
      ++i;
    }
  }
  for (size_t i = 0; i < reed_solomon_.size();) {
    if (now - reed_solomon_[i].at > config_.max_age || reed_solomon_[i].group.base < oldest_kept) {
      DropReedSolomon(i, /*count_unrecoverable=*/true);
    } else {
      ++i;
    }
  }
  media_.erase(media_.begin(), keep);
  oldest_kept_ = oldest_kept;
  while (fec_.size() > config_.max_fec_packets) DropFec(0, /*count_unrecoverable=*/true);
  while (reed_solomon_.size() > config_.max_fec_packets) {
    DropReedSolomon(0, /*count_unrecoverable=*/true);
  }
}

void FlexfecReceiver::DropReedSolomon(size_t index, bool count_unrecoverable) {
  const ReedSolomonGroup dropped = reed_solomon_[index].group;
  reed_solomon_.erase(reed_solomon_.begin() + static_cast<std::ptrdiff_t>(index));
  const bool last_of_group =
      std::none_of(reed_solomon_.begin(), reed_solomon_.end(),
                   [&](const StoredReedSolomon& row) { return row.group == dropped; });
  if (!count_unrecoverable || !last_of_group) return;
  for (size_t i = 0; i < dropped.count; ++i) {
    const int64_t sequence_number = dropped.base + static_cast<int64_t>(i);
    if (sequence_number >= oldest_kept_ && sequence_number <= newest_ &&
        !media_.contains(sequence_number)) {
      ++stats_.unrecoverable;
    }
  }
}

void FlexfecReceiver::DropFec(size_t index, bool count_unrecoverable) {
  const StoredFec& dropped = fec_[index];
  if (count_unrecoverable) {
    for (size_t j = 0; j < FlexfecHeader::kMaxMaskBits; ++j) {
      if (!dropped.mask.test(j)) continue;
      const int64_t sequence_number = dropped.base + static_cast<int64_t>(j);
      if (sequence_number < oldest_kept_ || sequence_number > newest_ ||
          media_.contains(sequence_number)) {
        continue;
      }
      bool covered_elsewhere = false;
      for (size_t other = 0; other < fec_.size() && !covered_elsewhere; ++other) {
        covered_elsewhere = other != index && Covers(fec_[other], sequence_number);
      }
      if (!covered_elsewhere) ++stats_.unrecoverable;
    }
  }
  fec_.erase(fec_.begin() + static_cast<std::ptrdiff_t>(index));
}

std::vector<std::vector<uint8_t>> FlexfecReceiver::Recover(std::vector<uint64_t> work,
                                                           Timestamp at) {
  std::vector<std::pair<int64_t, std::vector<uint8_t>>> recovered;
  Recover(std::move(work), at, recovered);
  return Sorted(std::move(recovered));
}

void FlexfecReceiver::Recover(std::vector<uint64_t> work, Timestamp at,
                              std::vector<std::pair<int64_t, std::vector<uint8_t>>>& recovered) {
  while (!work.empty()) {
    const uint64_t id = work.back();
    work.pop_back();
    auto it =
        std::find_if(fec_.begin(), fec_.end(), [&](const StoredFec& f) { return f.id == id; });
    if (it == fec_.end()) continue;
    const size_t index = static_cast<size_t>(it - fec_.begin());
    int64_t missing = 0;
    size_t missing_count = 0;
    for (size_t j = 0; j < FlexfecHeader::kMaxMaskBits && missing_count < 2; ++j) {
      const int64_t sequence_number = it->base + static_cast<int64_t>(j);
      if (it->mask.test(j) && !media_.contains(sequence_number)) {
        missing = sequence_number;
        ++missing_count;
      }
    }
    if (missing_count > 1) continue;  // Wait for more packets.
    if (missing_count == 0) {         // Everything arrived: the repair is not needed.
      DropFec(index, /*count_unrecoverable=*/false);
      continue;
    }
    std::optional<std::vector<uint8_t>> packet = RecoverOne(*it, missing);
    DropFec(index, /*count_unrecoverable=*/false);
    if (!packet) {
      ++stats_.malformed;
      continue;
    }
    AddRecovered(missing, std::move(*packet), at, work, recovered);
  }
}

std::optional<std::vector<uint8_t>> FlexfecReceiver::RecoverOne(const StoredFec& fec,
                                                                int64_t missing) {
  // RFC 8627 §6.3.2 and §6.3.3: XOR the received packets out of the repair packet; what is left
  // is the missing packet's bit string.
  FlexfecHeader bits = fec.recovery;
  std::vector<uint8_t> body = fec.repair_payload;
  for (size_t j = 0; j < FlexfecHeader::kMaxMaskBits; ++j) {
    const int64_t sequence_number = fec.base + static_cast<int64_t>(j);
    if (!fec.mask.test(j) || sequence_number == missing) continue;
    const std::vector<uint8_t>& media = media_.at(sequence_number).data;
    // The sender zero-extends every body to the longest: a longer received packet means this
    // repair packet was not made from these packets.
    if (media.size() - RtpPacket::kFixedHeaderSize > body.size()) return std::nullopt;
    bits.XorSourcePacket(media, body);
  }
  // What is left is the missing packet's bit string: the recovery fields, then the body.
  std::vector<uint8_t> bit_string(ReedSolomonRepair::kBitStringHeaderSize + body.size());
  bit_string[0] = bits.p_x_cc_recovery;
  bit_string[1] = bits.m_pt_recovery;
  StoreBE16(&bit_string[2], bits.length_recovery);
  StoreBE32(&bit_string[4], bits.timestamp_recovery);
  std::copy(body.begin(), body.end(), bit_string.begin() + ReedSolomonRepair::kBitStringHeaderSize);
  return PacketFromFecBitString(bit_string, static_cast<uint16_t>(missing), config_.protected_ssrc);
}

}  // namespace comodal
