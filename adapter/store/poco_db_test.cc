// DbSession behaviour both databases must share; each test runs on a fresh
// SQLite file and a fresh PostgreSQL database.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "adapter/store/db.h"
#include "adapter/store/migrations.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::BackendTest;
using testing::TableTest;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::string AllBytes() {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  return bytes;
}

class DbTest : public TableTest {
 protected:
  Status Insert(int64_t id, Value i, Value s, Value b) {
    return session_->Exec("INSERT INTO t (id, i, s, b) VALUES (?, ?, ?, ?)", {id, i, s, b})
        .status();
  }

};

TEST_P(DbTest, EveryValueKindRoundTripsExactly) {
  const std::vector<Row> rows = {
      {int64_t{1}, kMin, std::string(""), Blob{AllBytes()}},
      {int64_t{2}, kMax, std::string("h\xc3\xa9llo \xe2\x9c\x93 'quoted' \"q\" ?"), Blob{""}},
      {int64_t{3}, int64_t{0}, Value(), Value()},
      {int64_t{4}, int64_t{-1}, std::string(100'000, 'x'), Blob{std::string(3, '\0')}},
      {int64_t{5}, Value(), std::string("NULL"), Blob{std::string(70'000, '\xff')}},
  };
  for (const Row& r : rows) SA_ASSERT_OK(Insert(std::get<int64_t>(r[0]), r[1], r[2], r[3]));

  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> got,
                          session_->Query("SELECT id, i, s, b FROM t ORDER BY id"));
  ASSERT_EQ(got.size(), rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < 4; ++c) {
      EXPECT_EQ(got[r][c], rows[r][c])
          << "row " << r << " column " << c << ": got " << DescribeValue(got[r][c]) << ", want "
          << DescribeValue(rows[r][c]);
    }
  }
}

TEST_P(DbTest, BlobWithAllByteValuesMatchesAsParameter) {
  const std::string all = AllBytes();
  const std::string reversed(all.rbegin(), all.rend());
  SA_ASSERT_OK(Insert(1, int64_t{1}, Value(), Blob{all}));
  SA_ASSERT_OK(Insert(2, int64_t{2}, Value(), Blob{reversed}));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> got,
                          session_->Query("SELECT id, b FROM t WHERE b = ?", {Blob{reversed}}));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(AsInt(got[0][0]).value(), 2);
  EXPECT_EQ(AsBlob(got[0][1]).value(), reversed);
}

TEST_P(DbTest, Int64ExtremesWorkAsParametersAndResults) {
  SA_ASSERT_OK(Insert(1, kMin, Value(), Value()));
  SA_ASSERT_OK(Insert(2, kMax, Value(), Value()));
  for (int64_t v : {kMin, kMax}) {
    SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> got,
                            session_->Query("SELECT i FROM t WHERE i = ?", {v}));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0][0], Value(v));
  }
}

TEST_P(DbTest, EmptyBlobIsNotNull) {
  SA_ASSERT_OK(Insert(1, Value(), Value(), Blob{""}));
  SA_ASSERT_OK_AND_ASSIGN(
      std::vector<Row> got,
      session_->Query("SELECT COUNT(*) FROM t WHERE b IS NOT NULL AND b = ?", {Blob{""}}));
  EXPECT_EQ(AsInt(got[0][0]).value(), 1);
}

TEST_P(DbTest, ExecReturnsRowsChanged) {
  for (int64_t id = 1; id <= 3; ++id) SA_ASSERT_OK(Insert(id, id, Value(), Value()));
  SA_ASSERT_OK_AND_ASSIGN(int64_t updated, session_->Exec("UPDATE t SET s = ? WHERE id <= ?",
                                                          {std::string("x"), int64_t{2}}));
  EXPECT_EQ(updated, 2);
  SA_ASSERT_OK_AND_ASSIGN(int64_t deleted, session_->Exec("DELETE FROM t"));
  EXPECT_EQ(deleted, 3);
}

TEST_P(DbTest, ComputedIntegersReadWithAsInt) {
  for (int64_t id = 1; id <= 3; ++id) SA_ASSERT_OK(Insert(id, id * 10, Value(), Value()));
  SA_ASSERT_OK_AND_ASSIGN(
      std::vector<Row> got,
      session_->Query("SELECT COUNT(*), CAST(MAX(i) AS BIGINT), CAST(SUM(i) AS BIGINT) FROM t"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(AsInt(got[0][0]).value(), 3);
  EXPECT_EQ(AsInt(got[0][1]).value(), 30);
  EXPECT_EQ(AsInt(got[0][2]).value(), 60);
}

TEST_P(DbTest, InsertReturningGivesTheGeneratedId) {
  SA_ASSERT_OK(session_->Exec(
      ExpandDialect("CREATE TABLE seqd (id {AUTOINC}, name TEXT NOT NULL){STRICT}", dialect())));
  for (int64_t want = 1; want <= 2; ++want) {
    SA_ASSERT_OK_AND_ASSIGN(
        std::vector<Row> got,
        session_->Query("INSERT INTO seqd (name) VALUES (?) RETURNING id", {std::string("n")}));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(AsInt(got[0][0]).value(), want);
  }
}

TEST_P(DbTest, QueryOfAStatementWithoutResultColumnsGivesNoRows) {
  SA_ASSERT_OK(Insert(1, Value(), Value(), Value()));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> got, session_->Query("UPDATE t SET s = 'x'"));
  EXPECT_TRUE(got.empty());
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> none, session_->Query("SELECT id FROM t WHERE id > 5"));
  EXPECT_TRUE(none.empty());
}

