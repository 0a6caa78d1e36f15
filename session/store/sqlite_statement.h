#ifndef SESSION_STORE_SQLITE_STATEMENT_H_
#define SESSION_STORE_SQLITE_STATEMENT_H_

#include <sqlite3.h>

#include <string>

#include "transport/base/result.h"

namespace comodal::session {

// One prepared statement, finalised however its scope ends.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, const char* sql) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK;
  }
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  bool ok() const { return ok_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

// Opens or creates a store's file in WAL mode with every commit synced to disk
// (synchronous=FULL: committed means on disk), and runs `schema`. The error names the file.
Result<sqlite3*, std::string> OpenDurableSqlite(const std::string& path, const char* schema);
// "PATH: WHAT: SQLite's own message".
std::string SqliteFailure(sqlite3* db, const std::string& path, const char* what);
// PRAGMA integrity_check: "ok" or what it found.
std::string SqliteIntegrityCheck(sqlite3* db, const std::string& path);

}  // namespace comodal::session

#endif  // SESSION_STORE_SQLITE_STATEMENT_H_
