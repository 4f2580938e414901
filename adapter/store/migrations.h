// Versioned schema migrations, applied at start-up.
//
// Migrations are data: a list of {version, description, statements}, oldest
// first, written once for both databases with dialect placeholders:
//   {BIGINT}   INTEGER (SQLite, STRICT tables accept no other name) / BIGINT
//   {BLOB}     BLOB / BYTEA
//   {AUTOINC}  INTEGER PRIMARY KEY AUTOINCREMENT / BIGSERIAL PRIMARY KEY
//   {STRICT}   " STRICT" / "" after a CREATE TABLE's closing parenthesis, so
//              SQLite refuses a value of the wrong type as PostgreSQL does
//
// Migrate() applies every migration newer than the database's version in ONE
// transaction, recording each in schema_version(version, applied_at): after a
// crash or an error the database is at the old version or the new one, never
// between. Two adapters starting at once do not both apply: PostgreSQL takes a
// transaction-scoped advisory lock first, SQLite's BEGIN IMMEDIATE takes the
// write lock (the second waits, then finds nothing to do).
//
// A database NEWER than this binary is refused, untouched: an old adapter
// writing a schema it does not understand could lose data.
#ifndef SA_ADAPTER_STORE_MIGRATIONS_H_
#define SA_ADAPTER_STORE_MIGRATIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::store {

struct Migration {
  int version = 0;                      // 1, 2, 3... with no gaps
  std::string description;              // one line, for logs
  std::vector<std::string> statements;  // one SQL statement each, with {PLACEHOLDERS}
};

// The adapter's schema, oldest first (schema.cc).
const std::vector<Migration>& SchemaMigrations();

// `sql` with the dialect placeholders above replaced; other text untouched.
std::string ExpandDialect(std::string_view sql, Dialect dialect);

// Brings the database up to the newest of SchemaMigrations() and returns the
// version it is now at.
StatusOr<int> Migrate(Database& db);
// The same with another list (tests). The list must be numbered 1, 2, 3...
StatusOr<int> Migrate(Database& db, const std::vector<Migration>& migrations);

// The database's schema version: 0 when no migration was ever applied.
StatusOr<int> SchemaVersion(DbSession& session);

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_MIGRATIONS_H_
