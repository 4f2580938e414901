#include "adapter/reports/dates.h"

#include <gtest/gtest.h>

namespace sa::adapter::reports {
namespace {

TEST(DatesTest, DaysRoundTrip) {
  for (const char* d : {"1970-01-01", "2000-02-29", "2026-12-31", "2027-01-01", "1969-12-31"}) {
    auto days = DateToDays(d);
    ASSERT_TRUE(days) << d;
    EXPECT_EQ(DaysToDate(*days), d);
  }
  EXPECT_EQ(*DateToDays("1970-01-02"), 1);
  EXPECT_FALSE(DateToDays("2026-02-30"));
  EXPECT_FALSE(DateToDays("2026-1-01"));
}

TEST(DatesTest, InstantsAreUtc) {
  auto s = InstantToSeconds("2026-11-20T10:05:00+01:00");
  ASSERT_TRUE(s);
  EXPECT_EQ(SecondsToInstant(*s), "2026-11-20T09:05:00Z");
  EXPECT_EQ(DaysToDate(DayOf(*s)), "2026-11-20");
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_EQ(DayOf(0), 0);
  EXPECT_FALSE(InstantToSeconds("2026-11-20 10:05"));
}

TEST(DatesTest, AddMonthsClampsToTheMonthEnd) {
  EXPECT_EQ(DaysToDate(AddMonths(*DateToDays("2026-03-31"), 1)), "2026-04-30");
  EXPECT_EQ(DaysToDate(AddMonths(*DateToDays("2027-01-01"), -12)), "2026-01-01");
  EXPECT_EQ(DaysToDate(AddMonths(*DateToDays("2024-02-29"), 12)), "2025-02-28");
  EXPECT_EQ(DaysToDate(AddMonths(*DateToDays("2026-01-15"), -1)), "2025-12-15");
  EXPECT_EQ(DaysToDate(AddMonths(*DateToDays("2026-11-30"), 14)), "2028-01-30");
}

TEST(DatesTest, MillisRoundTrip) {
  EXPECT_EQ(MillisToInstant(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(InstantToMillis("2023-11-14T22:13:20.123Z"), 1'700'000'000'123);
  EXPECT_EQ(InstantToMillis("2023-11-14T22:13:20.1Z"), 1'700'000'000'100);
  EXPECT_EQ(InstantToMillis("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(InstantToMillis("2023-11-14T22:13:20.123456+00:00"), 1'700'000'000'123);
}

TEST(DatesTest, NowInstantMillisParses) {
  const std::string now = NowInstantMillis();
  EXPECT_EQ(now.size(), 24u) << now;
  EXPECT_TRUE(InstantToSeconds(now)) << now;
}

}  // namespace
}  // namespace sa::adapter::reports
