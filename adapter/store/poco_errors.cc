#include "adapter/store/poco_errors.h"

#include <exception>
#include <string>

#include "Poco/Data/DataException.h"
#include "Poco/Data/PostgreSQL/PostgreSQLException.h"
#include "Poco/Data/SQLite/SQLiteException.h"
#include "Poco/Exception.h"
#include "sqlite3.h"

namespace sa::adapter::store {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// One line: libpq messages span lines and carry Poco's "Severity: .. Hint: .."
// tail, which we shorten to the SQLSTATE.
std::string OneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The SQLSTATE Poco's PostgreSQL connector embeds as "State: XXXXX", or "".
std::string SqlStateIn(std::string_view message) {
  std::size_t at = message.find(" State: ");
  if (at == std::string_view::npos) return "";
  std::string_view state = message.substr(at + 8, 5);
  return state.size() == 5 ? std::string(state) : "";
}

// The server's own words from a Poco PostgreSQL message, without Poco's prefix
// and its Severity/Hint/Constraint tail.
std::string PostgresText(std::string_view message) {
  std::size_t start = message.find("error: ");
  if (start != std::string_view::npos && start < 40) message.remove_prefix(start + 7);
  std::size_t tail = message.find(" Severity: ");
  if (tail != std::string_view::npos) message = message.substr(0, tail);
  std::string text = OneLine(message);
  if (text.rfind("ERROR: ", 0) == 0) text.erase(0, 7);
  return text;
}

// For PostgreSQL errors that carry no SQLSTATE (prepare, BEGIN/COMMIT, connect).
StatusCode CodeForPostgresText(std::string_view text) {
  for (std::string_view transient :
       {"lock timeout", "deadlock detected", "could not serialize", "could not obtain lock",
        "server closed the connection", "no connection to the server", "terminating connection",
        "could not connect", "Connection refused", "connection to server", "No space left",
        "could not extend file", "could not write", "out of memory", "the database system is"}) {
    if (Contains(text, transient)) return StatusCode::kUnavailable;
  }
  if (Contains(text, "violates") && Contains(text, "constraint")) return StatusCode::kConflict;
  if (Contains(text, "invalid input syntax") || Contains(text, "out of range")) {
    return StatusCode::kInvalidArgument;
  }
  if (Contains(text, "current transaction is aborted")) return StatusCode::kFailedPrecondition;
  return StatusCode::kInternal;
}

// A server that refuses us for who we are (wrong database, user, password)
// will go on refusing: that is configuration, not a passing outage.
StatusCode CodeForConnectFailure(std::string_view text) {
  for (std::string_view config : {"does not exist", "authentication failed", "no pg_hba.conf entry",
                                  "password", "permission denied"}) {
    if (Contains(text, config)) return StatusCode::kFailedPrecondition;
  }
  return StatusCode::kUnavailable;
}

Status Make(StatusCode code, std::string_view context, const std::string& what) {
  return Status(code, std::string(context) + ": " + what);
}

Status FromPostgres(std::string_view context, const Poco::Exception& e, bool connection_lost) {
  std::string message = e.message().empty() ? e.displayText() : e.message();
  std::string state = SqlStateIn(message);
  std::string text = PostgresText(message);
  if (!state.empty()) text += " (SQLSTATE " + state + ")";
  StatusCode code = state.empty() ? CodeForPostgresText(text) : CodeForSqlState(state);
  if (connection_lost) {
    code = StatusCode::kUnavailable;
    text = "connection to PostgreSQL lost: " + text;
  } else if (state == "53100") {
    text = "disk full: " + text;
  }
  return Make(code, context, text);
}

Status FromSqlite(std::string_view context) {
  namespace sl = Poco::Data::SQLite;
  try {
    throw;
  } catch (const sl::DBLockedException& e) {
    return Make(StatusCode::kUnavailable, context,
                "database is locked (busy timeout exceeded): " + e.displayText());
  } catch (const sl::TableLockedException& e) {
    return Make(StatusCode::kUnavailable, context, "table is locked: " + e.displayText());
  } catch (const sl::DatabaseFullException& e) {
    return Make(StatusCode::kUnavailable, context, "disk full: " + e.displayText());
  } catch (const sl::IOErrorException& e) {
    return Make(StatusCode::kUnavailable, context, "disk I/O error: " + e.displayText());
  } catch (const sl::CantOpenDBFileException& e) {
    return Make(StatusCode::kUnavailable, context, "cannot open database file: " + e.displayText());
  } catch (const sl::ReadOnlyException& e) {
    return Make(StatusCode::kUnavailable, context, "database is read-only: " + e.displayText());
  } catch (const sl::NoMemoryException& e) {
    return Make(StatusCode::kUnavailable, context, e.displayText());
  } catch (const sl::InterruptException& e) {
    return Make(StatusCode::kUnavailable, context, e.displayText());
  } catch (const sl::SchemaDiffersException& e) {
    return Make(StatusCode::kUnavailable, context, e.displayText());
  } catch (const sl::LockProtocolException& e) {
    return Make(StatusCode::kUnavailable, context, e.displayText());
  } catch (const sl::ConstraintViolationException& e) {
    // A STRICT table refusing a value of the wrong type is bad input, not a clash.
    bool wrong_type = Contains(e.displayText(), "cannot store");
    return Make(wrong_type ? StatusCode::kInvalidArgument : StatusCode::kConflict, context,
                e.displayText());
  } catch (const sl::DataTypeMismatchException& e) {
    return Make(StatusCode::kInvalidArgument, context, e.displayText());
  } catch (const sl::CorruptImageException& e) {
    return Make(StatusCode::kInternal, context, "database file is corrupt: " + e.displayText());
  } catch (const Poco::Data::ConnectionFailedException& e) {
    return Make(StatusCode::kUnavailable, context, e.displayText());
  } catch (const Poco::Data::NotConnectedException& e) {
    return Make(StatusCode::kUnavailable, context, e.displayText());
  } catch (const Poco::Exception& e) {
    return Make(StatusCode::kInternal, context, e.displayText());
  } catch (const std::exception& e) {
    return Make(StatusCode::kInternal, context, e.what());
  } catch (...) {
    return Make(StatusCode::kInternal, context, "unknown exception");
  }
}

}  // namespace

