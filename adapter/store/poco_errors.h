// Turning the exception Poco::Data just threw into a Status (internal to
// poco_db.cc; the header names no Poco type so it can stay Poco-free).
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

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_POCO_ERRORS_H_
