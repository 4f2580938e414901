#include "mappings/formats.h"

#include <gtest/gtest.h>

namespace sa::mappings {
namespace {

TEST(FormatsTest, NhsNumberModulus11) {
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_TRUE(IsValidNhsNumber("9434765870"));  // check digit 11 -> 0
  EXPECT_FALSE(IsValidNhsNumber("9434765918"));
  EXPECT_FALSE(IsValidNhsNumber("943476591"));
  EXPECT_FALSE(IsValidNhsNumber("94347659190"));
  EXPECT_FALSE(IsValidNhsNumber("943476591a"));
  // Remainder giving a check digit of 10 is never a valid number.
  EXPECT_FALSE(IsValidNhsNumber("1000000010"));
}

TEST(FormatsTest, Dates) {
  EXPECT_TRUE(IsValidDate("2024-02-29"));
  EXPECT_FALSE(IsValidDate("2023-02-29"));
  EXPECT_FALSE(IsValidDate("2026-04-31"));
  EXPECT_FALSE(IsValidDate("2026-4-03"));
  EXPECT_FALSE(IsValidDate("2026-04-03T00:00:00Z"));
  EXPECT_EQ(*ParseDateDays("1970-01-02"), 1);
}

TEST(FormatsTest, Rfc3339) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(*ParseRfc3339("2026-11-20T10:05:00.123Z"), *ParseRfc3339("2026-11-20T10:05:00Z"));
  EXPECT_TRUE(ParseRfc3339("2026-11-20t10:05:00z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-11-20T10:05:00").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-11-20 10:05:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-11-20T10:60:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-11-20T10:05:00+1:00").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-11-20T10:05:00.Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-11-20T10:05:00Zjunk").has_value());
}

}  // namespace
}  // namespace sa::mappings
