#ifndef SESSION_ACTIVITY_VERSION_VECTOR_H_
#define SESSION_ACTIVITY_VERSION_VECTOR_H_

#include <cstdint>
#include <map>
#include <set>

#include "session/activity/operation.h"
#include "transport/base/byte_io.h"
#include "transport/base/result.h"

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

  // Wire form, big-endian: node count (16), then per node in increasing order: node (32),
  // contiguous counter (64), count of counters held beyond it (16), those counters (64 each,
  // increasing, above the contiguous one + 1).
  static constexpr size_t kMaxNodes = 1024;
  static constexpr size_t kMaxBeyond = 4096;  // In all; a replica holding more sends fewer.
  size_t WireSize() const;
  void Write(ByteWriter& out) const;
  // Untrusted bytes: counts bounded, counters increasing, the reason named when wrong.
  static Result<VersionVector> Parse(ByteReader& in);

  friend bool operator==(const VersionVector&, const VersionVector&) = default;

 private:
  std::map<uint32_t, uint64_t> contiguous_;
  std::map<uint32_t, std::set<uint64_t>> beyond_;
};

}  // namespace comodal::session

#endif  // SESSION_ACTIVITY_VERSION_VECTOR_H_
