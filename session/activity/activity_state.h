#ifndef SESSION_ACTIVITY_ACTIVITY_STATE_H_
#define SESSION_ACTIVITY_ACTIVITY_STATE_H_

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

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

// A register per key: the value of the operation that comes last in the agreed order, whatever
// the order operations are applied in.
template <typename K, typename V>
class LastWriterWins {
 public:
  void Set(const K& key, const OpKey& at, V value) {
    auto [it, inserted] = entries_.try_emplace(key, at, value);
    if (!inserted && it->second.first < at) it->second = {at, std::move(value)};
  }
  const std::map<K, std::pair<OpKey, V>>& entries() const { return entries_; }

 private:
  std::map<K, std::pair<OpKey, V>> entries_;
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
  LastWriterWins<int, uint32_t> page_;
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
  LastWriterWins<uint32_t, bool> hands_;  // Up or down, by the latest raise or lower.
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

// The class timer, in hub time (the clock readings of the teacher's operations). Action 1 starts
// it (body: duration in ms, 32 bits), 2 pauses, 3 resumes, 4 resets (no body). Teacher only.
// Its state is the teacher's operations taken in the agreed order.
class TimerState {
 public:
  enum Action : uint8_t { kStart = 1, kPause = 2, kResume = 3, kReset = 4 };
  static Status Check(const Operation& op, const Roster& roster);
  void Apply(const Operation& op);
  struct Reading {
    bool running = false;
    int64_t ends_at_ms = 0;    // Running: when it reaches zero, in hub time.
    int64_t remaining_ms = 0;  // Paused: what is left.
    bool set = false;          // Started and not reset.
  };
  Reading Read() const;
  std::string Describe() const;

 private:
  std::map<OpKey, std::pair<uint8_t, uint32_t>> ops_;  // Action and duration, in order.
};

// Chat: action 1 posts a message (body: UTF-8 text, 1 to 500 bytes). Anyone in the lesson.
// Messages show in the agreed order.
class ChatState {
 public:
  enum Action : uint8_t { kPost = 1 };
  static constexpr size_t kMaxText = 500;
  static Status Check(const Operation& op, const Roster& roster);
  void Apply(const Operation& op);
  std::vector<std::pair<uint32_t, std::string>> Messages() const;  // Author and text.
  std::string Describe() const;

 private:
  std::map<OpKey, std::pair<uint32_t, std::string>> messages_;
};

// Whiteboard: action 1 adds a stroke to a page (body: page 16 bits, then the stroke's points,
// 1 to 4000 bytes); action 2 erases one (body: page 16 bits, the stroke's operation id: node 32
// bits, counter 64 bits). The teacher and tutors draw. An erased stroke stays erased whatever
// the order the two arrive in.
class WhiteboardState {
 public:
  enum Action : uint8_t { kAddStroke = 1, kErase = 2 };
  static Status Check(const Operation& op, const Roster& roster);
  void Apply(const Operation& op);
  // The strokes shown on a page, in the agreed order: their ids.
  std::vector<OperationId> Strokes(uint16_t page) const;
  std::string Describe() const;

 private:
  std::map<uint16_t, std::map<OpKey, OperationId>> added_;
  std::set<OperationId> erased_;
};

// Attendance: action 1 marks a pupil present, 2 absent (body: pupil, 32 bits). The pupil's tutor
// (same node) or the teacher; the last mark in the agreed order stands.
class AttendanceState {
 public:
  enum Action : uint8_t { kPresent = 1, kAbsent = 2 };
  static Status Check(const Operation& op, const Roster& roster);
  void Apply(const Operation& op);
  std::map<uint32_t, bool> Marks() const;
  std::string Describe() const;

 private:
  LastWriterWins<uint32_t, bool> marks_;
};

}  // namespace comodal::session

#endif  // SESSION_ACTIVITY_ACTIVITY_STATE_H_
