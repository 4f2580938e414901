// Turning a database error into a Status: the exception Poco::Data threw while
// opening a connection, or the error code SQLite or libpq returned for a
// statement run on the native handle (sqlite_session.cc, postgres_session.cc).
// Internal to the store; the header names no Poco, SQLite or libpq type.
//
// The code says what the caller does next:
//   locked / busy / lock timeout / deadlock / serialization failure  Unavailable (retry)
//   disk full, I/O error, lost connection, out of memory           Unavailable (retry later)
//   constraint violation (UNIQUE, NOT NULL, FOREIGN KEY, CHECK)     Conflict
//   a value of the wrong type or out of range                      InvalidArgument
//   syntax error, unknown table, misuse, corruption                Internal (a bug)
//   connecting: unknown database or user, bad password              FailedPrecondition
#ifndef SA_ADAPTER_STORE_POCO_ERRORS_H_
#define SA_ADAPTER_STORE_POCO_ERRORS_H_

#include <string_view>

#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::store {

// Call only inside a catch block: rethrows the current exception, classifies
// it and returns a Status whose message starts with `context`.
// `connection_lost` says whether the session found its connection dead, which
// makes any error Unavailable.
Status StatusFromCurrentException(Dialect dialect, std::string_view context, bool connection_lost);

// The code for a PostgreSQL SQLSTATE (e.g. "23505" -> Conflict).
StatusCode CodeForSqlState(std::string_view sqlstate);

// A failed SQLite call: `result_code` is what sqlite3_step/prepare returned
// (extended codes allowed), `message` is sqlite3_errmsg. The Status says what
// the caller does next, by the table above, and starts with `context`.
Status SqliteError(int result_code, std::string_view message, std::string_view context);

// A failed libpq call: `sqlstate` may be empty (no server error, e.g. the
// connection broke), `message` is the server's or libpq's text.
// `connection_lost` makes any error Unavailable.
Status PostgresError(std::string_view sqlstate, std::string_view message, bool connection_lost,
                     std::string_view context);

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_POCO_ERRORS_H_
