#include "adapter/store/sqlite_session.h"

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "adapter/store/poco_errors.h"
#include "adapter/store/sql_text.h"
#include "adapter/store/tx_state.h"
#include "sqlite3.h"

namespace sa::adapter::store {
namespace {

// The start of a statement, to say which one failed. SQL text holds no values
// (they are bound), so it is safe to log.
std::string Describe(std::string_view sql) {
  constexpr std::size_t kShown = 80;  // enough to recognise the statement
  std::string head(sql.substr(0, kShown));
  for (char& c : head) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return "SQL `" + head + (sql.size() > kShown ? "...`" : "`");
}

bool OnlySpace(const char* text) {
  for (; *text != '\0'; ++text) {
    if (!std::isspace(static_cast<unsigned char>(*text))) return false;
  }
  return true;
}

// Heterogeneous look-up: find a std::string key by std::string_view.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Resets a statement and drops its bindings when a call ends, so a cached
// statement holds no read transaction and no pointer to the caller's values.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* st) : st_(st) {}
  ~ResetOnExit() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* st_;
};

class SqliteSession final : public PoolableSession {
 public:
  SqliteSession(sqlite3* db, std::shared_ptr<void> owner, std::shared_ptr<WriterGate> gate,
                std::chrono::milliseconds gate_timeout)
      : owner_(std::move(owner)), db_(db), gate_(std::move(gate)), gate_timeout_(gate_timeout) {}

  ~SqliteSession() override {
    if (tx_.open()) (void)SqliteSession::Rollback();
    ClearCache();
    // owner_ (the connection) is released after this body, last.
  }

  Status Begin() override {
    SA_RETURN_IF_ERROR(tx_.CheckCanBegin());
    if (gate_ && !gate_->Acquire(gate_timeout_)) {
      return Status::Unavailable(
          "database is locked (busy timeout exceeded): another transaction of this process "
          "holds the write lock");
    }
    Status begun = Run("BEGIN IMMEDIATE", {}, nullptr).status();
    if (!begun.ok()) {
      if (gate_) gate_->Release();
      return begun;
    }
    tx_.Began();
    return Status::Ok();
  }

  Status Commit() override {
    SA_RETURN_IF_ERROR(tx_.CheckCanCommit());
    if (tx_.aborted()) {
      Status why = tx_.AbortedCommit();
      (void)Rollback();
      return why;
    }
    Status status = Run("COMMIT", {}, nullptr).status();
    if (status.ok()) {
      tx_.Ended();
      if (gate_) gate_->Release();
      return status;
    }
    (void)Rollback();
    return status;
  }

  Status Rollback() override {
    if (!tx_.open()) return Status::Ok();
    tx_.Ended();
    // SQLite ends the transaction itself after some errors (disk full, I/O):
    // then there is nothing left to roll back, which is what we wanted.
    Status status = sqlite3_get_autocommit(db_) != 0 ? Status::Ok() : Run("ROLLBACK", {}, nullptr).status();
    if (gate_) gate_->Release();
    return status;
  }

  StatusOr<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    SA_RETURN_IF_ERROR(tx_.CheckNotAborted());
    return Track(Run(sql, params, nullptr));
  }

  StatusOr<std::vector<Row>> Query(std::string_view sql,
                                   const std::vector<Value>& params) override {
    SA_RETURN_IF_ERROR(tx_.CheckNotAborted());
    std::vector<Row> rows;
    SA_RETURN_IF_ERROR(Track(Run(sql, params, &rows)).status());
    return rows;
  }

  // db.h; the statements run one at a time, as ExecAll does here.
  Status CommitAfter(const std::vector<Statement>& statements) override {
    SA_RETURN_IF_ERROR(tx_.CheckCanCommit());
    return DbSession::CommitAfter(statements);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  bool ResetForReuse() override {
    if (tx_.open() && !Rollback().ok()) return false;
    return sqlite3_get_autocommit(db_) != 0;  // no transaction left open
  }

  bool LooksAlive() override { return true; }  // a local file: nothing to lose

 private:
  // Remembers the first failure inside a transaction (see db.h).
  StatusOr<int64_t> Track(StatusOr<int64_t> result) {
    if (!result.ok()) tx_.Track(result.status());
    return result;
  }

  void ClearCache() {
    for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
    cache_.clear();
  }

  // The prepared statement for `sql`, from the cache or prepared now.
  StatusOr<sqlite3_stmt*> Prepare(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &statement, &tail);
    if (rc != SQLITE_OK) {
      Status status = SqliteError(rc, sqlite3_errmsg(db_), Describe(sql));
      sqlite3_finalize(statement);
      return status;
    }
    if (statement == nullptr) return Status::InvalidArgument(Describe(sql) + " holds no statement");
    std::string rest(tail, sql.data() + sql.size() - tail);
    if (!OnlySpace(rest.c_str())) {
      sqlite3_finalize(statement);
      return Status::InvalidArgument(Describe(sql) +
                                     " holds more than one statement; run one per call");
    }
    if (cache_.size() >= kMaxCachedStatements) ClearCache();
    cache_.emplace(std::string(sql), statement);
    return statement;
  }

