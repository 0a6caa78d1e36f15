#ifndef TRANSPORT_LINK_CODEL_H_
#define TRANSPORT_LINK_CODEL_H_

#include <cstdint>

#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::link {

// RFC 8289 defaults.
struct CoDelConfig {
  TimeDelta target = TimeDelta::Millis(5);
  TimeDelta interval = TimeDelta::Millis(100);
};

// Controlled Delay active queue management (RFC 8289), decided packet by packet at the moment a
// packet reaches the head of the bottleneck queue. Once packets have stayed above `target` for
// a whole `interval`, CoDel drops one and then drops at intervals shrinking as interval/sqrt(n)
// until the sojourn time falls below target again; re-entering soon after leaving resumes near
// the previous drop rate (RFC 8289 §5.5).
//
// The link model knows each packet's head-of-queue time when the packet arrives (the queue is a
// FIFO served at a known rate), so it asks CoDel then, in head-of-queue order. What it cannot
// know is the traffic that will have arrived behind the packet by that time, so RFC 8289's
// "less than one MTU queued" exit is not modelled: the sojourn time alone governs.
class CoDel {
 public:
  explicit CoDel(CoDelConfig config) : config_(config) {}

  // The packet reaching the head of the queue at `head_time` after waiting `sojourn`: true if
  // CoDel drops it. Calls come in non-decreasing `head_time`.
  bool ShouldDrop(Timestamp head_time, TimeDelta sojourn);
  bool dropping() const { return dropping_; }
  uint64_t drops() const { return drops_; }

 private:
  // RFC 8289 §5.3, the control law.
  Timestamp NextDrop(Timestamp from) const;
  // RFC 8289 §5.4 dodequeue(): whether the sojourn time has stayed above target for an interval.
  bool AboveTargetForAnInterval(Timestamp head_time, TimeDelta sojourn);

  CoDelConfig config_;
  Timestamp first_above_time_ = Timestamp::MinusInfinity();  // -inf: not above target.
  Timestamp drop_next_ = Timestamp::MinusInfinity();
  uint32_t count_ = 0;
  uint32_t last_count_ = 0;
  bool dropping_ = false;
  uint64_t drops_ = 0;
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_CODEL_H_
