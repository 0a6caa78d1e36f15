#include "transport/rtcp/nack.h"

#include <algorithm>
#include <utility>

#include "transport/rtcp/feedback_header.h"

namespace comodal::rtcp {
namespace {

constexpr size_t kItemSize = 4;
// An item covers its PID and the 16 sequence numbers after it.
constexpr uint16_t kItemSpan = 16;

// Distance from `from` forward to `to` on the 16-bit sequence number circle.
uint16_t Forward(uint16_t from, uint16_t to) { return static_cast<uint16_t>(to - from); }

// Greedy packing of the sorted, distinct `seqs`, taken circularly from index `start`: each item
// starts at the first number not yet covered. Greedy is optimal once the first item is fixed.
std::vector<Nack::Item> PackFrom(const std::vector<uint16_t>& seqs, size_t start) {
  std::vector<Nack::Item> items;
  for (size_t i = 0; i < seqs.size(); ++i) {
    const uint16_t seq = seqs[(start + i) % seqs.size()];
    if (!items.empty()) {
      const uint16_t offset = Forward(items.back().packet_id, seq);
      if (offset <= kItemSpan) {
        items.back().lost_bitmask |= static_cast<uint16_t>(1u << (offset - 1));
        continue;
      }
    }
    items.push_back({seq, 0});
  }
  return items;
}

// The sequence numbers `items` cover, item by item.
std::vector<uint16_t> Expand(const std::vector<Nack::Item>& items) {
  std::vector<uint16_t> seqs;
  for (const Nack::Item& item : items) {
    seqs.push_back(item.packet_id);
    for (uint16_t bit = 0; bit < kItemSpan; ++bit) {
      if (item.lost_bitmask & (1u << bit)) {
        seqs.push_back(static_cast<uint16_t>(item.packet_id + bit + 1));
      }
    }
  }
  return seqs;
}

}  // namespace

Result<Nack> Nack::Parse(const RtcpCommonHeader& header) {
  std::span<const uint8_t> fci;
  Result<FeedbackSsrcs> ssrcs = FeedbackSsrcs::Parse(header, fci);
  if (!ssrcs.ok()) return ssrcs.error();
  // RFC 4585 §6.2.1: "The FCI field MUST contain at least one ... Generic NACK".
  if (fci.empty()) return Error{ErrorCode::kMalformed, "NACK has no FCI item"};
  if (fci.size() % kItemSize != 0) {
    return Error{ErrorCode::kBadLength, "NACK FCI is not a whole number of items"};
  }
  Nack nack;
  nack.sender_ssrc = ssrcs->sender_ssrc;
  nack.media_ssrc = ssrcs->media_ssrc;
  std::vector<Item> items;
  items.reserve(fci.size() / kItemSize);
  for (size_t pos = 0; pos < fci.size(); pos += kItemSize) {
    items.push_back({LoadBE16(&fci[pos]), LoadBE16(&fci[pos + 2])});
  }
  // A sender may repeat numbers or order its items any way; the model is the set of lost
  // numbers, listed in the order Pack() covers them, so that parse -> write -> parse is stable.
  nack.lost_sequence_numbers = Expand(Pack(Expand(items)));
  return nack;
}

std::vector<Nack::Item> Nack::Pack(std::span<const uint16_t> lost) {
  std::vector<uint16_t> seqs(lost.begin(), lost.end());
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  if (seqs.empty()) return {};

  // Start after the widest gap between neighbours on the circle: when that gap is more than
  // 16 (always, unless thousands of packets are lost), no item can cross it and packing the
  // line from there is optimal.
  size_t first = 0;
  uint32_t widest_gap = 0;
  for (size_t i = 0; i < seqs.size(); ++i) {
    const uint16_t previous = seqs[(i + seqs.size() - 1) % seqs.size()];
    const uint32_t gap = seqs.size() == 1 ? 0x10000u : Forward(previous, seqs[i]);
    if (gap > widest_gap) {
      widest_gap = gap;
      first = i;
    }
  }
  // Otherwise some item of an optimal packing covers seqs[first] and starts at most 16 before
  // it: try each such start and keep the packing with the fewest items.
  std::vector<Nack::Item> best = PackFrom(seqs, first);
  for (size_t back = 1; back < seqs.size(); ++back) {
    const size_t start = (first + seqs.size() - back) % seqs.size();
    if (Forward(seqs[start], seqs[first]) > kItemSpan) break;
    std::vector<Nack::Item> items = PackFrom(seqs, start);
    if (items.size() < best.size()) best = std::move(items);
  }
  return best;
}

size_t Nack::Size() const {
  // At most 65536 / 17 items, so the length field always fits.
  return RtcpCommonHeader::kSize + FeedbackSsrcs::kSize +
         Pack(lost_sequence_numbers).size() * kItemSize;
}

Status Nack::Write(ByteWriter& out) const {
  const std::vector<Item> items = Pack(lost_sequence_numbers);
  if (items.empty()) {
    return Error{ErrorCode::kInvalidArgument, "NACK needs at least one lost sequence number"};
  }
  WriteRtcpCommonHeader(out, kFormat, kPacketType, FeedbackSsrcs::kSize + items.size() * kItemSize);
  FeedbackSsrcs{sender_ssrc, media_ssrc}.Write(out);
  for (const Item& item : items) {
    out.U16(item.packet_id);
    out.U16(item.lost_bitmask);
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the NACK"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