  Status Bind(sqlite3_stmt* statement, const std::vector<Value>& params, std::string_view sql) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      const Value& value = params[i];
      int rc = SQLITE_OK;
      if (IsNull(value)) {
        rc = sqlite3_bind_null(statement, at);
      } else if (const auto* n = std::get_if<int64_t>(&value)) {
        rc = sqlite3_bind_int64(statement, at, *n);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        // Static: the caller's values outlive the call; bindings are cleared at its end.
        rc = sqlite3_bind_text64(statement, at, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        const std::string& bytes = std::get<Blob>(value).bytes;
        // A zero-length blob, never NULL (a null data pointer would bind NULL).
        rc = bytes.empty()
                 ? sqlite3_bind_zeroblob(statement, at, 0)
                 : sqlite3_bind_blob64(statement, at, bytes.data(), bytes.size(), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) {
        return SqliteError(rc, sqlite3_errmsg(db_),
                           Describe(sql) + " binding value " + std::to_string(at) + " (" +
                               DescribeValue(value) + ")");
      }
    }
    return Status::Ok();
  }

  StatusOr<Row> ReadRow(sqlite3_stmt* statement, std::string_view sql) {
    const int columns = sqlite3_column_count(statement);
    Row row(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(statement, c)) {
        case SQLITE_NULL:
          break;
        case SQLITE_INTEGER:
          row[c] = int64_t{sqlite3_column_int64(statement, c)};
          break;
        case SQLITE_TEXT: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
          int size = sqlite3_column_bytes(statement, c);
          row[c] = text == nullptr ? std::string() : std::string(text, size);
          break;
        }
        case SQLITE_BLOB: {
          const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, c));
          int size = sqlite3_column_bytes(statement, c);
          row[c] = Blob{bytes == nullptr ? std::string() : std::string(bytes, size)};
          break;
        }
        default: {
          const char* name = sqlite3_column_name(statement, c);
          return Status::Internal(Describe(sql) + ": column '" + (name ? name : "?") +
                                  "' is of a type this layer does not read (floating point); "
                                  "CAST it to BIGINT or TEXT");
        }
      }
    }
    return row;
  }

  // Runs `sql` with `params`; collects rows into `rows` when not null.
  // Returns the rows changed, or for a statement that changes nothing (a
  // SELECT) the rows it returned.
  StatusOr<int64_t> Run(std::string_view sql, const std::vector<Value>& params,
                        std::vector<Row>* rows) {
    std::size_t expected = CountPlaceholders(sql);
    if (expected != params.size()) {
      return Status::InvalidArgument(Describe(sql) + " has " + std::to_string(expected) +
                                     " placeholders but " + std::to_string(params.size()) +
                                     " values were given");
    }
    SA_ASSIGN_OR_RETURN(sqlite3_stmt * statement, Prepare(sql));
    ResetOnExit reset(statement);
    if (sqlite3_bind_parameter_count(statement) != static_cast<int>(params.size())) {
      return Status::InvalidArgument(
          Describe(sql) + " takes " + std::to_string(sqlite3_bind_parameter_count(statement)) +
          " values but " + std::to_string(params.size()) + " were given");
    }
    SA_RETURN_IF_ERROR(Bind(statement, params, sql));
    const sqlite3_int64 changes_before = sqlite3_total_changes64(db_);
    int64_t returned = 0;
    while (true) {
      int rc = sqlite3_step(statement);
      if (rc == SQLITE_ROW) {
        ++returned;
        if (rows != nullptr) {
          SA_ASSIGN_OR_RETURN(Row row, ReadRow(statement, sql));
          rows->push_back(std::move(row));
        }
        continue;
      }
      if (rc == SQLITE_DONE) break;
      return SqliteError(rc, sqlite3_errmsg(db_), Describe(sql));
    }
    if (sqlite3_stmt_readonly(statement) != 0) return returned;
    return static_cast<int64_t>(sqlite3_total_changes64(db_) - changes_before);
  }

  std::shared_ptr<void> owner_;  // first member: released last, after the statements
  sqlite3* db_;
  std::shared_ptr<WriterGate> gate_;  // shared by the database's connections; may be null
  std::chrono::milliseconds gate_timeout_;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
  TxState tx_;  // open, and the first error inside it
};

}  // namespace

std::unique_ptr<PoolableSession> MakeSqliteSession(sqlite3* db, std::shared_ptr<void> owner,
                                                   std::shared_ptr<WriterGate> gate,
                                                   std::chrono::milliseconds gate_timeout) {
  return std::make_unique<SqliteSession>(db, std::move(owner), std::move(gate), gate_timeout);
}

}  // namespace sa::adapter::store
