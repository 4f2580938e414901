#include "adapter/store/poco_db.h"

#include <cstdint>
#include <deque>
#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include "Poco/Data/LOB.h"
#include "Poco/Data/PostgreSQL/SessionImpl.h"
#include "Poco/Data/RecordSet.h"
#include "Poco/Data/SQLite/SessionImpl.h"
#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"
#include "adapter/store/poco_errors.h"
#include "adapter/store/sql_text.h"
#include "libpq-fe.h"

namespace sa::adapter::store {
namespace {

using Poco::Data::MetaColumn;

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

// One row-set column cell as a Value; `type` is the column's Poco type.
StatusOr<Value> ReadCell(const Poco::Data::RecordSet& rs, std::size_t col, std::size_t row,
                         MetaColumn::ColumnDataType type) {
  if (rs.isNull(col, row)) return Value();
  switch (type) {
    case MetaColumn::FDT_BOOL: return Value(int64_t{rs.value<bool>(col, row) ? 1 : 0});
    case MetaColumn::FDT_INT8: return Value(int64_t{rs.value<Poco::Int8>(col, row)});
    case MetaColumn::FDT_UINT8: return Value(int64_t{rs.value<Poco::UInt8>(col, row)});
    case MetaColumn::FDT_INT16: return Value(int64_t{rs.value<Poco::Int16>(col, row)});
    case MetaColumn::FDT_UINT16: return Value(int64_t{rs.value<Poco::UInt16>(col, row)});
    case MetaColumn::FDT_INT32: return Value(int64_t{rs.value<Poco::Int32>(col, row)});
    case MetaColumn::FDT_UINT32: return Value(int64_t{rs.value<Poco::UInt32>(col, row)});
    case MetaColumn::FDT_INT64: return Value(int64_t{rs.value<Poco::Int64>(col, row)});
    case MetaColumn::FDT_UINT64: {
      Poco::UInt64 u = rs.value<Poco::UInt64>(col, row);
      if (u > static_cast<Poco::UInt64>(std::numeric_limits<int64_t>::max())) {
        return Status::Internal("column '" + rs.columnName(col) +
                                "' holds an unsigned value "
                                "beyond int64");
      }
      return Value(static_cast<int64_t>(u));
    }
    case MetaColumn::FDT_STRING: return Value(rs.value<std::string>(col, row));
    case MetaColumn::FDT_CLOB: {  // PostgreSQL TEXT arrives as a CLOB
      const auto& clob = rs.value<Poco::Data::CLOB>(col, row);
      return Value(clob.size() == 0 ? std::string() : std::string(clob.rawContent(), clob.size()));
    }
    case MetaColumn::FDT_BLOB: {
      const auto& blob = rs.value<Poco::Data::BLOB>(col, row);
      return Value(
          Blob{blob.size() == 0
                   ? std::string()
                   : std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size())});
    }
    default:
      return Status::Internal("column '" + rs.columnName(col) +
                              "' is of a type this layer does not read (floating point, numeric, "
                              "date, time or uuid); CAST it to BIGINT or TEXT");
  }
}

StatusOr<std::vector<Row>> ReadRows(const Poco::Data::RecordSet& rs) {
  std::size_t columns = rs.columnCount();
  std::size_t count = rs.rowCount();
  std::vector<Row> rows(count, Row(columns));
  for (std::size_t c = 0; c < columns; ++c) {
    MetaColumn::ColumnDataType type = rs.columnType(c);
    for (std::size_t r = 0; r < count; ++r) {
      SA_ASSIGN_OR_RETURN(rows[r][c], ReadCell(rs, c, r, type));
    }
  }
  return rows;
}

class PocoSession final : public DbSession {
 public:
  PocoSession(Poco::Data::Session session, Dialect dialect)
      : session_(std::move(session)), dialect_(dialect) {}

  ~PocoSession() override {
    if (in_tx_) (void)PocoSession::Rollback();
  }

  Status Begin() override {
    if (in_tx_) return Status::FailedPrecondition("a transaction is already open");
    if (dialect_ == Dialect::kSqlite) {
      SA_RETURN_IF_ERROR(Run("BEGIN IMMEDIATE", {}, nullptr).status());
    } else {
      SA_RETURN_IF_ERROR(Call("BEGIN", [this] { session_.begin(); }));
    }
    in_tx_ = true;
    aborted_.reset();
    return Status::Ok();
  }

  Status Commit() override {
    if (!in_tx_) return Status::FailedPrecondition("no transaction to commit");
    if (aborted_) {
      std::string why = aborted_->ToString();
      (void)Rollback();
      return Status::FailedPrecondition("transaction aborted by an earlier error (" + why +
                                        "); rolled back");
    }
    Status status = dialect_ == Dialect::kSqlite ? Run("COMMIT", {}, nullptr).status()
                                                 : Call("COMMIT", [this] { session_.commit(); });
    if (status.ok()) {
      in_tx_ = false;
      return status;
    }
    (void)Rollback();
    if (status.code() == StatusCode::kUnavailable && dialect_ == Dialect::kPostgres &&
        ConnectionLost()) {
      // The server may have committed before the connection dropped.
      return Status::Unavailable(status.message() + " (commit outcome unknown)");
    }
    return status;
  }

