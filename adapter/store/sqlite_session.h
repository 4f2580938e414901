// A SQLite connection as a DbSession, run on SQLite's own C API with a cache
// of prepared statements.
//
// Why not through Poco::Data: Poco compiles every statement afresh on each
// call and builds its binding and extraction objects around it, which cost
// more than the insert itself (docs/performance.md). Here each distinct SQL
// text is prepared once per connection (SQLITE_PREPARE_PERSISTENT) and reused,
// reset and unbound after every call so no read transaction stays open. SQLite
// re-prepares a cached statement itself when the schema changes.
//
// Values are read by their storage class (STRICT tables make it the declared
// type); a REAL value is refused with a hint to CAST it. One statement per
// call.
#ifndef SA_ADAPTER_STORE_SQLITE_SESSION_H_
#define SA_ADAPTER_STORE_SQLITE_SESSION_H_

#include <chrono>
#include <cstddef>
#include <memory>

#include "adapter/store/session_pool.h"
#include "adapter/store/writer_gate.h"

struct sqlite3;

namespace sa::adapter::store {

// Statements cached per connection; past this the cache is emptied and
// refilled (the stores use a few dozen distinct statements).
inline constexpr std::size_t kMaxCachedStatements = 128;

// A session over the open connection `db`. `owner` keeps the connection open
// and closes it when released; the session releases it last, after
// finalizing its statements. `gate`, when not null, is the database's
// in-process writer gate (writer_gate.h): Begin() waits up to `gate_timeout`
// for it, and the transaction's end releases it.
std::unique_ptr<PoolableSession> MakeSqliteSession(sqlite3* db, std::shared_ptr<void> owner,
                                                   std::shared_ptr<WriterGate> gate = nullptr,
                                                   std::chrono::milliseconds gate_timeout =
                                                       std::chrono::milliseconds(0));

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_SQLITE_SESSION_H_