StatusCode CodeForSqlState(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return StatusCode::kInternal;
  std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "23") return StatusCode::kConflict;         // integrity constraint violation
  if (cls == "22") return StatusCode::kInvalidArgument;  // data exception
  if (cls == "08" || cls == "40" || cls == "53" || cls == "57" || cls == "58") {
    // connection, rollback (serialization/deadlock), resources (disk full),
    // operator intervention (cancel, shutdown), system I/O error
    return StatusCode::kUnavailable;
  }
  if (sqlstate == "55P03" || sqlstate == "55006")
    return StatusCode::kUnavailable;                                // lock not available
  if (sqlstate == "25P02") return StatusCode::kFailedPrecondition;  // in failed transaction
  return StatusCode::kInternal;  // 42 syntax/undefined object, XX internal, the rest
}

Status SqliteError(int result_code, std::string_view message, std::string_view context) {
  const std::string text(message);
  switch (result_code & 0xff) {  // the primary code
    case SQLITE_BUSY:
      return Make(StatusCode::kUnavailable, context,
                  "database is locked (busy timeout exceeded): " + text);
    case SQLITE_LOCKED:
      return Make(StatusCode::kUnavailable, context, "table is locked: " + text);
    case SQLITE_FULL:
      return Make(StatusCode::kUnavailable, context, "disk full: " + text);
    case SQLITE_IOERR:
      return Make(StatusCode::kUnavailable, context, "disk I/O error: " + text);
    case SQLITE_CANTOPEN:
      return Make(StatusCode::kUnavailable, context, "cannot open database file: " + text);
    case SQLITE_READONLY:
      return Make(StatusCode::kUnavailable, context, "database is read-only: " + text);
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT:
    case SQLITE_SCHEMA:
    case SQLITE_PROTOCOL:
      return Make(StatusCode::kUnavailable, context, text);
    case SQLITE_CONSTRAINT:
      // A STRICT table refusing a value of the wrong type is bad input, not a clash.
      return Make(
          Contains(text, "cannot store") ? StatusCode::kInvalidArgument : StatusCode::kConflict,
          context, text);
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return Make(StatusCode::kInvalidArgument, context, text);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Make(StatusCode::kInternal, context, "database file is corrupt: " + text);
    default:  // SQLITE_ERROR (syntax, unknown table), SQLITE_MISUSE, ...
      return Make(StatusCode::kInternal, context, text);
  }
}

Status PostgresError(std::string_view sqlstate, std::string_view message, bool connection_lost,
                     std::string_view context) {
  std::string text = OneLine(message);
  if (text.rfind("ERROR: ", 0) == 0) text.erase(0, 7);
  if (text.empty()) text = "no message";
  StatusCode code = sqlstate.size() == 5 ? CodeForSqlState(sqlstate) : CodeForPostgresText(text);
  if (sqlstate.size() == 5) text += " (SQLSTATE " + std::string(sqlstate) + ")";
  if (connection_lost) {
    code = StatusCode::kUnavailable;
    text = "connection to PostgreSQL lost: " + text;
  } else if (sqlstate == "53100") {
    text = "disk full: " + text;
  }
  return Make(code, context, text);
}

Status StatusFromCurrentException(Dialect dialect, std::string_view context, bool connection_lost) {
  if (dialect == Dialect::kSqlite) return FromSqlite(context);
  try {
    throw;
  } catch (const Poco::Data::PostgreSQL::ConnectionException& e) {
    return Make(CodeForConnectFailure(e.displayText()), context, OneLine(e.displayText()));
  } catch (const Poco::Data::ConnectionFailedException& e) {
    return Make(CodeForConnectFailure(e.displayText()), context, OneLine(e.displayText()));
  } catch (const Poco::Data::NotConnectedException& e) {
    return Make(StatusCode::kUnavailable, context, "not connected to PostgreSQL");
  } catch (const Poco::Exception& e) {
    return FromPostgres(context, e, connection_lost);
  } catch (const std::exception& e) {
    return Make(connection_lost ? StatusCode::kUnavailable : StatusCode::kInternal, context,
                e.what());
  } catch (...) {
    return Make(StatusCode::kInternal, context, "unknown exception");
  }
}

}  // namespace sa::adapter::store
