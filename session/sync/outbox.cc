#include "session/sync/outbox.h"

#include <map>

namespace comodal::session {

std::string_view ActivityName(ActivityKind activity) {
  switch (activity) {
    case ActivityKind::kSlides:
      return "slides";
    case ActivityKind::kQuiz:
      return "quiz";
    case ActivityKind::kWhiteboard:
      return "whiteboard";
    case ActivityKind::kHands:
      return "raised hands";
    case ActivityKind::kTimer:
      return "timer";
    case ActivityKind::kChat:
      return "chat";
    case ActivityKind::kAttendance:
      return "attendance";
  }
  return "unknown";
}

std::vector<OutboxEntry> ComputeOutbox(std::span<const Operation> ops, uint32_t node,
                                       const VersionVector& held_by_hub) {
  std::map<ActivityKind, OutboxEntry> by_activity;
  for (const Operation& op : ops) {
    if (op.id.node != node || held_by_hub.Contains(op.id)) continue;
    OutboxEntry& entry = by_activity[op.activity];
    if (entry.operations++ == 0 || op.time < entry.oldest) entry.oldest = op.time;
    entry.activity = op.activity;
  }
  std::vector<OutboxEntry> out;
  for (const auto& [activity, entry] : by_activity) out.push_back(entry);
  return out;
}

}  // namespace comodal::session
