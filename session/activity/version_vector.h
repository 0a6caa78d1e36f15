#ifndef SESSION_ACTIVITY_VERSION_VECTOR_H_
#define SESSION_ACTIVITY_VERSION_VECTOR_H_

#include <cstdint>
#include <map>
#include <set>

#include "session/activity/operation.h"

namespace comodal::session {

// What a replica holds of each node's operations: for each origin node, the counter up to which
// it holds them all, and the ones it holds beyond a gap (an operation that overtook an earlier
// one). Two replicas exchange their vectors and each sends what the other's lacks (anti-entropy).
class VersionVector {
 public:
  // False if the replica already held it.
  bool Add(OperationId id);
  bool Contains(OperationId id) const;
  // Every operation of `node` up to this counter is held.
  uint64_t Contiguous(uint32_t node) const;

 private:
  std::map<uint32_t, uint64_t> contiguous_;
  std::map<uint32_t, std::set<uint64_t>> beyond_;
};

}  // namespace comodal::session

#endif  // SESSION_ACTIVITY_VERSION_VECTOR_H_
