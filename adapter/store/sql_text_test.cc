#include "adapter/store/sql_text.h"

#include <gtest/gtest.h>

namespace sa::adapter::store {
namespace {

TEST(SqlTextTest, NumbersPlaceholdersInOrder) {
  EXPECT_EQ(NumberPlaceholders("INSERT INTO t (a, b, c) VALUES (?, ?, ?)"),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)");
  EXPECT_EQ(CountPlaceholders("SELECT 1"), 0u);
}

TEST(SqlTextTest, SkipsQuestionMarksInsideStringsAndIdentifiers) {
  EXPECT_EQ(
      NumberPlaceholders("SELECT 'why?', \"odd?col\", ? FROM t WHERE x = 'it''s ?' AND y = ?"),
      "SELECT 'why?', \"odd?col\", $1 FROM t WHERE x = 'it''s ?' AND y = $2");
}

TEST(SqlTextTest, SkipsBackslashEscapedQuotesOnlyInEStrings) {
  // E'..' honours backslash escapes: \' does not close it.
  EXPECT_EQ(NumberPlaceholders("SELECT E'a\\'?' , ?"), "SELECT E'a\\'?' , $1");
  // In a standard string a backslash is an ordinary character.
  EXPECT_EQ(NumberPlaceholders("SELECT 'a\\', ?"), "SELECT 'a\\', $1");
}

TEST(SqlTextTest, SkipsComments) {
  EXPECT_EQ(NumberPlaceholders("SELECT ? -- is this ?\n, ? /* and ? this */ , ?"),
            "SELECT $1 -- is this ?\n, $2 /* and ? this */ , $3");
}

TEST(SqlTextTest, SkipsDollarQuotedText) {
  EXPECT_EQ(NumberPlaceholders("SELECT $$what?$$, $tag$ ? $$ ? $tag$, ?"),
            "SELECT $$what?$$, $tag$ ? $$ ? $tag$, $1");
  EXPECT_EQ(CountPlaceholders("SELECT $1, ?"), 1u);
}

TEST(SqlTextTest, UnterminatedQuoteHidesTheRest) {
  // The database reports the syntax error; we must not invent placeholders.
  EXPECT_EQ(CountPlaceholders("SELECT 'oops ?"), 0u);
}

TEST(SqlTextTest, ReplaceGetsEachIndex) {
  EXPECT_EQ(ReplacePlaceholders("(?, ?, ?)", [](std::size_t i) { return std::to_string(i * 10); }),
            "(0, 10, 20)");
}

}  // namespace
}  // namespace sa::adapter::store
