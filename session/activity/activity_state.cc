#include "session/activity/activity_state.h"

#include <algorithm>
#include <vector>

#include "transport/base/byte_io.h"

namespace comodal::session {
namespace {

Error NotAllowed() { return Error{ErrorCode::kInvalidArgument, "author not allowed this action"}; }
Error BadBody() { return Error{ErrorCode::kMalformed, "operation body does not fit its action"}; }

// The author, if the roster knows them and they take part from the node the operation comes
// from: a node cannot act for someone who is elsewhere.
const Participant* AuthorOf(const Operation& op, const Roster& roster) {
  const Participant* author = roster.Find(op.author);
  return author != nullptr && author->node == op.id.node ? author : nullptr;
}

std::string KeyText(const OpKey& key) {
  return std::to_string(key.time.wall_ms) + "." + std::to_string(key.time.logical) + "/" +
         std::to_string(key.id.node) + ":" + std::to_string(key.id.counter);
}

}  // namespace

Status SlidesState::Check(const Operation& op, const Roster& roster) {
  const Participant* author = AuthorOf(op, roster);
  if (author == nullptr || author->role != Role::kTeacher) return NotAllowed();
  if (op.action != kShowPage || op.body.size() != 4) return BadBody();
  return Status::Ok();
}

void SlidesState::Apply(const Operation& op) {
  page_.Set(0, OpKey::Of(op), LoadBE32(op.body.data()));
}

std::optional<uint32_t> SlidesState::page() const {
  if (page_.entries().empty()) return std::nullopt;
  return page_.entries().begin()->second.second;
}

std::string SlidesState::Describe() const {
  if (page_.entries().empty()) return "page -";
  const auto& [key, page] = page_.entries().begin()->second;
  return "page " + std::to_string(page) + " @" + KeyText(key);
}

Status HandsState::Check(const Operation& op, const Roster& roster) {
  const Participant* author = AuthorOf(op, roster);
  if (author == nullptr) return NotAllowed();
  if ((op.action != kRaise && op.action != kLower) || op.body.size() != 4) return BadBody();
  const uint32_t whose = LoadBE32(op.body.data());
  const Participant* hand = roster.Find(whose);
  if (hand == nullptr || hand->role != Role::kPupil) return BadBody();
  const bool own = whose == author->id;
  if (op.action == kRaise ? !own : !(own || author->role == Role::kTeacher)) return NotAllowed();
  return Status::Ok();
}

void HandsState::Apply(const Operation& op) {
  hands_.Set(LoadBE32(op.body.data()), OpKey::Of(op), op.action == kRaise);
}

std::vector<uint32_t> HandsState::Queue() const {
  std::vector<std::pair<OpKey, uint32_t>> up;
  for (const auto& [who, hand] : hands_.entries()) {
    if (hand.second) up.emplace_back(hand.first, who);
  }
  std::sort(up.begin(), up.end());
  std::vector<uint32_t> queue;
  for (const auto& entry : up) queue.push_back(entry.second);
  return queue;
}

std::string HandsState::Describe() const {
  std::string out = "hands";
  for (uint32_t who : Queue()) out += " " + std::to_string(who);
  return out;
}

Status QuizState::Check(const Operation& op, const Roster& roster) {
  const Participant* author = AuthorOf(op, roster);
  if (author == nullptr) return NotAllowed();
  switch (op.action) {
    case kOpen:
      if (op.body.size() != 3 || op.body[2] == 0 || op.body[2] > kMaxOptions) return BadBody();
      break;
    case kAnswer:
      if (op.body.size() != 3) return BadBody();
      break;
    case kClose:
    case kReveal:
      if (op.body.size() != 2) return BadBody();
      break;
    default:
      return BadBody();
  }
  const bool teacher_action = op.action != kAnswer;
  if (teacher_action ? author->role != Role::kTeacher : author->role != Role::kPupil) {
    return NotAllowed();
  }
  return Status::Ok();
}

void QuizState::Apply(const Operation& op) {
  const OpKey key = OpKey::Of(op);
  Question& q = questions_[LoadBE16(op.body.data())];
  switch (op.action) {
    case kOpen:
      if (!q.open || q.open->first < key) q.open = {key, op.body[2]};
      break;
    case kAnswer:
      q.answers[op.author].emplace(key, op.body[2]);
      break;
    case kClose:
      if (!q.first_close || key < *q.first_close) q.first_close = key;
      break;
    case kReveal:
      q.revealed = true;
      break;
    default:
      break;
  }
}

std::map<uint32_t, uint8_t> QuizState::Answers(uint16_t question) const {
  std::map<uint32_t, uint8_t> out;
  auto it = questions_.find(question);
  if (it == questions_.end() || !it->second.open) return out;
  const Question& q = it->second;
  for (const auto& [pupil, answers] : q.answers) {
    // The last answer before the first close.
    auto last = q.first_close ? answers.lower_bound(*q.first_close) : answers.end();
    if (last == answers.begin()) continue;
    --last;
    if (last->second < q.open->second) out[pupil] = last->second;
  }
  return out;
}

bool QuizState::closed(uint16_t question) const {
  auto it = questions_.find(question);
  return it != questions_.end() && it->second.first_close.has_value();
}

bool QuizState::revealed(uint16_t question) const {
  auto it = questions_.find(question);
  return it != questions_.end() && it->second.revealed;
}

std::string QuizState::Describe() const {
  std::string out = "quiz";
  for (const auto& [number, q] : questions_) {
    out += " q" + std::to_string(number) + (q.open ? "/" + std::to_string(q.open->second) : "/-") +
           (closed(number) ? " closed" : "") + (q.revealed ? " revealed" : "");
    for (const auto& [pupil, option] : Answers(number)) {
      out += " " + std::to_string(pupil) + "=" + std::to_string(option);
    }
  }
  return out;
}

Status TimerState::Check(const Operation& op, const Roster& roster) {
  const Participant* author = AuthorOf(op, roster);
  if (author == nullptr || author->role != Role::kTeacher) return NotAllowed();
  if (op.action < kStart || op.action > kReset) return BadBody();
  if (op.body.size() != (op.action == kStart ? 4u : 0u)) return BadBody();
  return Status::Ok();
}

void TimerState::Apply(const Operation& op) {
  ops_.emplace(OpKey::Of(op),
               std::pair{op.action, op.action == kStart ? LoadBE32(op.body.data()) : 0u});
}

TimerState::Reading TimerState::Read() const {
  Reading r;
  for (const auto& [key, entry] : ops_) {
    const auto [action, duration] = entry;
    const int64_t at = key.time.wall_ms;
    switch (action) {
      case kStart:
        r = {true, at + duration, duration, true};
        break;
      case kPause:
        if (r.running) r = {false, 0, std::max<int64_t>(0, r.ends_at_ms - at), true};
        break;
      case kResume:
        if (r.set && !r.running) r = {true, at + r.remaining_ms, r.remaining_ms, true};
        break;
      case kReset:
        r = {};
        break;
      default:
        break;
    }
  }
  return r;
}

std::string TimerState::Describe() const {
  const Reading r = Read();
  if (!r.set) return "timer -";
  return r.running ? "timer ends " + std::to_string(r.ends_at_ms)
                   : "timer paused " + std::to_string(r.remaining_ms);
}

Status ChatState::Check(const Operation& op, const Roster& roster) {
  if (AuthorOf(op, roster) == nullptr) return NotAllowed();
  if (op.action != kPost || op.body.empty() || op.body.size() > kMaxText) return BadBody();
  return Status::Ok();
}

void ChatState::Apply(const Operation& op) {
  messages_.emplace(OpKey::Of(op),
                    std::pair{op.author, std::string(op.body.begin(), op.body.end())});
}

std::vector<std::pair<uint32_t, std::string>> ChatState::Messages() const {
  std::vector<std::pair<uint32_t, std::string>> out;
  for (const auto& [key, message] : messages_) out.push_back(message);
  return out;
}

std::string ChatState::Describe() const {
  std::string out = "chat";
  for (const auto& [key, message] : messages_) {
    out += " " + std::to_string(message.first) + ":" + std::to_string(message.second.size());
  }
  return out;
}

Status WhiteboardState::Check(const Operation& op, const Roster& roster) {
  const Participant* author = AuthorOf(op, roster);
  if (author == nullptr || author->role == Role::kPupil) return NotAllowed();
  if (op.action == kAddStroke) {
    if (op.body.size() < 3 || op.body.size() > 2 + 4000) return BadBody();
  } else if (op.action == kErase) {
    if (op.body.size() != 14) return BadBody();
  } else {
    return BadBody();
  }
  return Status::Ok();
}

void WhiteboardState::Apply(const Operation& op) {
  if (op.action == kAddStroke) {
    added_[LoadBE16(op.body.data())].emplace(OpKey::Of(op), op.id);
  } else {
    erased_.insert({LoadBE32(op.body.data() + 2), LoadBE64(op.body.data() + 6)});
  }
}

std::vector<OperationId> WhiteboardState::Strokes(uint16_t page) const {
  std::vector<OperationId> out;
  auto it = added_.find(page);
  if (it == added_.end()) return out;
  for (const auto& [key, id] : it->second) {
    if (!erased_.contains(id)) out.push_back(id);
  }
  return out;
}

std::string WhiteboardState::Describe() const {
  std::string out = "board";
  for (const auto& [page, strokes] : added_) {
    out += " p" + std::to_string(page) + ":";
    for (const OperationId& id : Strokes(page)) {
      out += std::to_string(id.node) + "." + std::to_string(id.counter) + ",";
    }
  }
  return out;
}

Status AttendanceState::Check(const Operation& op, const Roster& roster) {
  const Participant* author = AuthorOf(op, roster);
  if (author == nullptr) return NotAllowed();
  if ((op.action != kPresent && op.action != kAbsent) || op.body.size() != 4) return BadBody();
  const Participant* pupil = roster.Find(LoadBE32(op.body.data()));
  if (pupil == nullptr || pupil->role != Role::kPupil) return BadBody();
  const bool tutor_here = author->role == Role::kTutor && author->node == pupil->node;
  if (!tutor_here && author->role != Role::kTeacher) return NotAllowed();
  return Status::Ok();
}

void AttendanceState::Apply(const Operation& op) {
  marks_.Set(LoadBE32(op.body.data()), OpKey::Of(op), op.action == kPresent);
}

std::map<uint32_t, bool> AttendanceState::Marks() const {
  std::map<uint32_t, bool> out;
  for (const auto& [pupil, mark] : marks_.entries()) out[pupil] = mark.second;
  return out;
}

std::string AttendanceState::Describe() const {
  std::string out = "attendance";
  for (const auto& [pupil, present] : Marks()) {
    out += " " + std::to_string(pupil) + (present ? "+" : "-");
  }
  return out;
}

}  // namespace comodal::session
