// Strict JSON parsing for records that come from outside the adapter.
//
// nlohmann::json is lenient where we must not be: it keeps the last of two
// duplicate keys and has no depth limit of its own. This parser drives
// nlohmann's SAX interface with a DOM builder that rejects duplicate keys and
// stops as soon as nesting passes the limit, so a hostile record can neither
// smuggle a second value past validation nor exhaust the stack later. Invalid
// UTF-8 and trailing bytes are rejected by nlohmann's strict mode.
#ifndef SA_MAPPINGS_STRICT_JSON_H_
#define SA_MAPPINGS_STRICT_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sa::mappings {

// Largest session record accepted, in bytes (configurable per call).
inline constexpr std::size_t kDefaultMaxRecordBytes = 1 << 20;  // 1 MiB
// Deepest nesting of objects/arrays accepted. The session format needs 6.
inline constexpr int kDefaultMaxJsonDepth = 64;

struct JsonLimits {
  std::size_t max_bytes = kDefaultMaxRecordBytes;
  int max_depth = kDefaultMaxJsonDepth;
};

// Where and why a document was refused. `pointer` is an RFC 6901 JSON Pointer
// ("" for the whole document); `reason` never quotes the document's content.
struct JsonParseError {
  std::string pointer;
  std::string reason;
};

// Parses `text` strictly. Returns true and fills `out`, or returns false and
// fills `error`. Never throws.
bool ParseStrictJson(std::string_view text, const JsonLimits& limits,
                     nlohmann::json* out, JsonParseError* error);

// Escapes one reference token for a JSON Pointer ("~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(std::string_view token);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_STRICT_JSON_H_
