// A PostgreSQL connection as a DbSession, run on libpq directly.
//
// Why not through Poco::Data: Poco turns every call into four round trips to
// the server (prepare, describe, execute, and a DEALLOCATE on the next
// commit); PQexecParams sends a statement with its values in one
// (docs/performance.md). Values go as text, BLOBs as binary; results come
// back as text and are read by column type: booleans and integers as
// integers, bytea as BLOBs, character types (and any type not listed below)
// as text. Floating point, numeric, date, time and uuid columns are refused
// with a hint to CAST them. One statement per call.
#ifndef SA_ADAPTER_STORE_POSTGRES_SESSION_H_
#define SA_ADAPTER_STORE_POSTGRES_SESSION_H_

#include <memory>

#include "adapter/store/session_pool.h"

struct pg_conn;

namespace sa::adapter::store {

// A session over the open connection `conn`. `owner` keeps the connection
// open and closes it when released.
std::unique_ptr<PoolableSession> MakePostgresSession(pg_conn* conn, std::shared_ptr<void> owner);

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_POSTGRES_SESSION_H_
