#include "session/clock/hybrid_logical_clock.h"

#include <algorithm>
#include <limits>

namespace comodal::session {

uint64_t HlcTimestamp::Pack() const {
  return (static_cast<uint64_t>(std::clamp<int64_t>(wall_ms, 0, kMaxWallMs)) << 16) | logical;
}

HlcTimestamp HlcTimestamp::Unpack(uint64_t packed) {
  return {static_cast<int64_t>(packed >> 16), static_cast<uint16_t>(packed & 0xFFFF)};
}

int64_t HybridLogicalClock::WallMs(Timestamp physical) {
  return std::clamp<int64_t>(physical.ms(), 0, HlcTimestamp::kMaxWallMs);
}

HlcTimestamp HybridLogicalClock::Advance(int64_t wall_ms, HlcTimestamp floor) const {
  // The larger of physical time and every reading seen; within one millisecond the counter
  // orders events, and when it is spent the reading moves on a millisecond (it stays within a
  // millisecond of physical time per 65 536 events in that millisecond).
  const HlcTimestamp top = std::max(last_, floor);
  if (wall_ms > top.wall_ms) return {wall_ms, 0};
  if (top.logical == std::numeric_limits<uint16_t>::max()) return {top.wall_ms + 1, 0};
  return {top.wall_ms, static_cast<uint16_t>(top.logical + 1)};
}

HlcTimestamp HybridLogicalClock::Now(Timestamp physical) {
  last_ = Advance(WallMs(physical), last_);
  return last_;
}

Status HybridLogicalClock::Observe(HlcTimestamp remote, Timestamp physical) {
  if (remote.wall_ms < 0 || remote.wall_ms >= HlcTimestamp::kMaxWallMs) {
    return Error{ErrorCode::kMalformed, "clock reading outside the 48-bit millisecond range"};
  }
  if (remote.wall_ms > WallMs(physical) + config_.max_ahead.ms()) {
    return Error{ErrorCode::kInvalidArgument, "clock reading too far ahead of this node's time"};
  }
  last_ = Advance(WallMs(physical), remote);
  return Status::Ok();
}

}  // namespace comodal::session
