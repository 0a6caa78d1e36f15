#include "session/activity/version_vector.h"

namespace comodal::session {

bool VersionVector::Contains(OperationId id) const {
  if (id.counter <= Contiguous(id.node)) return true;
  auto it = beyond_.find(id.node);
  return it != beyond_.end() && it->second.contains(id.counter);
}

uint64_t VersionVector::Contiguous(uint32_t node) const {
  auto it = contiguous_.find(node);
  return it == contiguous_.end() ? 0 : it->second;
}

bool VersionVector::Add(OperationId id) {
  if (id.counter == 0 || Contains(id)) return false;
  uint64_t& upto = contiguous_[id.node];
  if (id.counter != upto + 1) {
    beyond_[id.node].insert(id.counter);
    return true;
  }
  upto = id.counter;
  // The operations that were waiting beyond the gap this one closed.
  auto it = beyond_.find(id.node);
  if (it == beyond_.end()) return true;
  std::set<uint64_t>& waiting = it->second;
  while (!waiting.empty() && *waiting.begin() == upto + 1) {
    upto = *waiting.begin();
    waiting.erase(waiting.begin());
  }
  if (waiting.empty()) beyond_.erase(it);
  return true;
}

}  // namespace comodal::session
