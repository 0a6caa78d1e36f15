#include "session/store/operation_store.h"

#include <sqlite3.h>

#include "session/store/sqlite_statement.h"

namespace comodal::session {

std::string OperationStore::Failure(const char* what) const {
  return SqliteFailure(db_, path_, what);
}

Result<std::unique_ptr<OperationStore>, std::string> OperationStore::Open(const std::string& path) {
  Result<sqlite3*, std::string> db =
      OpenDurableSqlite(path,
                        "CREATE TABLE IF NOT EXISTS operations ("
                        "  node INTEGER NOT NULL, counter INTEGER NOT NULL, bytes BLOB NOT NULL,"
                        "  PRIMARY KEY (node, counter)) WITHOUT ROWID;"
                        "CREATE TABLE IF NOT EXISTS peer_versions (node INTEGER PRIMARY KEY, "
                        "version BLOB NOT NULL);");
  if (!db.ok()) return db.error();
  std::unique_ptr<OperationStore> store(new OperationStore(*db, path));
  if (sqlite3_prepare_v2(*db, "INSERT OR IGNORE INTO operations VALUES (?, ?, ?)", -1,
                         &store->insert_, nullptr) != SQLITE_OK) {
    return store->Failure("cannot prepare the insert");
  }
  return store;
}

OperationStore::~OperationStore() {
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

Result<bool, std::string> OperationStore::Append(const Operation& op) { return Insert(op); }

Result<std::vector<bool>, std::string> OperationStore::AppendAll(std::span<const Operation> ops) {
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Failure("cannot begin a transaction");
  }
  std::vector<bool> added;
  for (const Operation& op : ops) {
    Result<bool, std::string> inserted = Insert(op);
    if (!inserted.ok()) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return inserted.error();
    }
    added.push_back(*inserted);
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string failure = Failure("cannot commit the operations");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return failure;
  }
  return added;
}

Result<bool, std::string> OperationStore::Insert(const Operation& op) {
  const std::vector<uint8_t> bytes = op.Serialize();
  if (bytes.empty()) return path_ + ": operation does not serialise (body over 4096 bytes)";
  sqlite3_reset(insert_);
  sqlite3_bind_int64(insert_, 1, op.id.node);
  sqlite3_bind_int64(insert_, 2, static_cast<sqlite3_int64>(op.id.counter));
  sqlite3_bind_blob(insert_, 3, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(insert_) != SQLITE_DONE) return Failure("cannot store an operation");
  return sqlite3_changes(db_) > 0;
}

Result<std::vector<Operation>, std::string> OperationStore::LoadAll() const {
  SqliteStatement select(db_, "SELECT node, counter, bytes FROM operations ORDER BY node, counter");
  if (!select.ok()) return Failure("cannot read the operations");
  std::vector<Operation> out;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(select.get(), 2));
    const int size = sqlite3_column_bytes(select.get(), 2);
    auto op = Operation::Parse(std::span(data, data ? static_cast<size_t>(size) : 0));
    if (!op.ok() || op->id.node != static_cast<uint32_t>(sqlite3_column_int64(select.get(), 0)) ||
        op->id.counter != static_cast<uint64_t>(sqlite3_column_int64(select.get(), 1))) {
      return path_ + ": operation " + std::to_string(sqlite3_column_int64(select.get(), 0)) + ":" +
             std::to_string(sqlite3_column_int64(select.get(), 1)) + " is damaged" +
             (op.ok() ? " (its id differs from its row)" : " (" + op.error().ToString() + ")");
    }
    out.push_back(std::move(*op));
  }
  if (step != SQLITE_DONE) return Failure("cannot read the operations");
  return out;
}

Result<uint64_t, std::string> OperationStore::MaxCounter(uint32_t node) const {
  SqliteStatement select(db_, "SELECT COALESCE(MAX(counter), 0) FROM operations WHERE node = ?");
  if (!select.ok()) return Failure("cannot read the counters");
  sqlite3_bind_int64(select.get(), 1, node);
  if (sqlite3_step(select.get()) != SQLITE_ROW) return Failure("cannot read the counters");
  return static_cast<uint64_t>(sqlite3_column_int64(select.get(), 0));
}

Status OperationStore::SavePeerVersion(uint32_t node, const VersionVector& version) {
  std::vector<uint8_t> bytes(version.WireSize());
  ByteWriter writer(bytes);
  version.Write(writer);
  SqliteStatement upsert(db_, "INSERT OR REPLACE INTO peer_versions VALUES (?, ?)");
  if (!writer.ok() || !upsert.ok()) {
    return Error{ErrorCode::kUnsupported, "peer version could not be prepared"};
  }
  sqlite3_bind_int64(upsert.get(), 1, node);
  sqlite3_bind_blob(upsert.get(), 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  if (sqlite3_step(upsert.get()) != SQLITE_DONE) {
    return Error{ErrorCode::kUnsupported, "peer version could not be written to the store"};
  }
  return Status::Ok();
}

Result<std::optional<VersionVector>, std::string> OperationStore::LoadPeerVersion(
    uint32_t node) const {
  SqliteStatement select(db_, "SELECT version FROM peer_versions WHERE node = ?");
  if (!select.ok()) return Failure("cannot read the peer versions");
  sqlite3_bind_int64(select.get(), 1, node);
  const int step = sqlite3_step(select.get());
  if (step == SQLITE_DONE) return std::optional<VersionVector>();
  if (step != SQLITE_ROW) return Failure("cannot read the peer versions");
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(select.get(), 0));
  ByteReader reader(
      std::span(data, data ? static_cast<size_t>(sqlite3_column_bytes(select.get(), 0)) : 0));
  Result<VersionVector> version = VersionVector::Parse(reader);
  if (!version.ok() || reader.remaining() != 0) {
    return path_ + ": the version of node " + std::to_string(node) + " is damaged";
  }
  return std::optional<VersionVector>(std::move(*version));
}

std::string OperationStore::IntegrityCheck() const { return SqliteIntegrityCheck(db_, path_); }

}  // namespace comodal::session
