#include "adapter/store/sql_text.h"

#include <cctype>

namespace sa::adapter::store {
namespace {

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Index just past a quoted run that opens at `i` with `quote` and doubles the
// quote to escape it; backslash escapes too when `backslash` (PostgreSQL E'..').
std::size_t SkipQuoted(std::string_view sql, std::size_t i, char quote, bool backslash) {
  for (++i; i < sql.size(); ++i) {
    if (backslash && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return sql.size();  // unterminated: the database reports it
}

// If a PostgreSQL dollar quote ($$ or $tag$) opens at `i`, the index just past
// its closing tag; otherwise `i` (a '$' that is not a quote, e.g. "$1").
std::size_t SkipDollarQuoted(std::string_view sql, std::size_t i) {
  if (i > 0 && IsIdentChar(sql[i - 1])) return i;
  std::size_t j = i + 1;
  while (j < sql.size() && IsIdentChar(sql[j]) &&
         std::isdigit(static_cast<unsigned char>(sql[i + 1])) == 0) {
    ++j;
  }
  if (j >= sql.size() || sql[j] != '$') return i;
  std::string_view tag = sql.substr(i, j - i + 1);
  std::size_t close = sql.find(tag, j + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

// Calls on_placeholder(index_in_sql) for each placeholder, in order.
template <typename F>
void ScanPlaceholders(std::string_view sql, F on_placeholder) {
  std::size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'') {
      bool escapes =
          i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !IsIdentChar(sql[i - 2]));
      i = SkipQuoted(sql, i, '\'', escapes);
    } else if (c == '"') {
      i = SkipQuoted(sql, i, '"', false);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      std::size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? sql.size() : eol + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == '$') {
      std::size_t after = SkipDollarQuoted(sql, i);
      i = after == i ? i + 1 : after;
    } else {
      if (c == '?') on_placeholder(i);
      ++i;
    }
  }
}

}  // namespace

std::size_t CountPlaceholders(std::string_view sql) {
  std::size_t n = 0;
  ScanPlaceholders(sql, [&n](std::size_t) { ++n; });
  return n;
}

std::string ReplacePlaceholders(std::string_view sql,
                                const std::function<std::string(std::size_t)>& replacement) {
  std::string out;
  out.reserve(sql.size() + 16);
  std::size_t copied = 0;
  std::size_t index = 0;
  ScanPlaceholders(sql, [&](std::size_t at) {
    out.append(sql.substr(copied, at - copied));
    out += replacement(index++);
    copied = at + 1;
  });
  out.append(sql.substr(copied));
  return out;
}

std::string NumberPlaceholders(std::string_view sql) {
  return ReplacePlaceholders(sql, [](std::size_t i) { return "$" + std::to_string(i + 1); });
}

}  // namespace sa::adapter::store
