// Values between the store's four kinds (db.h) and libpq's text and binary
// forms: binding a statement's parameters, reading a result's cells, and
// naming a statement in errors. Internal to the PostgreSQL session
// (postgres_session.cc), which holds the connection and the transactions.
#ifndef SA_ADAPTER_STORE_POSTGRES_VALUES_H_
#define SA_ADAPTER_STORE_POSTGRES_VALUES_H_

#include <string>
#include <string_view>
#include <vector>

#include "adapter/store/db.h"
#include "libpq-fe.h"

namespace sa::adapter::store {

// The start of a statement, to say which one failed. SQL text holds no values
// (they are bound), so it is safe to log.
std::string DescribeSql(std::string_view sql);

// One statement's values in libpq's form: `values` points into `params`
// (text and BLOBs) and into `numbers` (integers as text). Filled in place by
// Bind; not copied or moved afterwards, so the pointers stay valid.
struct Bound {
  std::string text;  // the SQL with $1, $2, ... for '?'
  int count = 0;
  std::vector<std::string> numbers;
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
};

// Converts `sql` and `params` for libpq; InvalidArgument when the number of
// values does not match the placeholders.
Status Bind(std::string_view sql, const std::vector<Value>& params, Bound* out);

// Cell (`row`, `col`) of `result`, read by column type: booleans and integers
// as integers, bytea as a BLOB, NULL as NULL, character types (and any type
// not listed) as text; floating point, numeric, date, time and uuid columns
// are refused (Internal, with a hint to CAST). `sql` names the statement.
StatusOr<Value> ReadCell(const PGresult* result, int row, int col, std::string_view sql);

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_POSTGRES_VALUES_H_
