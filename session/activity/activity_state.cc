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
  const OpKey key = OpKey::Of(op);
  if (!page_ || page_->first < key) page_ = {key, LoadBE32(op.body.data())};
}

std::optional<uint32_t> SlidesState::page() const {
  if (!page_) return std::nullopt;
  return page_->second;
}

std::string SlidesState::Describe() const {
  return page_ ? "page " + std::to_string(page_->second) + " @" + KeyText(page_->first) : "page -";
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
  const OpKey key = OpKey::Of(op);
  auto [it, inserted] = hands_.try_emplace(LoadBE32(op.body.data()), key, op.action == kRaise);
  if (!inserted && it->second.first < key) it->second = {key, op.action == kRaise};
}

std::vector<uint32_t> HandsState::Queue() const {
  std::vector<std::pair<OpKey, uint32_t>> up;
  for (const auto& [who, hand] : hands_) {
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

}  // namespace comodal::session
