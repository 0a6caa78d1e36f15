#ifndef SESSION_STORE_SQLITE_LIBRARY_H_
#define SESSION_STORE_SQLITE_LIBRARY_H_

#include "transport/base/library_check.h"

namespace comodal::session {

// SQLite: version, and a write and read back in a database on disk in WAL mode (what the
// offline outbox uses).
LibraryCheck CheckSqlite();

}  // namespace comodal::session

#endif  // SESSION_STORE_SQLITE_LIBRARY_H_
