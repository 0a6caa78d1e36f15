#ifndef SESSION_SYNC_OUTBOX_H_
#define SESSION_SYNC_OUTBOX_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "session/activity/operation.h"
#include "session/activity/version_vector.h"

namespace comodal::session {

// What a site made that the hub is not known to hold yet, per activity: what the tutor's view
// shows as waiting to be sent (DESIGN.md principle 4: it is all in the store meanwhile).
struct OutboxEntry {
  ActivityKind activity = ActivityKind::kSlides;
  uint64_t operations = 0;
  HlcTimestamp oldest;  // The clock reading of the oldest waiting operation.
};

// The activity's name as a tutor reads it ("quiz", "whiteboard", ...).
std::string_view ActivityName(ActivityKind activity);

// The operations of `ops` made at `node` that `held_by_hub` does not contain, grouped by
// activity in the activities' order.
std::vector<OutboxEntry> ComputeOutbox(std::span<const Operation> ops, uint32_t node,
                                       const VersionVector& held_by_hub);

}  // namespace comodal::session

#endif  // SESSION_SYNC_OUTBOX_H_
