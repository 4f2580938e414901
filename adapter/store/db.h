// The database behind an interface (leveldb's Env idea): every store talks to
// a DbSession, so tests can swap in a database that fails on cue
// (fault_db.h) and production can choose SQLite or PostgreSQL (poco_db.h).
//
// SQL is written once, with '?' placeholders, in the subset both databases
// share. Values are a closed set of four kinds: NULL, 64-bit integer, TEXT
// (UTF-8, no NUL bytes) and BLOB (any bytes).
//
// Transactions: a session is in autocommit mode until Begin(). Once any
// statement fails inside a transaction the transaction is *aborted*, on both
// databases alike (PostgreSQL does this itself; the SQLite session mimics it):
// further statements and Commit() return FailedPrecondition, and Commit() rolls
// back. So "a failure mid-transaction leaves nothing half-written" holds for
// callers who forget to check a Status, too.
//
// Sessions are not thread-safe; use one per thread. Database::Connect() may be
// called from any thread.
#ifndef SA_ADAPTER_STORE_DB_H_
#define SA_ADAPTER_STORE_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fhir/status.h"

namespace sa::adapter::store {

// Bytes that are stored as BLOB (SQLite) / BYTEA (PostgreSQL), never as text.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

// One SQL value: NULL, BIGINT, TEXT or BLOB.
using Value = std::variant<std::monostate /*NULL*/, int64_t, std::string /*TEXT*/, Blob>;
using Row = std::vector<Value>;

enum class Dialect { kSqlite, kPostgres };

// One statement of a batch for DbSession::ExecAll: SQL with '?' placeholders
// and the values bound to them in order. `sql` is not owned; it must outlive
// the call.
struct Statement {
  std::string_view sql;
  std::vector<Value> params;
};

// "sqlite" or "postgres" (for logs and test names).
const char* DialectName(Dialect dialect);

// One connection. Not thread-safe.
class DbSession {
 public:
  virtual ~DbSession() = default;

  // Starts a transaction. On SQLite this is BEGIN IMMEDIATE: the write lock is
  // taken now, so a busy database shows up here (as Unavailable) rather than
  // half-way through. FailedPrecondition if a transaction is already open.
  virtual Status Begin() = 0;
  // Commits. On failure the transaction has been rolled back and the Status
  // says why; nothing of it is in the database. One exception: a PostgreSQL
  // connection lost during COMMIT gives Unavailable "... (commit outcome
  // unknown)": the server may have committed. Writes are idempotent for this.
  virtual Status Commit() = 0;
  // Rolls back the open transaction; ok (a no-op) when none is open.
  virtual Status Rollback() = 0;

  // Runs one statement with '?' placeholders bound to `params` in order and
  // returns the number of rows it changed (or returned, for a SELECT).
  virtual StatusOr<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs one statement and returns every row it produced.
  virtual StatusOr<std::vector<Row>> Query(std::string_view sql,
                                           const std::vector<Value>& params = {}) = 0;
  // Runs `statements` in order, as Exec would, and returns the first failure
  // (the rest are not run); rows and counts are dropped. Meant for a list of
  // independent writes: PostgreSQL sends them all in one round trip
  // (pipeline mode) instead of one each. An empty list is a no-op.
  //
  // Inside a transaction the first failure aborts it (as above): nothing of
  // the list, or of the transaction, is stored. Outside one, what stays of the
  // statements before a failure differs: on PostgreSQL the list runs as one
  // implicit transaction, so nothing stays (a statement with the wrong number
  // of values fails before anything is sent); on SQLite each statement before
  // it is committed. Open a transaction when that matters.
  //
  // The default runs Exec on each: decorators that do not override this
  // (e.g. fault_db.h) still see, and can fail, every statement.
  virtual Status ExecAll(const std::vector<Statement>& statements) {
    for (const Statement& s : statements) SA_RETURN_IF_ERROR(Exec(s.sql, s.params).status());
    return Status::Ok();
  }
  // Runs `statements` in order, as ExecAll would, and returns the rows the
  // last one produced (it is typically a SELECT). Each statement sees what the
  // ones before it did: on PostgreSQL each starts after the previous one
  // ended, with a fresh snapshot under READ COMMITTED, yet all go in one
  // round trip. Why: a lock followed by a read of what it guards (the audit
  // chain's head) costs one round trip instead of two. An empty list is
  // InvalidArgument.
  virtual StatusOr<std::vector<Row>> QueryAll(const std::vector<Statement>& statements) {
    if (statements.empty()) return Status::InvalidArgument("QueryAll needs at least one statement");
    for (std::size_t i = 0; i + 1 < statements.size(); ++i) {
      SA_RETURN_IF_ERROR(Exec(statements[i].sql, statements[i].params).status());
    }
    return Query(statements.back().sql, statements.back().params);
  }

