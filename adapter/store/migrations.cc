#include "adapter/store/migrations.h"

#include <chrono>
#include <ctime>
#include <utility>

namespace sa::adapter::store {
namespace {

// Serialises migrations across adapters sharing one PostgreSQL database
// (any fixed number; this one spells "sa-schem").
constexpr int64_t kMigrationLockKey = 0x73612D736368656D;

std::string NowRfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

Status ValidateList(const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Status::Internal("migration list must be numbered 1, 2, 3...; entry " +
                              std::to_string(i + 1) + " has version " +
                              std::to_string(migrations[i].version));
    }
    if (migrations[i].statements.empty()) {
      return Status::Internal("migration " + std::to_string(i + 1) + " has no statements");
    }
  }
  return Status::Ok();
}

Status Annotate(const Status& status, const Migration& m, std::size_t statement) {
  return Status(status.code(), "migration " + std::to_string(m.version) + " (" + m.description +
                                   ") statement " + std::to_string(statement + 1) + ": " +
                                   status.message());
}

}  // namespace

std::string ExpandDialect(std::string_view sql, Dialect dialect) {
  bool pg = dialect == Dialect::kPostgres;
  const std::pair<std::string_view, std::string_view> kTokens[] = {
      {"{BIGINT}", pg ? "BIGINT" : "INTEGER"},
      {"{BLOB}", pg ? "BYTEA" : "BLOB"},
      {"{AUTOINC}", pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"},
      {"{STRICT}", pg ? "" : " STRICT"},
  };
  std::string out;
  out.reserve(sql.size() + 32);
  std::size_t i = 0;
  while (i < sql.size()) {
    bool replaced = false;
    if (sql[i] == '{') {
      for (const auto& [token, text] : kTokens) {
        if (sql.substr(i, token.size()) == token) {
          out += text;
          i += token.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += sql[i++];
  }
  return out;
}

StatusOr<int> SchemaVersion(DbSession& session) {
  std::string exists_sql =
      session.dialect() == Dialect::kSqlite
          ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
          : "SELECT COUNT(*) FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = 'schema_version'";
  SA_ASSIGN_OR_RETURN(std::vector<Row> exists, session.Query(exists_sql));
  if (exists.size() != 1 || exists[0].size() != 1) {
    return Status::Internal("unexpected result looking for schema_version");
  }
  SA_ASSIGN_OR_RETURN(int64_t tables, AsInt(exists[0][0]));
  if (tables == 0) return 0;
  SA_ASSIGN_OR_RETURN(std::vector<Row> rows,
                      session.Query("SELECT CAST(MAX(version) AS BIGINT) FROM schema_version"));
  if (rows.size() != 1 || rows[0].size() != 1) {
    return Status::Internal("unexpected result reading schema_version");
  }
  SA_ASSIGN_OR_RETURN(std::optional<int64_t> version, AsOptionalInt(rows[0][0]));
  return static_cast<int>(version.value_or(0));
}

StatusOr<int> Migrate(Database& db) { return Migrate(db, SchemaMigrations()); }

StatusOr<int> Migrate(Database& db, const std::vector<Migration>& migrations) {
  SA_RETURN_IF_ERROR(ValidateList(migrations));
  const int newest = static_cast<int>(migrations.size());
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> session, db.Connect());
  const Dialect dialect = session->dialect();

  Transaction tx(*session);
  SA_RETURN_IF_ERROR(tx.Begin());  // SQLite: BEGIN IMMEDIATE holds the write lock from here
  if (dialect == Dialect::kPostgres) {
    // Released at commit/rollback. A plain SELECT of the void function would
    // return a column type Poco cannot read, hence FROM.
    SA_RETURN_IF_ERROR(
        session->Query("SELECT 1 FROM pg_advisory_xact_lock(?)", {kMigrationLockKey}).status());
  }
  SA_ASSIGN_OR_RETURN(int current, SchemaVersion(*session));
  if (current > newest) {
    return Status::FailedPrecondition("database schema version " + std::to_string(current) +
                                      " is newer than this binary supports (" +
                                      std::to_string(newest) + "); upgrade the adapter");
  }
  if (current == newest) {
    SA_RETURN_IF_ERROR(tx.Rollback());  // nothing written; release the lock
    return current;
  }
  SA_RETURN_IF_ERROR(session
                         ->Exec(ExpandDialect("CREATE TABLE IF NOT EXISTS schema_version ("
                                              "version {BIGINT} NOT NULL PRIMARY KEY, "
                                              "applied_at TEXT NOT NULL){STRICT}",
                                              dialect))
                         .status());
  const std::string applied_at = NowRfc3339();
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    for (std::size_t i = 0; i < m.statements.size(); ++i) {
      StatusOr<int64_t> done = session->Exec(ExpandDialect(m.statements[i], dialect));
      if (!done.ok()) return Annotate(done.status(), m, i);
    }
    SA_RETURN_IF_ERROR(session
                           ->Exec("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                  {int64_t{m.version}, applied_at})
                           .status());
  }
  SA_RETURN_IF_ERROR(tx.Commit());
  return newest;
}

}  // namespace sa::adapter::store
