// The limit intake is judged against (intake_bench): the raw durable-commit
// rate of inserting the very rows one intake writes, one transaction per
// session, through the database's C client with prepared statements (sqlite3,
// libpq): no JSON, no crypto, no adapter code. Also the helpers that copy an
// intake's rows and re-key them for many sessions, and a driver that runs
// one operation per session from N client threads.
#ifndef SA_TESTS_BENCH_RAW_COMMITS_H_
#define SA_TESTS_BENCH_RAW_COMMITS_H_

#include <functional>
#include <string>
#include <vector>

#include "adapter/store/db.h"
#include "tests/bench/bench_util.h"

namespace sa::bench {

// The tables one intake writes, with the columns copied (outbox.id is generated).
struct Table {
  const char* name;
  const char* columns;
  const char* where;  // selects one session's rows; '?' = the session id
};
extern const Table kTables[5];
inline constexpr int kAuditTable = 4;

struct TemplateRow {
  int table;
  adapter::store::Row values;
};
using SessionRows = std::vector<std::vector<TemplateRow>>;

// Every session id has this width, so substituted rows keep their sizes.
std::string SessionId(const std::string& prefix, int i);

// The rows intake wrote for `sid`, read back from `db`.
std::vector<TemplateRow> CaptureRows(adapter::store::Database& db, const std::string& sid);

// The template rows re-keyed for `count` new sessions (ids "<prefix>-…"), audit
// sequence numbers continuing from `first_seq`.
SessionRows Sessions(const std::vector<TemplateRow>& rows, const std::string& template_sid,
                     const std::string& prefix, int count, int64_t first_seq);

std::string InsertSql(const Table& t, bool postgres);

struct RunResult {
  double per_second = 0;
  Latency latency;
};

// Runs `count` operations from `clients` threads. Each thread first calls
// `make_worker(client)` (to open its own connection, say), then takes
// operation indices from a shared counter and calls the worker with each;
// every call is timed. Throughput is over the wall time of all threads.
RunResult RunClients(int clients, int count,
                     const std::function<std::function<void(int)>(int client)>& make_worker);

// Raw durable commits of `sessions` into the SQLite file `path` (journal_mode
// WAL, synchronous FULL, as the store runs). With several clients each has its
// own connection and they take turns on one in-process mutex: SQLite admits
// one writer, and a mutex is the fastest way for threads to share it.
RunResult RawSqlite(const std::string& path, const SessionRows& sessions, int clients);

// The same on PostgreSQL at `conninfo`, one connection per client; the server
// runs the clients' transactions side by side.
RunResult RawPostgres(const std::string& conninfo, const SessionRows& sessions, int clients);

}  // namespace sa::bench

#endif  // SA_TESTS_BENCH_RAW_COMMITS_H_
