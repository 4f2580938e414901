// Test support: a real, throwaway PostgreSQL server.
//
// Start() runs Debian's own server binaries (package postgresql; any version
// under /usr/lib/postgresql/*/bin, or SA_PG_BINDIR) in a fresh temporary
// directory: initdb, then postgres listening on 127.0.0.1 at a free port and on
// a unix socket in that directory, trust authentication for loopback only,
// durability switched off for speed (unless PgHarnessOptions::durable). The
// destructor stops it (pg_ctl stop -m fast) and removes the directory; if the test process dies
// first, the server gets SIGQUIT and exits too, and the next Start() removes
// the directory left behind. The SIGQUIT is tied to the thread that called
// Start(): call it from one that outlives the tests (the main thread).
//
// PostgreSQL refuses to run as root, so under root (containers, CI) the server
// runs as the unprivileged user `nobody`, owning the temporary directory.
//
// Missing binaries are an error (FailedPrecondition naming the package), not a
// reason to skip: CI installs postgresql, and a silently skipped database test
// proves nothing.
#ifndef SA_ADAPTER_STORE_PG_HARNESS_H_
#define SA_ADAPTER_STORE_PG_HARNESS_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "fhir/status.h"

namespace sa::adapter::store {

struct PgHarnessOptions {
  // Keep PostgreSQL's durable defaults (fsync, synchronous_commit and
  // full_page_writes on) instead of switching them off: for benchmarks that
  // must measure durable commits (tests/bench). Tests leave it false.
  bool durable = false;
};

class PgHarness {
 public:
  // Starts a server; returns when it accepts connections.
  static StatusOr<std::unique_ptr<PgHarness>> Start(const PgHarnessOptions& options = {});
  ~PgHarness();
  PgHarness(const PgHarness&) = delete;
  PgHarness& operator=(const PgHarness&) = delete;

  // "host=127.0.0.1 port=N dbname=postgres user=postgres"
  const std::string& conninfo() const { return conninfo_; }
  int port() const { return port_; }
  // The temporary directory (data directory, socket and server log inside).
  const std::string& dir() const { return dir_; }

  // Creates a new, empty database and returns its conninfo (~0.3 s each).
  StatusOr<std::string> CreateDatabase();
  // Creates a new, empty schema in the default database and returns a conninfo
  // whose sessions use it (search_path): test isolation for ~1 ms instead of a
  // CREATE DATABASE. Database-wide things (advisory locks, roles) are shared.
  StatusOr<std::string> CreateSchema();

 private:
  PgHarness() = default;
  Status Launch();
  void Stop();

  std::string bin_dir_;
  std::string dir_;
  std::string conninfo_;
  int port_ = 0;
  pid_t server_pid_ = -1;
  uid_t uid_ = 0;  // the user the server runs as
  gid_t gid_ = 0;
  bool drop_privileges_ = false;
  bool durable_ = false;  // PgHarnessOptions::durable
  int databases_ = 0;
  int schemas_ = 0;
};

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_PG_HARNESS_H_
