#include "session/store/sqlite_library.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace comodal::session {
namespace {

std::string Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return "";
  std::string error = message ? message : "unknown error";
  sqlite3_free(message);
  return error;
}

}  // namespace

LibraryCheck CheckSqlite() {
  LibraryCheck check{"SQLite", sqlite3_libversion(), false, ""};
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/comodal-selfcheck-" +
                     std::to_string(getpid()) + ".sqlite";
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    check.detail = "cannot open " + path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return check;
  }
  std::string error = Exec(db, "PRAGMA journal_mode=WAL;");
  if (error.empty()) error = Exec(db, "CREATE TABLE ops(id INTEGER PRIMARY KEY, body TEXT);");
  if (error.empty()) error = Exec(db, "INSERT INTO ops(body) VALUES('selfcheck');");
  int rows = 0;
  if (error.empty()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM ops;", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      rows = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  check.ok = error.empty() && rows == 1;
  check.detail = check.ok ? "WAL database written and read back" : "SQLite failed: " + error;
  return check;
}

}  // namespace comodal::session
