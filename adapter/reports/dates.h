// Calendar arithmetic for the reports: dates as days since 1970-01-01 (UTC),
// instants as Unix seconds. Every report works in UTC days, so a period
// [from, to) means from 00:00Z on `from` up to, not including, 00:00Z on `to`.
#ifndef SA_ADAPTER_REPORTS_DATES_H_
#define SA_ADAPTER_REPORTS_DATES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sa::adapter::reports {

inline constexpr std::int64_t kSecondsPerDay = 86400;

// Days since the epoch for a real date "YYYY-MM-DD"; nullopt otherwise.
std::optional<std::int64_t> DateToDays(std::string_view date);

// "YYYY-MM-DD" for days since the epoch (the inverse of DateToDays).
std::string DaysToDate(std::int64_t days);

// Unix seconds for an RFC 3339 date-time (any offset); nullopt if malformed.
std::optional<std::int64_t> InstantToSeconds(std::string_view instant);

// "YYYY-MM-DDThh:mm:ssZ" for Unix seconds, so every report prints UTC.
std::string SecondsToInstant(std::int64_t seconds);

// The UTC day an instant falls on (floor division, correct before 1970 too).
std::int64_t DayOf(std::int64_t seconds);

// `days` moved by `months` calendar months; a day past the end of the target
// month becomes its last day (31 March + 1 month = 30 April).
std::int64_t AddMonths(std::int64_t days, int months);

// The system clock in Unix seconds (for callers that have no injected clock).
std::int64_t NowSeconds();

// The system clock as "YYYY-MM-DDThh:mm:ss.mmmZ" (record times: created_at).
std::string NowInstantMillis();

// Unix milliseconds as "YYYY-MM-DDThh:mm:ss.mmmZ", and back (any RFC 3339
// time; digits past the millisecond are dropped).
std::string MillisToInstant(std::int64_t millis);
std::optional<std::int64_t> InstantToMillis(std::string_view instant);

}  // namespace sa::adapter::reports

#endif  // SA_ADAPTER_REPORTS_DATES_H_
