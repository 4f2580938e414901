#include "adapter/store/db.h"

#include <charconv>
#include <utility>

namespace sa::adapter::store {

const char* DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite: return "sqlite";
    case Dialect::kPostgres: return "postgres";
  }
  return "unknown";
}

Transaction::~Transaction() {
  if (active_) (void)session_.Rollback();  // nowhere to report; the session logs nothing
}

Status Transaction::Begin() {
  if (active_) return Status::FailedPrecondition("transaction already begun");
  SA_RETURN_IF_ERROR(session_.Begin());
  active_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  if (!active_) return Status::FailedPrecondition("no transaction to commit");
  // A failed commit has already rolled back (DbSession contract), so the
  // guard is done either way.
  active_ = false;
  return session_.Commit();
}

Status Transaction::CommitAfter(const std::vector<Statement>& statements) {
  if (!active_) return Status::FailedPrecondition("no transaction to commit");
  active_ = false;  // rolled back on failure (DbSession contract)
  return session_.CommitAfter(statements);
}

Status Transaction::Rollback() {
  if (!active_) return Status::Ok();
  active_ = false;
  return session_.Rollback();
}

namespace {

Status Mismatch(const char* wanted, const Value& value) {
  return Status::InvalidArgument(std::string("expected ") + wanted + ", found " +
                                 DescribeValue(value));
}

// Exactly a base-10 int64 ("-12", not "12 ", "+1", "1e3" or "").
std::optional<int64_t> ParseCanonicalInt(const std::string& text) {
  int64_t out = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return out;
}

}  // namespace

StatusOr<int64_t> AsInt(const Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* s = std::get_if<std::string>(&value)) {
    if (auto parsed = ParseCanonicalInt(*s)) return *parsed;
  }
  return Mismatch("int", value);
}

StatusOr<std::string> AsText(const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return Mismatch("text", value);
}

StatusOr<std::string> AsBlob(const Value& value) {
  if (const auto* b = std::get_if<Blob>(&value)) return b->bytes;
  return Mismatch("blob", value);
}

bool IsNull(const Value& value) { return std::holds_alternative<std::monostate>(value); }

StatusOr<std::optional<int64_t>> AsOptionalInt(const Value& value) {
  if (IsNull(value)) return std::optional<int64_t>();
  SA_ASSIGN_OR_RETURN(int64_t i, AsInt(value));
  return std::optional<int64_t>(i);
}

StatusOr<std::optional<std::string>> AsOptionalText(const Value& value) {
  if (IsNull(value)) return std::optional<std::string>();
  SA_ASSIGN_OR_RETURN(std::string s, AsText(value));
  return std::optional<std::string>(std::move(s));
}

std::string DescribeValue(const Value& value) {
  switch (value.index()) {
    case 0: return "NULL";
    case 1: return "int " + std::to_string(std::get<int64_t>(value));
    case 2: return "text (" + std::to_string(std::get<std::string>(value).size()) + " bytes)";
    case 3: return "blob (" + std::to_string(std::get<Blob>(value).bytes.size()) + " bytes)";
  }
  return "?";
}

}  // namespace sa::adapter::store
