#include "session/activity/replica.h"

#include <algorithm>

namespace comodal::session {

Replica::Replica(uint32_t node, Roster roster, HybridLogicalClock::Config clock)
    : node_(node), roster_(std::move(roster)), clock_(clock) {}

Status Replica::Check(const Operation& op) const {
  if (op.body.size() > Operation::kMaxBodySize) {
    return Error{ErrorCode::kMalformed, "operation body over 4096 bytes"};
  }
  switch (op.activity) {
    case ActivityKind::kSlides:
      return SlidesState::Check(op, roster_);
    case ActivityKind::kHands:
      return HandsState::Check(op, roster_);
    case ActivityKind::kQuiz:
      return QuizState::Check(op, roster_);
    case ActivityKind::kTimer:
      return TimerState::Check(op, roster_);
    case ActivityKind::kChat:
      return ChatState::Check(op, roster_);
    case ActivityKind::kWhiteboard:
      return WhiteboardState::Check(op, roster_);
    case ActivityKind::kAttendance:
      return AttendanceState::Check(op, roster_);
  }
  return Error{ErrorCode::kUnsupported, "operation for an unknown activity"};
}

void Replica::Apply(const Operation& op) {
  switch (op.activity) {
    case ActivityKind::kSlides:
      slides_.Apply(op);
      break;
    case ActivityKind::kHands:
      hands_.Apply(op);
      break;
    case ActivityKind::kQuiz:
      quiz_.Apply(op);
      break;
    case ActivityKind::kTimer:
      timer_.Apply(op);
      break;
    case ActivityKind::kChat:
      chat_.Apply(op);
      break;
    case ActivityKind::kWhiteboard:
      whiteboard_.Apply(op);
      break;
    case ActivityKind::kAttendance:
      attendance_.Apply(op);
      break;
  }
  version_.Add(op.id);
  log_.emplace(op.id, op);
}

Error Replica::Refuse(Error error) {
  ++stats_.refused;
  if (error.code == ErrorCode::kInvalidArgument) {
    ++stats_.refused_not_allowed;
  } else {
    ++stats_.refused_malformed;
  }
  return error;
}

Result<Operation> Replica::Make(uint32_t author, ActivityKind activity, uint8_t action,
                                std::vector<uint8_t> body, Timestamp now) {
  Operation op;
  op.id = {node_, counter_ + 1};
  op.activity = activity;
  op.action = action;
  op.author = author;
  op.body = std::move(body);
  if (Status checked = Check(op); !checked.ok()) return Refuse(checked.error());
  ++counter_;
  op.time = clock_.Now(now);
  ++stats_.made;
  Apply(op);
  return op;
}

Result<bool> Replica::Receive(const Operation& op, Timestamp now) {
  if (version_.Contains(op.id)) {
    ++stats_.duplicates;
    return false;
  }
  if (Status checked = Check(op); !checked.ok()) return Refuse(checked.error());
  if (Status observed = clock_.Observe(op.time, now); !observed.ok()) {
    ++stats_.refused;
    ++stats_.refused_clock;
    return observed.error();
  }
  ++stats_.applied;
  Apply(op);
  return true;
}

size_t Replica::Restore(const std::vector<Operation>& stored) {
  size_t refused = 0;
  for (const Operation& op : stored) {
    if (version_.Contains(op.id)) continue;
    if (Status checked = Check(op); !checked.ok()) {
      (void)Refuse(checked.error());
      ++refused;
      continue;
    }
    if (op.id.node == node_) counter_ = std::max(counter_, op.id.counter);
    clock_.Resume(op.time);
    Apply(op);
  }
  return refused;
}

std::vector<Operation> Replica::Missing(const VersionVector& theirs) const {
  std::vector<Operation> missing;
  for (const auto& [id, op] : log_) {
    if (!theirs.Contains(id)) missing.push_back(op);
  }
  std::sort(missing.begin(), missing.end(),
            [](const Operation& a, const Operation& b) { return Order(a, b) < 0; });
  return missing;
}

std::string Replica::Describe() const {
  return slides_.Describe() + " | " + hands_.Describe() + " | " + quiz_.Describe() + " | " +
         timer_.Describe() + " | " + chat_.Describe() + " | " + whiteboard_.Describe() + " | " +
         attendance_.Describe();
}

}  // namespace comodal::session
