// DbSession::ExecAll on both databases (one round trip on PostgreSQL through
// pipeline mode, Exec per statement on SQLite): order, failures, aborted
// transactions, and what stays of a failed list outside a transaction, which
// differs by design (db.h): all or nothing on PostgreSQL, the statements
// before the failure on SQLite.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "adapter/store/db.h"
#include "adapter/store/migrations.h"
#include "adapter/store/poco_db.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::BackendTest;
using testing::TableTest;

constexpr char kInsert[] = "INSERT INTO t (id, i, s, b) VALUES (?, ?, ?, ?)";

// An insert of row `id` with only `i` set.
Statement InsertRow(int64_t id, Value i = Value()) { return {kInsert, {id, i, Value(), Value()}}; }

class ExecAllTest : public TableTest {
 protected:
  // The ids in t, in order.
  std::vector<int64_t> Ids() {
    std::vector<int64_t> ids;
    auto rows = session_->Query("SELECT id FROM t ORDER BY id");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (const Row& r : *rows) ids.push_back(AsInt(r[0]).value());
    }
    return ids;
  }

};

TEST_P(ExecAllTest, RunsEveryStatementInOrder) {
  // Each update depends on the one before: only this order gives 123.
  const std::vector<Statement> list = {
      InsertRow(1, int64_t{1}),
      {"UPDATE t SET i = i * 10 + ? WHERE id = ?", {int64_t{2}, int64_t{1}}},
      {"UPDATE t SET i = i * 10 + ? WHERE id = ?", {int64_t{3}, int64_t{1}}},
      InsertRow(2),
  };
  SA_ASSERT_OK(session_->ExecAll(list));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows, session_->Query("SELECT i FROM t WHERE id = 1"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(AsInt(rows[0][0]).value(), 123);
  EXPECT_EQ(Ids(), (std::vector<int64_t>{1, 2}));
}

TEST_P(ExecAllTest, EmptyListIsANoOp) {
  SA_ASSERT_OK(session_->ExecAll({}));
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->ExecAll({}));
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{1}, Value(), Value(), Value()}));
  SA_ASSERT_OK(session_->Commit());
  EXPECT_EQ(Ids(), (std::vector<int64_t>{1}));
}

TEST_P(ExecAllTest, DuplicateKeyMidListIsConflictAndAbortsTheTransaction) {
  SA_ASSERT_OK(session_->Begin());
  Status failed = session_->ExecAll({InsertRow(1), InsertRow(2), InsertRow(1), InsertRow(3)});
  EXPECT_EQ(failed.code(), StatusCode::kConflict) << failed.ToString();
  EXPECT_EQ(session_->Exec(kInsert, {int64_t{9}, Value(), Value(), Value()}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(session_->ExecAll({InsertRow(9)}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(session_->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Ids(), std::vector<int64_t>{});
  // The session works again afterwards, the same statements included.
  SA_ASSERT_OK(session_->ExecAll({InsertRow(1), InsertRow(2)}));
  EXPECT_EQ(Ids(), (std::vector<int64_t>{1, 2}));
}

TEST_P(ExecAllTest, FailureOutsideATransactionKeepsNothingOnPostgresTheStatementsBeforeOnSqlite) {
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{5}, Value(), Value(), Value()}));
  Status failed = session_->ExecAll({InsertRow(1), InsertRow(5), InsertRow(2)});
  EXPECT_EQ(failed.code(), StatusCode::kConflict) << failed.ToString();
  if (is_sqlite()) {
    EXPECT_EQ(Ids(), (std::vector<int64_t>{1, 5}));  // autocommit per statement
  } else {
    EXPECT_EQ(Ids(), (std::vector<int64_t>{5}));  // one implicit transaction
  }
}

TEST_P(ExecAllTest, WrongNumberOfValuesIsInvalidArgument) {
  const std::vector<Statement> list = {
      InsertRow(1), {kInsert, {int64_t{2}, Value()}}, InsertRow(3)};
  Status failed = session_->ExecAll(list);
  EXPECT_EQ(failed.code(), StatusCode::kInvalidArgument) << failed.ToString();
  if (is_sqlite()) {
    EXPECT_EQ(Ids(), (std::vector<int64_t>{1}));
  } else {
    EXPECT_EQ(Ids(), std::vector<int64_t>{});  // refused before anything was sent
  }
  // Inside a transaction it aborts the transaction, like any failure.
  SA_ASSERT_OK(session_->Begin());
  EXPECT_EQ(session_->ExecAll({InsertRow(7), {kInsert, {}}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(session_->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Ids(), (is_sqlite() ? std::vector<int64_t>{1} : std::vector<int64_t>{}));
}

TEST_P(ExecAllTest, SameStatementsWorkAgain) {
  for (int64_t round = 0; round < 3; ++round) {
    SA_ASSERT_OK(session_->Begin());
    SA_ASSERT_OK(session_->ExecAll({InsertRow(10 * round + 1),
                                    InsertRow(10 * round + 2),
                                    {"UPDATE t SET i = ? WHERE id = ?", {round, 10 * round + 1}}}));
    SA_ASSERT_OK(session_->Commit());
  }
  EXPECT_EQ(Ids(), (std::vector<int64_t>{1, 2, 11, 12, 21, 22}));
}

TEST_P(ExecAllTest, EveryValueKindRoundTrips) {
  const std::string bytes("\0\x01\xff' ?", 6);
  const std::vector<Row> rows = {
      {int64_t{1}, Value(), std::string("h\xc3\xa9llo ?"), Blob{bytes}},
      {int64_t{2}, int64_t{-7}, Value(), Blob{""}},
      {int64_t{3}, int64_t{1} << 62, std::string(""), Value()},
  };
  std::vector<Statement> list;
  for (const Row& r : rows) list.push_back({kInsert, r});
  SA_ASSERT_OK(session_->ExecAll(list));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> got,
                          session_->Query("SELECT id, i, s, b FROM t ORDER BY id"));
  EXPECT_EQ(got, rows);
}

// PostgreSQL sends BEGIN with the transaction's first statement (in the
// same pipeline for ExecAll): the list must still run inside the transaction,
// unseen by others until the commit and gone after a rollback.
TEST_P(ExecAllTest, AListFirstInATransactionRunsInsideIt) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> other, db_->Connect());
  const auto others_count = [&] {
    auto rows = other->Query("SELECT COUNT(*) FROM t");
    return rows.ok() ? AsInt((*rows)[0][0]).value() : -1;
  };
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->ExecAll({InsertRow(1), InsertRow(2)}));
  EXPECT_EQ(others_count(), 0);
  SA_ASSERT_OK(session_->Rollback());
  EXPECT_EQ(others_count(), 0);
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->ExecAll({InsertRow(3)}));
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{4}, Value(), Value(), Value()}));
  EXPECT_EQ(others_count(), 0);
  SA_ASSERT_OK(session_->Commit());
  EXPECT_EQ(others_count(), 2);
  // A single statement first (not pipelined) is inside the transaction too,
  // and a transaction that ran nothing commits as a no-op.
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{5}, Value(), Value(), Value()}));
  EXPECT_EQ(others_count(), 2);
  SA_ASSERT_OK(session_->Rollback());
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->Commit());
  EXPECT_EQ(Ids(), (std::vector<int64_t>{3, 4}));
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(ExecAllTest);

