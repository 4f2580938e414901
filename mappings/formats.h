// Value formats the session record uses: NHS numbers, dates, RFC 3339 times.
#ifndef SA_MAPPINGS_FORMATS_H_
#define SA_MAPPINGS_FORMATS_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace sa::mappings {

// True for 10 digits whose last is the Modulus 11 check digit of the first
// nine (weights 10..2; 11 -> 0; a remainder giving 10 is never valid).
bool IsValidNhsNumber(std::string_view s);

// True for a calendar date YYYY-MM-DD that exists (leap years included).
bool IsValidDate(std::string_view s);

// Parses an RFC 3339 date-time (e.g. 2026-11-20T10:05:00Z, fractions and
// +hh:mm offsets allowed; "T" and "Z" case-insensitive per RFC 3339 §5.6)
// into seconds since the Unix epoch, UTC. nullopt if malformed or impossible.
std::optional<std::int64_t> ParseRfc3339(std::string_view s);

// Days since the Unix epoch for a valid date, else nullopt.
std::optional<std::int64_t> ParseDateDays(std::string_view s);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_FORMATS_H_
