#ifndef SESSION_ACTIVITY_REPLICA_H_
#define SESSION_ACTIVITY_REPLICA_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "session/activity/activity_state.h"
#include "session/activity/operation.h"
#include "session/activity/version_vector.h"
#include "session/class/roster.h"
#include "session/clock/hybrid_logical_clock.h"
#include "transport/base/result.h"
#include "transport/units/timestamp.h"

namespace comodal::session {

// One node's copy of the class activities (DESIGN.md: replicated activity state). Operations
// made here and operations received from other replicas go through the same checks against
// this replica's roster; each is applied once, whatever how often or in what order it comes,
// and replicas that have applied the same operations hold the same state.
//
// A pure state machine: each call carries its time; sending, storing and the network are the
// caller's.
class Replica {
 public:
  struct Stats {
    uint64_t made = 0;
    uint64_t applied = 0;     // Received from elsewhere and applied.
    uint64_t duplicates = 0;  // Received again: nothing done.
    uint64_t refused = 0;     // Made or received, and refused (by reason below).
    uint64_t refused_not_allowed = 0;
    uint64_t refused_malformed = 0;
    uint64_t refused_clock = 0;
  };

  Replica(uint32_t node, Roster roster, HybridLogicalClock::Config clock = {});

  // A participant here acts: numbered, timestamped, checked and applied. The operation to send
  // to the other replicas, or why it is refused (nothing changed then, the counter unused).
  Result<Operation> Make(uint32_t author, ActivityKind activity, uint8_t action,
                         std::vector<uint8_t> body, Timestamp now);
  // An operation from another replica. True if it was new and applied, false if already held;
  // refused with the reason, and counted, if it may not be applied.
  Result<bool> Receive(const Operation& op, Timestamp now);

  // After a restart: the operations of the replica's store, applied (checked again: a store is
  // read like anything else), its own counter and clock resumed above them. Returns how many
  // were refused.
  size_t Restore(const std::vector<Operation>& stored);

  // Anti-entropy: the operations this replica holds that a replica at `theirs` lacks, in the
  // agreed order.
  std::vector<Operation> Missing(const VersionVector& theirs) const;
  const VersionVector& version() const { return version_; }
  size_t operations() const { return log_.size(); }

  const SlidesState& slides() const { return slides_; }
  const HandsState& hands() const { return hands_; }
  const QuizState& quiz() const { return quiz_; }
  const TimerState& timer() const { return timer_; }
  const ChatState& chat() const { return chat_; }
  const WhiteboardState& whiteboard() const { return whiteboard_; }
  const AttendanceState& attendance() const { return attendance_; }
  // The whole state in a canonical text: equal at replicas that hold the same operations.
  std::string Describe() const;
  const Stats& stats() const { return stats_; }

 private:
  Status Check(const Operation& op) const;
  void Apply(const Operation& op);
  Error Refuse(Error error);

  uint32_t node_;
  Roster roster_;
  HybridLogicalClock clock_;
  uint64_t counter_ = 0;
  VersionVector version_;
  std::map<OperationId, Operation> log_;
  SlidesState slides_;
  HandsState hands_;
  QuizState quiz_;
  TimerState timer_;
  ChatState chat_;
  WhiteboardState whiteboard_;
  AttendanceState attendance_;
  Stats stats_;
};

}  // namespace comodal::session

#endif  // SESSION_ACTIVITY_REPLICA_H_
