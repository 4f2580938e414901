#include "adapter/store/poco_db.h"

#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>

#include "Poco/Data/PostgreSQL/SessionImpl.h"
#include "Poco/Data/SQLite/SessionImpl.h"
#include "Poco/Data/SQLite/Utility.h"
#include "Poco/Data/Session.h"
#include "adapter/store/poco_errors.h"
#include "adapter/store/postgres_session.h"
#include "adapter/store/session_pool.h"
#include "adapter/store/sqlite_session.h"
#include "libpq-fe.h"

namespace sa::adapter::store {
namespace {

// Poco opens and closes the connections; statements run on the native
// handle (sqlite_session.h, postgres_session.h say why). The Poco session is
// the connection's owner: the DbSession keeps it alive and releases it last.

// A Poco session as the type-erased owner the native sessions keep.
std::shared_ptr<void> Own(Poco::Data::Session session) {
  return std::make_shared<Poco::Data::Session>(std::move(session));
}

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(std::string path, SqliteOptions options)
      : path_(std::move(path)),
        options_(options),
        pool_([this] { return Open(); }, options.max_idle_connections) {}

  // A pooled connection, or a new one (session_pool.h).
  StatusOr<std::unique_ptr<DbSession>> Connect() override { return pool_.Acquire(); }

  Dialect dialect() const override { return Dialect::kSqlite; }

 private:
  // Opens and configures a new connection.
  StatusOr<std::unique_ptr<PoolableSession>> Open() {
    std::unique_ptr<PoolableSession> session;
    try {
      // Login timeout 0: fail at once if the file cannot be opened; lock
      // waits are governed by busy_timeout below.
      Poco::AutoPtr<Poco::Data::SessionImpl> impl(new Poco::Data::SQLite::SessionImpl(path_, 0));
      Poco::Data::Session poco(impl);
      sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(poco);
      session = MakeSqliteSession(handle, Own(std::move(poco)), gate_,
                                  std::chrono::milliseconds(options_.busy_timeout_ms));
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

  std::string path_;
  SqliteOptions options_;
  // Writers of this process queue here, not on SQLite's polling busy handler.
  std::shared_ptr<WriterGate> gate_ = std::make_shared<WriterGate>();
  SessionPool pool_;  // last: destroyed first, closing the idle connections
};

class PostgresDatabase : public Database {
 public:
  PostgresDatabase(std::string conninfo, PostgresOptions options)
      : conninfo_(std::move(conninfo)),
        options_(options),
        pool_([this] { return Open(); }, options.max_idle_connections) {}

  // A pooled connection, or a new one (session_pool.h).
  StatusOr<std::unique_ptr<DbSession>> Connect() override { return pool_.Acquire(); }

  Dialect dialect() const override { return Dialect::kPostgres; }

 private:
  // Opens and configures a new connection.
  StatusOr<std::unique_ptr<PoolableSession>> Open() {
    // Poco 1.11 leaks the libpq connection of a failed attempt (~17 KB). A
    // server that is down is the common failure and may be retried for hours,
    // so ask libpq first; PQping cleans up after itself. (A session whose
    // connection drops later leaks the same way; that is rarer.)
    std::string ping_conninfo =
        "connect_timeout=" + std::to_string(options_.connect_timeout_s) + " " + conninfo_;
    switch (PQping(ping_conninfo.c_str())) {
      case PQPING_OK:
        break;
      case PQPING_REJECT:
        return Status::Unavailable(
            "connecting to PostgreSQL: the server rejects connections (starting up or shutting "
            "down?)");
      case PQPING_NO_RESPONSE:
        return Status::Unavailable("connecting to PostgreSQL: no response from the server");
      case PQPING_NO_ATTEMPT:
        return Status::InvalidArgument("connecting to PostgreSQL: the conninfo is not valid");
    }
    std::unique_ptr<PoolableSession> session;
    try {
      auto* pg = new Poco::Data::PostgreSQL::SessionImpl(
          conninfo_, static_cast<std::size_t>(options_.connect_timeout_s));
      Poco::AutoPtr<Poco::Data::SessionImpl> impl(pg);
      PGconn* handle = pg->handle();
      session =
          MakePostgresSession(handle, Own(Poco::Data::Session(impl)), options_.prepare_statements);
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

  std::string conninfo_;
  PostgresOptions options_;
  SessionPool pool_;  // last: destroyed first, closing the idle connections
};

}  // namespace

StatusOr<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                               const SqliteOptions& options) {
  if (path.empty()) return Status::InvalidArgument("SQLite database path is empty");
  if (options.busy_timeout_ms < 0) {
    return Status::InvalidArgument("SQLite busy_timeout_ms must not be negative");
  }
  if (options.max_idle_connections < 0) {
    return Status::InvalidArgument("SQLite max_idle_connections must not be negative");
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
  // The probe goes back to the pool: the first caller finds it open.
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> probe, db->Connect());
  return std::unique_ptr<Database>(std::move(db));
}

StatusOr<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo,
                                                 const PostgresOptions& options) {
  if (conninfo.empty()) return Status::InvalidArgument("PostgreSQL conninfo is empty");
  if (options.lock_timeout_ms < 0 || options.connect_timeout_s < 0) {
    return Status::InvalidArgument("PostgreSQL timeouts must not be negative");
  }
  if (options.max_idle_connections < 0) {
    return Status::InvalidArgument("PostgreSQL max_idle_connections must not be negative");
  }
  auto db = std::make_unique<PostgresDatabase>(conninfo, options);
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> probe, db->Connect());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace sa::adapter::store
