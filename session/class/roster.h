#ifndef SESSION_CLASS_ROSTER_H_
#define SESSION_CLASS_ROSTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace comodal::session {

enum class Role : uint8_t { kTeacher, kTutor, kPupil };

// One person in the lesson: known by an id and the display name their tutor chose (no other
// personal data), with a role and the node (hub or site) they take part from.
struct Participant {
  uint32_t id = 0;
  Role role = Role::kPupil;
  uint32_t node = 0;
  std::string display_name;
};

// Who is in the lesson, the same at every replica (enrolled before it starts): permissions are
// checked against it, never against what a message claims.
class Roster {
 public:
  // False (and nothing changed) if the id is taken.
  bool Add(Participant participant);
  const Participant* Find(uint32_t id) const;
  const std::map<uint32_t, Participant>& participants() const { return participants_; }

 private:
  std::map<uint32_t, Participant> participants_;
};

}  // namespace comodal::session

#endif  // SESSION_CLASS_ROSTER_H_