// PostgreSQL only: a connection lost before the list is sent, and sessions
// that do not prepare statements.
class ExecAllPostgresTest : public testing::PostgresTest {
 protected:
  ExecAllPostgresTest() : PostgresTest({"CREATE TABLE jobs (id BIGINT PRIMARY KEY)"}) {}
  static std::vector<Statement> Inserts(int64_t from, int64_t to) {
    std::vector<Statement> list;
    for (int64_t id = from; id <= to; ++id)
      list.push_back({"INSERT INTO jobs (id) VALUES (?)", {id}});
    return list;
  }
};

TEST_F(ExecAllPostgresTest, LostConnectionIsUnavailableAndTheConnectionIsNotReused) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> a, db_->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> b, db_->Connect());
  SA_ASSERT_OK(b->ExecAll(Inserts(1, 2)));  // prepared now: the next list only pipelines
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> pid,
                          b->Query("SELECT CAST(pg_backend_pid() AS BIGINT)"));
  SA_ASSERT_OK(
      a->Query("SELECT pg_terminate_backend(CAST(? AS INTEGER))", {AsInt(pid[0][0]).value()}));
  Status lost = b->ExecAll(Inserts(3, 5));
  EXPECT_EQ(lost.code(), StatusCode::kUnavailable) << lost.ToString();
  b.reset();  // back to the pool, which must drop it
  a.reset();
  for (int i = 0; i < 2; ++i) {  // whatever the pool hands out works
    SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> next, db_->Connect());
    SA_EXPECT_OK(next->ExecAll(Inserts(10 * (i + 1), 10 * (i + 1) + 1)));
  }
}

TEST_F(ExecAllPostgresTest, WithoutPreparedStatementsRunsOneAtATime) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> unprepared,
                          OpenPostgres(conninfo_, {.prepare_statements = false}));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, unprepared->Connect());
  SA_ASSERT_OK(s->ExecAll(Inserts(1, 3)));
  // One statement at a time in autocommit: those before the failure stay.
  EXPECT_EQ(s->ExecAll({Inserts(4, 4)[0], Inserts(1, 1)[0]}).code(), StatusCode::kConflict);
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> n,
                          s->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM jobs"));
  EXPECT_EQ(AsInt(n[0][0]).value(), 4);
}

}  // namespace
}  // namespace sa::adapter::store
