#ifndef SESSION_CLOCK_HYBRID_LOGICAL_CLOCK_H_
#define SESSION_CLOCK_HYBRID_LOGICAL_CLOCK_H_

#include <algorithm>
#include <compare>
#include <cstdint>

#include "transport/base/result.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::session {

// A hybrid logical clock reading (Kulkarni, Demirbas et al., "Logical Physical Clocks", OPODIS
// 2014): the largest physical time the node has seen, in milliseconds, and a counter that orders
// events within it. If event a happened before event b (on one node, or through a message), a's
// reading is smaller; and a reading never strays from physical time by more than the clocks'
// offset. Operations are ordered by (reading, origin node): a total order every replica agrees on.
struct HlcTimestamp {
  int64_t wall_ms = 0;  // Milliseconds since the Unix epoch (or the simulation's zero).
  uint16_t logical = 0;

  friend auto operator<=>(const HlcTimestamp&, const HlcTimestamp&) = default;

  // On the wire: 48 bits of milliseconds (until the year 10889), 16 bits of counter.
  uint64_t Pack() const;
  static HlcTimestamp Unpack(uint64_t packed);
  static constexpr int64_t kMaxWallMs = (int64_t{1} << 48) - 1;
};

// One node's clock. A pure state machine: each call carries the physical time it is made at.
class HybridLogicalClock {
 public:
  struct Config {
    // A remote reading further than this ahead of our physical time is refused: a peer with a
    // wrong clock (or a hostile one) must not drag every replica's clock into the future, where
    // no local operation could ever follow it.
    TimeDelta max_ahead = TimeDelta::Seconds(60);
  };

  HybridLogicalClock() : HybridLogicalClock(Config{}) {}
  explicit HybridLogicalClock(Config config) : config_(config) {}

  // A local event (an operation made here): a reading above every one given or observed so far.
  HlcTimestamp Now(Timestamp physical);
  // A remote reading arrived (a replicated operation): later readings here will be above it.
  // Refused, changing nothing, if it is more than max_ahead ahead of `physical` or past the
  // 48-bit range.
  Status Observe(HlcTimestamp remote, Timestamp physical);

  // After a restart: readings go on above `at_least` (the largest of the stored operations),
  // whatever the physical clock says.
  void Resume(HlcTimestamp at_least) { last_ = std::max(last_, at_least); }

  HlcTimestamp last() const { return last_; }

 private:
  static int64_t WallMs(Timestamp physical);
  // The reading after `last_` when physical time says `wall_ms`.
  HlcTimestamp Advance(int64_t wall_ms, HlcTimestamp floor) const;

  Config config_;
  HlcTimestamp last_;
};

}  // namespace comodal::session

#endif  // SESSION_CLOCK_HYBRID_LOGICAL_CLOCK_H_
