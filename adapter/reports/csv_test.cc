#include "adapter/reports/csv.h"

#include <gtest/gtest.h>

namespace sa::adapter::reports {
namespace {

TEST(CsvTest, PlainCellsAreWrittenAsTheyAre) {
  EXPECT_EQ(CsvCell("P-10"), "P-10");
  EXPECT_EQ(CsvCell("2026-11-20T10:00:00Z"), "2026-11-20T10:00:00Z");
  EXPECT_EQ(CsvCell(""), "");
}

TEST(CsvTest, Rfc4180QuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(CsvCell("Shaw, Ann"), "\"Shaw, Ann\"");
  EXPECT_EQ(CsvCell("the \"named\" nurse"), "\"the \"\"named\"\" nurse\"");
  EXPECT_EQ(CsvCell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvCell("cr\rhere"), "\"cr\rhere\"");
}

TEST(CsvTest, FormulaInjectionIsGuardedWithAQuote) {
  EXPECT_EQ(CsvCell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvCell("+1"), "'+1");
  EXPECT_EQ(CsvCell("-2"), "'-2");
  EXPECT_EQ(CsvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvCell("\tx"), "'\tx");
  EXPECT_EQ(CsvCell("=1,2"), "\"'=1,2\"");
  EXPECT_EQ(CsvCell("a=b"), "a=b");  // only a leading character starts a formula
}

TEST(CsvTest, RowsEndWithCrlf) {
  EXPECT_EQ(CsvRow({"a", "b,c", ""}), "a,\"b,c\",\r\n");
  EXPECT_EQ(CsvRow({}), "\r\n");
}

}  // namespace
}  // namespace sa::adapter::reports
