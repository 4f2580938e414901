// Percent-decoding of request paths and query strings (RFC 3986), strict:
// a malformed escape or an encoded NUL is an error, never passed through.
#ifndef SA_ADAPTER_API_HTTP_URL_CODEC_H_
#define SA_ADAPTER_API_HTTP_URL_CODEC_H_

#include <optional>
#include <string>
#include <string_view>

#include "adapter/api/http/http_types.h"

namespace sa::adapter::api {

// Decodes "%XX" escapes in `in` (and '+' as a space when `plus_as_space`,
// for query components). Nullopt on a bad escape or a decoded NUL byte.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space);

// Splits a raw query ("a=1&b=x%20y", without the '?') into decoded pairs in
// order; empty pieces are skipped and "a" alone is ("a", ""). Nullopt on a
// bad escape.
std::optional<NameValueList> ParseQuery(std::string_view query);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_URL_CODEC_H_