  Status Rollback() override {
    if (!in_tx_) return Status::Ok();
    in_tx_ = false;
    aborted_.reset();
    if (dialect_ == Dialect::kSqlite) {
      Status status = Run("ROLLBACK", {}, nullptr).status();
      // SQLite ends the transaction itself after some errors (disk full, I/O):
      // then there is nothing left to roll back, which is what we wanted.
      if (!status.ok() && status.message().find("no transaction is active") != std::string::npos) {
        return Status::Ok();
      }
      return status;
    }
    return Call("ROLLBACK", [this] { session_.rollback(); });
  }

  StatusOr<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    SA_RETURN_IF_ERROR(CheckNotAborted());
    return Track(Run(sql, params, nullptr));
  }

  StatusOr<std::vector<Row>> Query(std::string_view sql,
                                   const std::vector<Value>& params) override {
    SA_RETURN_IF_ERROR(CheckNotAborted());
    std::vector<Row> rows;
    SA_RETURN_IF_ERROR(Track(Run(sql, params, &rows)).status());
    return rows;
  }

  Dialect dialect() const override { return dialect_; }

 private:
  Status CheckNotAborted() const {
    if (!aborted_) return Status::Ok();
    return Status::FailedPrecondition("transaction aborted by an earlier error (" +
                                      aborted_->ToString() + "); roll it back");
  }

  // Remembers the first failure inside a transaction (see db.h).
  StatusOr<int64_t> Track(StatusOr<int64_t> result) {
    if (!result.ok() && in_tx_ && !aborted_) aborted_ = result.status();
    return result;
  }

  bool ConnectionLost() {
    if (dialect_ != Dialect::kPostgres) return false;
    try {
      return !session_.isConnected();
    } catch (...) {
      return true;
    }
  }

  template <typename F>
  Status Call(std::string_view what, F f) {
    try {
      f();
      return Status::Ok();
    } catch (...) {
      return StatusFromCurrentException(dialect_, what, ConnectionLost());
    }
  }

  // Runs `sql` with `params`; collects rows into `rows` when not null.
  StatusOr<int64_t> Run(std::string_view sql, const std::vector<Value>& params,
                        std::vector<Row>* rows) {
    std::size_t expected = CountPlaceholders(sql);
    if (expected != params.size()) {
      return Status::InvalidArgument(Describe(sql) + " has " + std::to_string(expected) +
                                     " placeholders but " + std::to_string(params.size()) +
                                     " values were given");
    }
    // Both drivers bind an empty BLOB as NULL (a null data pointer), so an
    // empty BLOB is written into the SQL as a literal instead.
    std::vector<const Value*> bound;
    std::string text = ReplacePlaceholders(sql, [&](std::size_t i) -> std::string {
      const auto* blob = std::get_if<Blob>(&params[i]);
      if (blob != nullptr && blob->bytes.empty()) {
        return dialect_ == Dialect::kSqlite ? "X''" : "''::bytea";
      }
      bound.push_back(&params[i]);
      return dialect_ == Dialect::kPostgres ? "$" + std::to_string(bound.size()) : "?";
    });
    try {
      // Poco binds by reference: the storage must outlive the statement, so it
      // is declared first (destroyed last). Deques never move their elements.
      std::deque<Poco::Int64> ints;
      std::deque<std::string> texts;
      std::deque<Poco::Data::BLOB> blobs;
      Poco::Data::Statement statement(session_);
      statement << text;
      for (const Value* value : bound) {
        if (IsNull(*value)) {
          statement.addBind(Poco::Data::Keywords::use(Poco::Data::Keywords::null));
        } else if (const auto* i = std::get_if<int64_t>(value)) {
          statement.addBind(Poco::Data::Keywords::use(ints.emplace_back(*i)));
        } else if (const auto* s = std::get_if<std::string>(value)) {
          statement.addBind(Poco::Data::Keywords::use(texts.emplace_back(*s)));
        } else {
          const std::string& bytes = std::get<Blob>(*value).bytes;
          statement.addBind(Poco::Data::Keywords::use(blobs.emplace_back(
              reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size())));
        }
      }
      std::size_t count = statement.execute();
      if (rows != nullptr && statement.columnsExtracted() == 0) {
        rows->clear();  // e.g. an UPDATE: RecordSet asserts there is a column
      } else if (rows != nullptr) {
        Poco::Data::RecordSet record_set(statement);
        StatusOr<std::vector<Row>> read = ReadRows(record_set);
        if (!read.ok())
          return Status(read.status().code(), Describe(sql) + ": " + read.status().message());
        *rows = std::move(read).value();
      }
      return static_cast<int64_t>(count);
    } catch (...) {
      return StatusFromCurrentException(dialect_, Describe(sql), ConnectionLost());
    }
  }

