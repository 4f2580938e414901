// A PostgreSQL connection as a DbSession, run on libpq directly.
//
// Why not through Poco::Data: Poco turns every call into four round trips to
// the server (prepare, describe, execute, and a DEALLOCATE on the next
// commit). Here each distinct statement is prepared once per connection
// (server-side, named) and then executed in one round trip with its values
// (docs/performance.md). A statement that changes the schema (CREATE, ALTER,
// DROP, ...) runs unprepared and makes the session forget its prepared
// statements, so none describes a result row that no longer exists; if
// another connection changed the schema under one, that call fails with
// Unavailable and the next prepares afresh. With `prepare_statements` false
// every call is one unnamed PQexecParams instead (for a connection pooler
// that cannot keep named statements, e.g. PgBouncer in transaction mode).
//
// Values go as text, BLOBs as binary; results come back as text and are read
// by column type: booleans and integers as integers, bytea as BLOBs,
// character types (and any type not listed below) as text. Floating point,
// numeric, date, time and uuid columns are refused with a hint to CAST them.
// One statement per call, except the lists (ExecAll, QueryAll, CommitAfter): one round trip
// (pipeline mode, one sync), each distinct statement prepared first; unprepared sessions run a
// list one statement at a time. BEGIN is sent with the transaction's first statement, in the
// same pipeline when that is a list. Values are converted in postgres_values.cc.
#ifndef SA_ADAPTER_STORE_POSTGRES_SESSION_H_
#define SA_ADAPTER_STORE_POSTGRES_SESSION_H_

#include <cstddef>
#include <memory>

#include "adapter/store/session_pool.h"

struct pg_conn;

namespace sa::adapter::store {

// Prepared statements kept per connection; past this they are all dropped
// and prepared again as used (the stores use a few dozen distinct statements).
inline constexpr std::size_t kMaxPreparedStatements = 128;

// A session over the open connection `conn`. `owner` keeps the connection
// open and closes it when released.
std::unique_ptr<PoolableSession> MakePostgresSession(pg_conn* conn, std::shared_ptr<void> owner,
                                                     bool prepare_statements);

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_POSTGRES_SESSION_H_
