#ifndef SESSION_STORE_OPERATION_STORE_H_
#define SESSION_STORE_OPERATION_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "session/activity/operation.h"
#include "session/activity/version_vector.h"
#include "transport/base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace comodal::session {

// The durable log of a replica's operations, its own and those it received, in a SQLite file in
// WAL mode (DESIGN.md principle 4). Append returns once the operation is committed to disk
// (synchronous=FULL): only then may it be acknowledged to the user, and a crash at any instant
// after that loses nothing. Appending an operation already held changes nothing (sync is
// idempotent by operation id).
class OperationStore {
 public:
  // Opens or creates the store; the error names the file and what failed.
  static Result<std::unique_ptr<OperationStore>, std::string> Open(const std::string& path);
  ~OperationStore();
  OperationStore(const OperationStore&) = delete;
  OperationStore& operator=(const OperationStore&) = delete;

  // True if it was new. Fails (nothing stored) on a disk error, or an operation that does not
  // serialise.
  Result<bool, std::string> Append(const Operation& op);
  // Several in one transaction (one commit to disk): all are stored or none. Returns which
  // were new, in the order given.
  Result<std::vector<bool>, std::string> AppendAll(std::span<const Operation> ops);
  // Every operation held, in the order of their ids. A row that does not parse (a damaged file)
  // is an error naming it, not skipped.
  Result<std::vector<Operation>, std::string> LoadAll() const;
  // The largest counter held for `node` (0: none): a restarted node numbers on from there.
  Result<uint64_t, std::string> MaxCounter(uint32_t node) const;
  // What a peer was last known to hold (its last hello), kept for the outbox view. Nothing if
  // none was saved.
  Status SavePeerVersion(uint32_t node, const VersionVector& version);
  Result<std::optional<VersionVector>, std::string> LoadPeerVersion(uint32_t node) const;
  // SQLite's PRAGMA integrity_check: "ok" or what it found.
  std::string IntegrityCheck() const;

 private:
  OperationStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  std::string Failure(const char* what) const;
  Result<bool, std::string> Insert(const Operation& op);

  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace comodal::session

#endif  // SESSION_STORE_OPERATION_STORE_H_
