#include "session/store/sqlite_statement.h"

namespace comodal::session {

Result<sqlite3*, std::string> OpenDurableSqlite(const std::string& path, const char* schema) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string error = path + ": cannot open: " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return error;
  }
  if (sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
      sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr,
                   nullptr) != SQLITE_OK ||
      sqlite3_exec(db, schema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string error = SqliteFailure(db, path, "cannot set up the store");
    sqlite3_close(db);
    return error;
  }
  return db;
}

std::string SqliteFailure(sqlite3* db, const std::string& path, const char* what) {
  return path + ": " + what + ": " + sqlite3_errmsg(db);
}

std::string SqliteIntegrityCheck(sqlite3* db, const std::string& path) {
  SqliteStatement check(db, "PRAGMA integrity_check");
  if (!check.ok()) return SqliteFailure(db, path, "cannot run the integrity check");
  std::string result;
  while (sqlite3_step(check.get()) == SQLITE_ROW) {
    if (!result.empty()) result += "; ";
    result += reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 0));
  }
  return result;
}

}  // namespace comodal::session