  // Runs `statements` (as ExecAll would) as the transaction's last, then
  // commits, with Commit's contract: on any failure the transaction has been
  // rolled back and nothing of it is stored. PostgreSQL sends the statements
  // and the COMMIT in one round trip. Why: a transaction holding a lock to
  // its end (the audit chain's) keeps it one round trip less. With no
  // transaction open the real sessions run nothing and answer
  // FailedPrecondition, as Commit does.
  //
  // The default runs ExecAll then Commit through this session's own calls,
  // so a decorator that overrides Commit (to inject a fault or a race) sees
  // this commit too, and ForwardingSession does not forward it.
  virtual Status CommitAfter(const std::vector<Statement>& statements) {
    if (Status status = ExecAll(statements); !status.ok()) {
      (void)Rollback();
      return status;
    }
    return Commit();
  }

  virtual Dialect dialect() const = 0;
};

// A database that hands out sessions.
class Database {
 public:
  virtual ~Database() = default;
  // A connection, configured (pragmas, timeouts) and ready, in autocommit
  // mode. The real databases (poco_db.h) hand back a pooled idle connection
  // when they have one and take it back, rolled back, when the session is
  // destroyed, so callers may Connect() per operation without paying for a
  // new connection each time.
  virtual StatusOr<std::unique_ptr<DbSession>> Connect() = 0;
  virtual Dialect dialect() const = 0;
};

// RAII transaction: rolls back on destruction unless Commit() succeeded.
//
//   Transaction tx(session);
//   SA_RETURN_IF_ERROR(tx.Begin());
//   SA_RETURN_IF_ERROR(session.Exec(...).status());
//   return tx.Commit();
class Transaction {
 public:
  explicit Transaction(DbSession& session) : session_(session) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin();
  Status Commit();
  // DbSession::CommitAfter: `statements` last, then the commit.
  Status CommitAfter(const std::vector<Statement>& statements);
  // Rolls back now (the destructor would do it anyway, but cannot report).
  Status Rollback();
  // True between a successful Begin() and Commit()/Rollback().
  bool active() const { return active_; }

 private:
  DbSession& session_;
  bool active_ = false;
};

// Value readers: each fails with InvalidArgument naming the kind found when
// the value is of another kind (a NULL included).
//
// AsInt also accepts TEXT that is exactly a base-10 int64: through Poco, SQLite
// returns a column with no declared type (COUNT(*), MAX(x), CAST(..), RETURNING)
// as TEXT. Write `CAST(expr AS BIGINT)` for computed integers and read them
// with AsInt on both databases (PostgreSQL's SUM/AVG return NUMERIC, which
// Query refuses; cast it).
StatusOr<int64_t> AsInt(const Value& value);
StatusOr<std::string> AsText(const Value& value);
StatusOr<std::string> AsBlob(const Value& value);  // the bytes
bool IsNull(const Value& value);
// The same for nullable columns: nullopt for NULL.
StatusOr<std::optional<int64_t>> AsOptionalInt(const Value& value);
StatusOr<std::optional<std::string>> AsOptionalText(const Value& value);

// "NULL", "int 5", "text (3 bytes)" or "blob (3 bytes)", for messages. Never
// the text itself: a value may be confidential and messages reach logs.
std::string DescribeValue(const Value& value);

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_DB_H_
