#include "transport/fec/fec_receiver.h"

#include <algorithm>
#include <cstring>
#include <utility>

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
  return Recover(std::move(work), at);
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
  media_.erase(media_.begin(), keep);
  oldest_kept_ = oldest_kept;
  while (fec_.size() > config_.max_fec_packets) DropFec(0, /*count_unrecoverable=*/true);
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
    ++stats_.recovered;
    media_.emplace(missing, StoredMedia{*packet, at});
    recovered.emplace_back(missing, std::move(*packet));
    for (const StoredFec& fec : fec_) {
      if (Covers(fec, missing)) work.push_back(fec.id);
    }
  }
  std::sort(recovered.begin(), recovered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::vector<uint8_t>> out;
  out.reserve(recovered.size());
  for (auto& [sequence_number, packet] : recovered) out.push_back(std::move(packet));
  return out;
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
  const size_t length = bits.length_recovery;
  // Past the recovered length only zero padding may remain.
  if (length > body.size() || std::any_of(body.begin() + static_cast<std::ptrdiff_t>(length),
                                          body.end(), [](uint8_t b) { return b != 0; })) {
    return std::nullopt;
  }
  std::vector<uint8_t> packet(RtpPacket::kFixedHeaderSize + length);
  packet[0] = static_cast<uint8_t>((RtpPacket::kVersion << 6) | bits.p_x_cc_recovery);
  packet[1] = bits.m_pt_recovery;
  StoreBE16(&packet[2], static_cast<uint16_t>(missing));
  StoreBE32(&packet[4], bits.timestamp_recovery);
  StoreBE32(&packet[8], config_.protected_ssrc);
  if (length > 0) std::memcpy(&packet[RtpPacket::kFixedHeaderSize], body.data(), length);
  if (!RtpPacket::Parse(packet).ok()) return std::nullopt;
  return packet;
}

}  // namespace comodal