  Poco::Data::Session session_;
  Dialect dialect_;
  bool in_tx_ = false;
  std::optional<Status> aborted_;  // the first error inside the open transaction
};

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(std::string path, SqliteOptions options)
      : path_(std::move(path)), options_(options) {}

  StatusOr<std::unique_ptr<DbSession>> Connect() override {
    std::unique_ptr<DbSession> session;
    try {
      // Login timeout 0: fail at once if the file cannot be opened; lock
      // waits are governed by busy_timeout below.
      Poco::AutoPtr<Poco::Data::SessionImpl> impl(new Poco::Data::SQLite::SessionImpl(path_, 0));
      session = std::make_unique<PocoSession>(Poco::Data::Session(impl), Dialect::kSqlite);
    } catch (...) {
      return StatusFromCurrentException(Dialect::kSqlite, "opening SQLite database " + path_,
                                        false);
    }
    SA_RETURN_IF_ERROR(
        session->Exec("PRAGMA busy_timeout = " + std::to_string(options_.busy_timeout_ms))
            .status());
    SA_ASSIGN_OR_RETURN(std::vector<Row> mode, session->Query("PRAGMA journal_mode = WAL"));
    std::string journal;
    if (mode.size() == 1 && mode[0].size() == 1) {
      StatusOr<std::string> text = AsText(mode[0][0]);
      if (text.ok()) journal = *text;
    }
    if (journal != "wal") {
      return Status::FailedPrecondition("SQLite database " + path_ +
                                        " cannot use write-ahead logging (journal_mode is not "
                                        "wal); is it on a network filesystem?");
    }
    SA_RETURN_IF_ERROR(session->Exec("PRAGMA synchronous = FULL").status());
    SA_RETURN_IF_ERROR(session->Exec("PRAGMA foreign_keys = ON").status());
    return session;
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

 private:
  std::string path_;
  SqliteOptions options_;
};

class PostgresDatabase : public Database {
 public:
  PostgresDatabase(std::string conninfo, PostgresOptions options)
      : conninfo_(std::move(conninfo)), options_(options) {}

  StatusOr<std::unique_ptr<DbSession>> Connect() override {
    // Poco 1.11 leaks the libpq connection of a failed attempt (~17 KB). A
    // server that is down is the common failure and may be retried for hours,
    // so ask libpq first; PQping cleans up after itself. (A session whose
    // connection drops later leaks the same way; that is rarer.)
    std::string ping_conninfo =
        "connect_timeout=" + std::to_string(options_.connect_timeout_s) + " " + conninfo_;
    switch (PQping(ping_conninfo.c_str())) {
      case PQPING_OK: break;
      case PQPING_REJECT:
        return Status::Unavailable(
            "connecting to PostgreSQL: the server rejects connections (starting up or shutting "
            "down?)");
      case PQPING_NO_RESPONSE:
        return Status::Unavailable("connecting to PostgreSQL: no response from the server");
      case PQPING_NO_ATTEMPT:
        return Status::InvalidArgument("connecting to PostgreSQL: the conninfo is not valid");
    }
    std::unique_ptr<DbSession> session;
    try {
      Poco::AutoPtr<Poco::Data::SessionImpl> impl(new Poco::Data::PostgreSQL::SessionImpl(
          conninfo_, static_cast<std::size_t>(options_.connect_timeout_s)));
      session = std::make_unique<PocoSession>(Poco::Data::Session(impl), Dialect::kPostgres);
    } catch (...) {
      // conninfo may hold a password: say where, not how.
      return StatusFromCurrentException(Dialect::kPostgres, "connecting to PostgreSQL", false);
    }
    // libpq prints NOTICEs (e.g. "relation already exists, skipping") to stderr.
    SA_RETURN_IF_ERROR(session->Exec("SET client_min_messages = warning").status());
    SA_RETURN_IF_ERROR(
        session->Exec("SET lock_timeout = " + std::to_string(options_.lock_timeout_ms)).status());
    return session;
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

 private:
  std::string conninfo_;
  PostgresOptions options_;
};

}  // namespace

StatusOr<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                               const SqliteOptions& options) {
  if (path.empty()) return Status::InvalidArgument("SQLite database path is empty");
  if (options.busy_timeout_ms < 0) {
    return Status::InvalidArgument("SQLite busy_timeout_ms must not be negative");
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Status::Unavailable("cannot create directory " + parent.string() +
                                 " for the SQLite database: " + ec.message());
    }
  }
  auto db = std::make_unique<SqliteDatabase>(path, options);
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> probe, db->Connect());
  return std::unique_ptr<Database>(std::move(db));
}

StatusOr<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo,
                                                 const PostgresOptions& options) {
  if (conninfo.empty()) return Status::InvalidArgument("PostgreSQL conninfo is empty");
  if (options.lock_timeout_ms < 0 || options.connect_timeout_s < 0) {
    return Status::InvalidArgument("PostgreSQL timeouts must not be negative");
  }
  auto db = std::make_unique<PostgresDatabase>(conninfo, options);
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> probe, db->Connect());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace sa::adapter::store
