#include "session/class/roster.h"

namespace comodal::session {

bool Roster::Add(Participant participant) {
  return participants_.emplace(participant.id, std::move(participant)).second;
}

const Participant* Roster::Find(uint32_t id) const {
  auto it = participants_.find(id);
  return it == participants_.end() ? nullptr : &it->second;
}

}  // namespace comodal::session