TEST_P(DbTest, QuestionMarkInsideStringIsNotAPlaceholder) {
  SA_ASSERT_OK(session_->Exec("INSERT INTO t (id, s) VALUES (?, 'what?')", {int64_t{1}}));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> got, session_->Query("SELECT s FROM t"));
  EXPECT_EQ(AsText(got[0][0]).value(), "what?");
}

TEST_P(DbTest, WrongNumberOfParametersIsInvalidArgument) {
  StatusOr<int64_t> r = session_->Exec("INSERT INTO t (id, i) VALUES (?, ?)", {int64_t{1}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_P(DbTest, DuplicateKeyIsConflict) {
  SA_ASSERT_OK(Insert(1, Value(), Value(), Value()));
  Status dup = Insert(1, Value(), Value(), Value());
  EXPECT_EQ(dup.code(), StatusCode::kConflict) << dup.ToString();
}

TEST_P(DbTest, NotNullViolationIsConflict) {
  SA_ASSERT_OK(session_->Exec("CREATE TABLE nn (x TEXT NOT NULL)"));
  Status s = session_->Exec("INSERT INTO nn (x) VALUES (?)", {Value()}).status();
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.ToString();
}

TEST_P(DbTest, ValueOfTheWrongTypeIsInvalidArgument) {
  Status s = Insert(1, std::string("not a number"), Value(), Value());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TEST_P(DbTest, SyntaxErrorAndUnknownTableAreInternal) {
  Status syntax = session_->Exec("INSRT INTO t VALUES (1)").status();
  EXPECT_EQ(syntax.code(), StatusCode::kInternal) << syntax.ToString();
  Status unknown = session_->Query("SELECT * FROM no_such_table").status();
  EXPECT_EQ(unknown.code(), StatusCode::kInternal) << unknown.ToString();
}

TEST_P(DbTest, RollbackLeavesNothing) {
  SA_ASSERT_OK(session_->Begin());
  for (int64_t id = 1; id <= 3; ++id) SA_ASSERT_OK(Insert(id, id, Value(), Value()));
  SA_ASSERT_OK(session_->Rollback());
  EXPECT_EQ(CountRows("t").value(), 0);
  // The session is back in autocommit mode: this insert is visible at once.
  SA_ASSERT_OK(Insert(9, Value(), Value(), Value()));
  EXPECT_EQ(CountRows("t").value(), 1);
}

TEST_P(DbTest, TransactionGuardRollsBackUnlessCommitted) {
  {
    Transaction tx(*session_);
    SA_ASSERT_OK(tx.Begin());
    SA_ASSERT_OK(Insert(1, Value(), Value(), Value()));
  }
  EXPECT_EQ(CountRows("t").value(), 0);
  {
    Transaction tx(*session_);
    SA_ASSERT_OK(tx.Begin());
    SA_ASSERT_OK(Insert(2, Value(), Value(), Value()));
    SA_ASSERT_OK(tx.Commit());
  }
  EXPECT_EQ(CountRows("t").value(), 1);
}

TEST_P(DbTest, UncommittedWritesAreInvisibleToOtherSessions) {
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(Insert(1, Value(), Value(), Value()));
  EXPECT_EQ(CountRows("t").value(), 0);
  SA_ASSERT_OK(session_->Commit());
  EXPECT_EQ(CountRows("t").value(), 1);
}

TEST_P(DbTest, FailedStatementAbortsTheTransactionOnBothDatabases) {
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(Insert(1, Value(), Value(), Value()));
  EXPECT_EQ(Insert(1, Value(), Value(), Value()).code(), StatusCode::kConflict);
  // A caller that ignores the failure cannot carry on or commit half a transaction.
  EXPECT_EQ(Insert(2, Value(), Value(), Value()).code(), StatusCode::kFailedPrecondition);
  Status commit = session_->Commit();
  EXPECT_EQ(commit.code(), StatusCode::kFailedPrecondition) << commit.ToString();
  EXPECT_EQ(CountRows("t").value(), 0);
  // The session is usable again.
  SA_EXPECT_OK(Insert(3, Value(), Value(), Value()));
  EXPECT_EQ(CountRows("t").value(), 1);
}

TEST_P(DbTest, TransactionMisuseIsFailedPrecondition) {
  EXPECT_EQ(session_->Commit().code(), StatusCode::kFailedPrecondition);
  SA_EXPECT_OK(session_->Rollback());  // nothing open: a no-op
  SA_ASSERT_OK(session_->Begin());
  EXPECT_EQ(session_->Begin().code(), StatusCode::kFailedPrecondition);
  SA_EXPECT_OK(session_->Rollback());
}

TEST_P(DbTest, DialectIsReported) {
  EXPECT_EQ(session_->dialect(), dialect());
  EXPECT_EQ(db_->dialect(), dialect());
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(DbTest);

}  // namespace
}  // namespace sa::adapter::store
