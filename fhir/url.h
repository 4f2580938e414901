// URL helpers: percent-encoding, form bodies, and splitting a URL into the
// parts a client needs (origin, path and query).
//
// FHIR search values are percent-encoded here and nowhere else, so a business
// identifier such as "https://example.org/id|A&B" can never change the
// meaning of the query it is placed in.
#ifndef SA_FHIR_URL_H_
#define SA_FHIR_URL_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/status.h"

namespace sa::fhir {

// Percent-encodes every byte outside the RFC 3986 unreserved set
// (A-Z a-z 0-9 - . _ ~); safe for a query value or a path segment.
std::string PercentEncode(std::string_view s);

// Decodes %XX escapes (and '+' as space when `plus_is_space`); rejects a
// malformed escape rather than guessing.
StatusOr<std::string> PercentDecode(std::string_view s, bool plus_is_space = false);

// Builds an application/x-www-form-urlencoded body from ordered fields
// (the OAuth token request needs this exact encoding).
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

// Percent-encodes only the bytes that may not appear in a URI at all (space,
// '|', '"', non-ASCII, controls…), leaving existing %XX escapes and delimiters
// untouched. Servers hand back `next` links with raw '|'; this makes them
// sendable without double-encoding what is already encoded.
std::string EncodeUnsafeUriBytes(std::string_view url);

// The parts of an absolute http(s) URL.
struct UrlParts {
  std::string scheme;     // "http" or "https", lower case
  std::string host;       // lower case; IPv6 literals keep their brackets
  int port = 0;           // explicit or the scheme default (80/443)
  std::string path;       // "/" when empty; never includes the query
  std::string query;      // without the leading '?'; may be empty

  // scheme://host[:port] with the port omitted when it is the default.
  std::string Origin() const;
  // path[?query]: what goes on the HTTP request line.
  std::string PathAndQuery() const;
};

// Splits an absolute http or https URL; rejects other schemes, user-info
// (credentials in URLs leak into logs) and fragments.
StatusOr<UrlParts> ParseUrl(std::string_view url);

// True when both URLs parse and share scheme, host and port. The client only
// follows links that stay on its server, so a token is never sent elsewhere.
bool SameOrigin(std::string_view a, std::string_view b);

// Joins a base URL ("https://h/fhir" or ".../fhir/") and a relative path
// ("Task/1", "/Task/1" or "") with exactly one '/' between them.
std::string JoinUrl(std::string_view base, std::string_view relative);

}  // namespace sa::fhir

#endif  // SA_FHIR_URL_H_
