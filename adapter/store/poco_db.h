// The real databases: SQLite (the embedded default) and PostgreSQL (several
// adapter instances sharing one database), both through Poco::Data.
//
// Poco stays inside poco_db.cc; callers see only db.h. Poco opens and closes
// the connections; statements run on the native handle (sqlite_session.h,
// postgres_session.h). Connections are pooled (session_pool.h): Connect()
// hands back an idle, already configured one when there is one, and a
// session goes back to the pool, rolled back, when it is destroyed.
//
// Differences callers may notice:
//   - SQLite sessions run BEGIN IMMEDIATE, so concurrent writers queue for up
//     to busy_timeout and then get Unavailable; PostgreSQL sessions use
//     READ COMMITTED and row locks (SELECT ... FOR UPDATE [SKIP LOCKED]).
//   - A PostgreSQL session whose connection dropped stays dead: every call
//     returns Unavailable. Throw it away and Connect() again (the pool closes
//     it rather than keep it).
//   - One statement per Exec/Query call.
//   - PostgreSQL conninfo is "key=value key=value" with no spaces inside a value
//     (Poco splits it on spaces).
#ifndef SA_ADAPTER_STORE_POCO_DB_H_
#define SA_ADAPTER_STORE_POCO_DB_H_

#include <memory>
#include <string>

#include "adapter/store/db.h"
#include "adapter/store/session_pool.h"
#include "fhir/status.h"

namespace sa::adapter::store {

struct SqliteOptions {
  // How long a statement waits for another connection's write lock before
  // failing with Unavailable (PRAGMA busy_timeout).
  int busy_timeout_ms = 5000;
  // Idle connections kept for reuse (session_pool.h).
  int max_idle_connections = kDefaultMaxIdleConnections;
};

// Opens (creating it, and its parent directory, if missing) the SQLite
// database at `path`. Every connection runs
//   PRAGMA busy_timeout=<ms>; journal_mode=WAL; synchronous=FULL; foreign_keys=ON
// so a commit is on disk when Commit() returns and readers never block the
// writer. Connects once to check the file is usable (that connection is the
// pool's first).
StatusOr<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                               const SqliteOptions& options = {});

struct PostgresOptions {
  // How long a statement waits for a row or advisory lock before failing with
  // Unavailable (SET lock_timeout); 0 waits for ever.
  int lock_timeout_ms = 5000;
  // Seconds to wait for the server to accept a connection (connect_timeout).
  int connect_timeout_s = 10;
  // Idle connections kept for reuse (session_pool.h).
  int max_idle_connections = kDefaultMaxIdleConnections;
  // Prepare each distinct statement once per connection (postgres_session.h).
  // Off for a pooler that cannot keep named statements (PgBouncer in
  // transaction mode): every call is then parsed and planned afresh.
  bool prepare_statements = true;
};

// Opens the PostgreSQL database described by libpq `conninfo`
// ("host=... port=... dbname=... user=..."). Connects once to check it.
StatusOr<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo,
                                                 const PostgresOptions& options = {});

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_POCO_DB_H_
