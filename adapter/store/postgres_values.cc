#include "adapter/store/postgres_values.h"

#include <charconv>
#include <utility>

#include "adapter/store/sql_text.h"

namespace sa::adapter::store {
namespace {

// Type OIDs (pg_type.oid; fixed since PostgreSQL 7) of the columns read here.
constexpr Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700, kDateOid = 1082;
constexpr Oid kTimeOid = 1083, kTimestampOid = 1114, kTimestampTzOid = 1184, kTimeTzOid = 1266;
constexpr Oid kUuidOid = 2950;

}  // namespace

std::string DescribeSql(std::string_view sql) {
  constexpr std::size_t kShown = 80;  // enough to recognise the statement
  std::string head(sql.substr(0, kShown));
  for (char& c : head) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return "SQL `" + head + (sql.size() > kShown ? "...`" : "`");
}

Status Bind(std::string_view sql, const std::vector<Value>& params, Bound* out) {
  const std::size_t count = CountPlaceholders(sql);
  if (count != params.size()) {
    return Status::InvalidArgument(DescribeSql(sql) + " has " + std::to_string(count) +
                                   " placeholders but " + std::to_string(params.size()) +
                                   " values were given");
  }
  out->text = NumberPlaceholders(sql);
  out->count = static_cast<int>(count);
  out->numbers.reserve(count);  // no reallocation: values[] points into it
  out->values.assign(count, nullptr);
  out->lengths.assign(count, 0);
  out->formats.assign(count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const Value& value = params[i];
    if (const auto* n = std::get_if<int64_t>(&value)) {
      out->values[i] = out->numbers.emplace_back(std::to_string(*n)).c_str();
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      out->values[i] = s->c_str();
    } else if (const auto* b = std::get_if<Blob>(&value)) {
      out->values[i] = b->bytes.data();  // never null, so an empty BLOB is not NULL
      out->lengths[i] = static_cast<int>(b->bytes.size());
      out->formats[i] = 1;  // binary: the bytes as they are
    }
  }
  return Status::Ok();
}

StatusOr<Value> ReadCell(const PGresult* result, int row, int col, std::string_view sql) {
  if (PQgetisnull(result, row, col)) return Value();
  const char* text = PQgetvalue(result, row, col);
  const std::size_t size = static_cast<std::size_t>(PQgetlength(result, row, col));
  const std::string name = PQfname(result, col) ? PQfname(result, col) : "?";
  switch (PQftype(result, col)) {
    case kBoolOid:
      return Value(int64_t{text[0] == 't' ? 1 : 0});
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(text, text + size, n);
      if (ec != std::errc() || end != text + size) {
        return Status::Internal(DescribeSql(sql) + ": column '" + name + "' is not an integer");
      }
      return Value(n);
    }
    case kByteaOid: {
      std::size_t length = 0;
      unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &length);
      if (bytes == nullptr) return Status::Unavailable("out of memory reading a bytea column");
      Blob blob{std::string(reinterpret_cast<const char*>(bytes), length)};
      PQfreemem(bytes);
      return Value(std::move(blob));
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
    case kDateOid:
    case kTimeOid:
    case kTimeTzOid:
    case kTimestampOid:
    case kTimestampTzOid:
    case kUuidOid:
      return Status::Internal(DescribeSql(sql) + ": column '" + name +
                              "' is of a type this layer does not read (floating point, numeric, "
                              "date, time or uuid); CAST it to BIGINT or TEXT");
    default:
      return Value(std::string(text, size));  // text, varchar, char, name, ...
  }
}

}  // namespace sa::adapter::store
