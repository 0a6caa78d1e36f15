#ifndef SESSION_ACTIVITY_OPERATION_H_
#define SESSION_ACTIVITY_OPERATION_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "session/clock/hybrid_logical_clock.h"
#include "transport/base/byte_io.h"
#include "transport/base/result.h"

namespace comodal::session {

// The class activity an operation belongs to; each replica keeps one convergent state per kind.
enum class ActivityKind : uint8_t {
  kSlides = 1,
  kQuiz = 2,
  kWhiteboard = 3,
  kHands = 4,
  kTimer = 5,
  kChat = 6,
  kAttendance = 7,
};
inline constexpr uint8_t kMaxActivityKind = 7;

// Who made an operation, world-wide: the node it was made at and that node's counter (from 1,
// never reused: the counter is committed with the operation). Replicas use it to apply an
// operation once however often it arrives, and version vectors count it per node.
struct OperationId {
  uint32_t node = 0;
  uint64_t counter = 0;

  friend auto operator<=>(const OperationId&, const OperationId&) = default;
};

// One replicated operation: an action of a participant on an activity. The body is the
// activity's own encoding of the action (a page number, an answer, a stroke). The author is a
// participant id; the role that allows or forbids the action is looked up in the replica's own
// roster, never taken from the message.
//
// Wire format (version 1), big-endian:
//   0  version (1)        1  activity kind      2  action (activity-specific)   3  reserved (0)
//   4  origin node (32)   8  counter (64)       16 clock reading (HlcTimestamp::Pack, 64)
//   24 author (32)        28 body length (16)   30 body
struct Operation {
  static constexpr uint8_t kVersion = 1;
  static constexpr size_t kHeaderSize = 30;
  // Larger content (a slide deck, a photo) travels as a blob the operation names.
  static constexpr size_t kMaxBodySize = 4096;

  OperationId id;
  HlcTimestamp time;
  ActivityKind activity = ActivityKind::kSlides;
  uint8_t action = 0;
  uint32_t author = 0;
  std::vector<uint8_t> body;

  // The order every replica agrees on: clock reading, then origin node, then counter.
  friend std::strong_ordering Order(const Operation& a, const Operation& b);

  size_t size() const { return kHeaderSize + body.size(); }
  // Fails (kBufferTooSmall) if `out` is short, (kInvalidArgument) if the body is over the
  // maximum; writes nothing then.
  Result<size_t> Write(std::span<uint8_t> out) const;
  std::vector<uint8_t> Serialize() const;
  // Untrusted bytes: every field checked, the reason named when one is wrong.
  static Result<Operation> Parse(std::span<const uint8_t> data);

  friend bool operator==(const Operation&, const Operation&) = default;
};

}  // namespace comodal::session

#endif  // SESSION_ACTIVITY_OPERATION_H_
