// Finding the '?' placeholders in SQL text.
//
// Stores write SQL once with '?' placeholders; PostgreSQL wants $1..$n, and an
// empty BLOB has to be written as a literal (both drivers would bind it as
// NULL). A '?' inside a quoted string ('..', E'..', "..", $tag$..$tag$) or a
// comment (-- .., /* .. */) is text, not a placeholder. PostgreSQL's jsonb
// operators ?, ?| and ?& therefore cannot be written; use jsonb_exists().
#ifndef SA_ADAPTER_STORE_SQL_TEXT_H_
#define SA_ADAPTER_STORE_SQL_TEXT_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace sa::adapter::store {

// The number of '?' placeholders in `sql`.
std::size_t CountPlaceholders(std::string_view sql);

// `sql` with its i-th placeholder (0-based) replaced by `replacement(i)`.
std::string ReplacePlaceholders(std::string_view sql,
                                const std::function<std::string(std::size_t)>& replacement);

// `sql` with its placeholders numbered $1..$n for PostgreSQL.
std::string NumberPlaceholders(std::string_view sql);

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_SQL_TEXT_H_
