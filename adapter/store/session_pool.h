// A bounded pool of idle database connections, so that Database::Connect()
// hands back a connection that is already open and configured instead of
// opening a new one on every call.
//
// Why: opening is most of the cost of a short transaction. On SQLite a new
// connection runs its pragmas, and closing the last one checkpoints the WAL
// and deletes the -wal and -shm files, which the next connection creates
// again; on PostgreSQL it is a new backend process (docs/performance.md).
//
// How: Acquire() takes an idle connection (checked with a cheap local test) or
// opens a new one. The handle it returns gives the connection back when it is
// destroyed: an open transaction is rolled back first, and a connection that
// is broken or cannot be cleaned is closed instead of pooled. At most
// `max_idle` connections wait in the pool; more may be open at once (the pool
// bounds what it keeps, not what callers use). Thread-safe; each handed-out
// session is still used by one thread at a time (db.h).
//
// Handles may outlive the pool: they then close their connection when done.
#ifndef SA_ADAPTER_STORE_SESSION_POOL_H_
#define SA_ADAPTER_STORE_SESSION_POOL_H_

#include <functional>
#include <memory>

#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::store {

// How many idle connections a Database keeps by default: as many as the HTTP
// service has request threads (api/http/limits.h, kMaxThreads), plus its
// delivery worker's. Fewer, and a busy service opens and closes a connection
// for every request past them (PostgreSQL: about 1 ms each, which took
// intake from 8 clients from 1,723 to about 720 sessions/s,
// docs/performance.md). An idle PostgreSQL connection is a server process.
inline constexpr int kDefaultMaxIdleConnections = 16;

// A connection the pool can hand out more than once.
class PoolableSession : public DbSession {
 public:
  // Makes the connection clean for its next user (rolls back an open
  // transaction). False when it is broken or could not be cleaned: the pool
  // then closes it.
  virtual bool ResetForReuse() = 0;
  // A cheap local check, no round trip, that an idle connection is still
  // usable (e.g. the server has not closed it). False: the pool closes it.
  virtual bool LooksAlive() = 0;
};

class SessionPool {
 public:
  // Opens a new, configured connection.
  using Opener = std::function<StatusOr<std::unique_ptr<PoolableSession>>()>;

  // Keeps at most `max_idle` idle connections (0: none, every Acquire opens).
  SessionPool(Opener open, int max_idle);
  // Closes the idle connections; sessions still handed out close when done.
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // An idle connection that still looks alive, or a new one from the opener.
  StatusOr<std::unique_ptr<DbSession>> Acquire();

  // Connections waiting in the pool now (for tests and diagnostics).
  int idle() const;

  struct Shared;  // the idle list, shared with the handles; in session_pool.cc

 private:
  Opener open_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_SESSION_POOL_H_
