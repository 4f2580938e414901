#include "adapter/reports/dates.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "mappings/formats.h"

namespace sa::adapter::reports {

namespace {

struct Civil {
  std::int64_t year;
  int month, day;
};

// Howard Hinnant's civil_from_days: proleptic Gregorian, any day count.
Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<std::int64_t> DateToDays(std::string_view date) {
  return mappings::ParseDateDays(date);
}

std::string DaysToDate(std::int64_t days) {
  const Civil c = CivilFromDays(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month,
                c.day);
  return buf;
}

std::optional<std::int64_t> InstantToSeconds(std::string_view instant) {
  return mappings::ParseRfc3339(instant);
}

std::int64_t DayOf(std::int64_t seconds) {
  return seconds >= 0 ? seconds / kSecondsPerDay
                      : -((-seconds + kSecondsPerDay - 1) / kSecondsPerDay);
}

std::string SecondsToInstant(std::int64_t seconds) {
  const std::int64_t day = DayOf(seconds);
  const std::int64_t rest = seconds - day * kSecondsPerDay;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", DaysToDate(day).c_str(),
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return buf;
}

std::int64_t AddMonths(std::int64_t days, int months) {
  const Civil c = CivilFromDays(days);
  std::int64_t index = c.year * 12 + (c.month - 1) + months;
  std::int64_t year = index >= 0 ? index / 12 : -((-index + 11) / 12);
  const int month = static_cast<int>(index - year * 12) + 1;
  const int day = std::min(c.day, DaysInMonth(year, month));
  return DaysFromCivil(year, month, day);
}

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string MillisToInstant(std::int64_t millis) {
  const std::int64_t seconds = millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000);
  std::string s = SecondsToInstant(seconds);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(millis - seconds * 1000));
  return s.substr(0, s.size() - 1) + frac;
}

std::optional<std::int64_t> InstantToMillis(std::string_view instant) {
  auto seconds = InstantToSeconds(instant);
  if (!seconds) return std::nullopt;
  std::int64_t ms = 0;
  // The fraction follows the seconds ("...:ssZ" is 20 characters, '.' at 19).
  if (instant.size() > 20 && instant[19] == '.') {
    int digits = 0;
    for (std::size_t i = 20;
         i < instant.size() && digits < 3 && std::isdigit(static_cast<unsigned char>(instant[i]));
         ++i, ++digits) {
      ms = ms * 10 + (instant[i] - '0');
    }
    for (; digits < 3; ++digits) ms *= 10;
  }
  return *seconds * 1000 + ms;
}

std::string NowInstantMillis() {
  return MillisToInstant(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

}  // namespace sa::adapter::reports
