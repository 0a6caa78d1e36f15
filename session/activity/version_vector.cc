#include "session/activity/version_vector.h"

#include <algorithm>

namespace comodal::session {

bool VersionVector::Contains(OperationId id) const {
  if (id.counter <= Contiguous(id.node)) return true;
  auto it = beyond_.find(id.node);
  return it != beyond_.end() && it->second.contains(id.counter);
}

uint64_t VersionVector::Contiguous(uint32_t node) const {
  auto it = contiguous_.find(node);
  return it == contiguous_.end() ? 0 : it->second;
}

bool VersionVector::Add(OperationId id) {
  if (id.counter == 0 || Contains(id)) return false;
  uint64_t& upto = contiguous_[id.node];
  if (id.counter != upto + 1) {
    beyond_[id.node].insert(id.counter);
    return true;
  }
  upto = id.counter;
  // The operations that were waiting beyond the gap this one closed.
  auto it = beyond_.find(id.node);
  if (it == beyond_.end()) return true;
  std::set<uint64_t>& waiting = it->second;
  while (!waiting.empty() && *waiting.begin() == upto + 1) {
    upto = *waiting.begin();
    waiting.erase(waiting.begin());
  }
  if (waiting.empty()) beyond_.erase(it);
  return true;
}

size_t VersionVector::WireSize() const {
  size_t size = 2;
  size_t beyond = 0;
  for (const auto& [node, upto] : contiguous_) {
    size += 14;
    if (auto it = beyond_.find(node); it != beyond_.end()) {
      const size_t count = std::min(it->second.size(), kMaxBeyond - beyond);
      size += 8 * count;
      beyond += count;
    }
  }
  return size;
}

void VersionVector::Write(ByteWriter& out) const {
  out.U16(static_cast<uint16_t>(std::min(contiguous_.size(), kMaxNodes)));
  size_t nodes = 0;
  size_t beyond = 0;
  for (const auto& [node, upto] : contiguous_) {
    if (nodes++ == kMaxNodes) break;
    out.U32(node);
    out.U64(upto);
    auto it = beyond_.find(node);
    const size_t count = it == beyond_.end() ? 0 : std::min(it->second.size(), kMaxBeyond - beyond);
    out.U16(static_cast<uint16_t>(count));
    if (count == 0) continue;
    // Leaving some out only makes the peer send them again: it is told it lacks them.
    size_t written = 0;
    for (uint64_t counter : it->second) {
      if (written++ == count) break;
      out.U64(counter);
    }
    beyond += count;
  }
}

Result<VersionVector> VersionVector::Parse(ByteReader& in) {
  VersionVector version;
  const uint16_t nodes = in.U16();
  if (!in.ok()) return Error{ErrorCode::kTruncated, "version vector shorter than its count"};
  if (nodes > kMaxNodes) return Error{ErrorCode::kMalformed, "version vector over 1024 nodes"};
  size_t beyond_total = 0;
  int64_t previous_node = -1;
  for (uint16_t i = 0; i < nodes; ++i) {
    const uint32_t node = in.U32();
    const uint64_t upto = in.U64();
    const uint16_t count = in.U16();
    if (!in.ok()) return Error{ErrorCode::kTruncated, "version vector shorter than its nodes"};
    if (int64_t{node} <= previous_node) {
      return Error{ErrorCode::kMalformed, "version vector nodes not increasing"};
    }
    previous_node = node;
    beyond_total += count;
    if (beyond_total > kMaxBeyond) {
      return Error{ErrorCode::kMalformed, "version vector over 4096 counters beyond"};
    }
    version.contiguous_[node] = upto;
    uint64_t floor = upto + 1;
    for (uint16_t j = 0; j < count; ++j) {
      const uint64_t counter = in.U64();
      if (!in.ok()) return Error{ErrorCode::kTruncated, "version vector shorter than its counters"};
      if (counter <= floor) {
        return Error{ErrorCode::kMalformed, "version vector counters not increasing past a gap"};
      }
      version.beyond_[node].insert(counter);
      floor = counter;
    }
  }
  return version;
}

}  // namespace comodal::session
