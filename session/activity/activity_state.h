#ifndef SESSION_ACTIVITY_ACTIVITY_STATE_H_
#define SESSION_ACTIVITY_ACTIVITY_STATE_H_

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "session/activity/operation.h"
#include "session/class/roster.h"
#include "transport/base/result.h"

namespace comodal::session {

// Where an operation stands in the order every replica agrees on.
struct OpKey {
  HlcTimestamp time;
  OperationId id;

  static OpKey Of(const Operation& op) { return {op.time, op.id}; }
  friend auto operator<=>(const OpKey&, const OpKey&) = default;
};

// The convergent states of the class activities. Each is a function of the set of operations it
// was given, whatever their order or repetition: registers keep the operation that comes last in
// the agreed order, and what depends on the order between operations (an answer given before
// its question closed) is decided when the state is read. Check() says whether an operation may
// be applied (its body well-formed, its author allowed); it is asked at every replica, against
// the replica's own roster.

// Slides: the page the teacher shows (action 1, body: page, 32 bits).
class SlidesState {
 public:
  enum Action : uint8_t { kShowPage = 1 };
  static Status Check(const Operation& op, const Roster& roster);
  void Apply(const Operation& op);
  std::optional<uint32_t> page() const;
  std::string Describe() const;

 private:
  std::optional<std::pair<OpKey, uint32_t>> page_;
};

// Raised hands: a queue in the order the hands went up. Action 1 raises, 2 lowers; body: the
// participant whose hand it is (32 bits). A pupil raises and lowers their own hand; the teacher
// lowers anyone's.
class HandsState {
 public:
  enum Action : uint8_t { kRaise = 1, kLower = 2 };
  static Status Check(const Operation& op, const Roster& roster);
  void Apply(const Operation& op);
  // Participants with a hand up, first raised first.
  std::vector<uint32_t> Queue() const;
  std::string Describe() const;

 private:
  std::map<uint32_t, std::pair<OpKey, bool>> hands_;  // The latest raise or lower of each.
};

// Quizzes and polls. The teacher opens a question (action 1, body: question 16 bits, options 8
// bits, 1 to 16), closes it (3) and reveals its results (4) (body: question). A pupil answers
// (2, body: question, option) and may change the answer until the question closes: the answer
// that counts is the pupil's last one before the first close.
class QuizState {
 public:
  enum Action : uint8_t { kOpen = 1, kAnswer = 2, kClose = 3, kReveal = 4 };
  static constexpr uint8_t kMaxOptions = 16;
  static Status Check(const Operation& op, const Roster& roster);
  void Apply(const Operation& op);
  // The answer of each pupil that counts (question opened, option within it), by pupil.
  std::map<uint32_t, uint8_t> Answers(uint16_t question) const;
  bool closed(uint16_t question) const;
  bool revealed(uint16_t question) const;
  std::string Describe() const;

 private:
  struct Question {
    std::optional<std::pair<OpKey, uint8_t>> open;  // The last open: its option count.
    std::optional<OpKey> first_close;
    bool revealed = false;
    std::map<uint32_t, std::map<OpKey, uint8_t>> answers;  // By pupil, every answer in order.
  };
  std::map<uint16_t, Question> questions_;
};

}  // namespace comodal::session

#endif  // SESSION_ACTIVITY_ACTIVITY_STATE_H_
