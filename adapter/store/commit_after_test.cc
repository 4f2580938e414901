// DbSession::QueryAll and DbSession::CommitAfter on both databases (one round
// trip each on PostgreSQL, through pipeline mode; one statement at a time on
// SQLite): what each returns and stores, and that a failure anywhere in the
// list leaves nothing of the transaction behind.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapter/store/db.h"
#include "adapter/store/poco_db.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::TableTest;

constexpr char kInsert[] = "INSERT INTO t (id, i, s, b) VALUES (?, ?, ?, ?)";

Statement InsertRow(int64_t id, Value i = Value()) { return {kInsert, {id, i, Value(), Value()}}; }

class CommitAfterTest : public TableTest {
 protected:
  // The ids in t, read on a session of its own (what is committed).
  std::vector<int64_t> CommittedIds() {
    std::vector<int64_t> ids;
    auto other = db_->Connect();
    EXPECT_TRUE(other.ok()) << other.status().ToString();
    if (!other.ok()) return ids;
    auto rows = (*other)->Query("SELECT id FROM t ORDER BY id");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (const Row& r : *rows) ids.push_back(AsInt(r[0]).value());
    }
    return ids;
  }
};

TEST_P(CommitAfterTest, QueryAllReturnsTheLastStatementsRowsAfterTheOthersRan) {
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK_AND_ASSIGN(
      std::vector<Row> rows,
      session_->QueryAll({InsertRow(1, int64_t{5}),
                          {"UPDATE t SET i = i * 10 WHERE id = ?", {int64_t{1}}},
                          {"SELECT id, i FROM t ORDER BY id", {}}}));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Row{int64_t{1}, int64_t{50}}));  // the update ran before the read
  SA_ASSERT_OK(session_->Commit());
  // A single statement is a plain query.
  SA_ASSERT_OK_AND_ASSIGN(rows, session_->QueryAll({{"SELECT i FROM t WHERE id = ?", {int64_t{1}}}}));
  EXPECT_EQ(rows, (std::vector<Row>{{int64_t{50}}}));
}

TEST_P(CommitAfterTest, QueryAllFailureAbortsTheTransactionAndAnEmptyListIsRefused) {
  EXPECT_EQ(session_->QueryAll({}).status().code(), StatusCode::kInvalidArgument);
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{1}, Value(), Value(), Value()}));
  SA_ASSERT_OK(session_->Begin());
  auto failed = session_->QueryAll({InsertRow(2), InsertRow(1), {"SELECT id FROM t", {}}});
  EXPECT_EQ(failed.status().code(), StatusCode::kConflict) << failed.status().ToString();
  EXPECT_EQ(session_->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CommittedIds(), (std::vector<int64_t>{1}));
}

TEST_P(CommitAfterTest, CommitAfterStoresTheTransactionAndItsLastStatements) {
  Transaction tx(*session_);
  SA_ASSERT_OK(tx.Begin());
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{1}, Value(), Value(), Value()}));
  SA_ASSERT_OK(tx.CommitAfter({InsertRow(2), {"UPDATE t SET i = ? WHERE id = ?", {int64_t{7}, int64_t{1}}}}));
  EXPECT_FALSE(tx.active());
  EXPECT_EQ(CommittedIds(), (std::vector<int64_t>{1, 2}));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows, session_->Query("SELECT i FROM t WHERE id = 1"));
  EXPECT_EQ(rows, (std::vector<Row>{{int64_t{7}}}));
  // The session is out of the transaction: a new one opens, and the same
  // statements (prepared on PostgreSQL by now) work again.
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->CommitAfter({InsertRow(3)}));
  EXPECT_EQ(CommittedIds(), (std::vector<int64_t>{1, 2, 3}));
  // An empty list is a plain commit.
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{4}, Value(), Value(), Value()}));
  SA_ASSERT_OK(session_->CommitAfter({}));
  EXPECT_EQ(CommittedIds(), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_P(CommitAfterTest, AFailingLastStatementRollsEverythingBack) {
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{1}, Value(), Value(), Value()}));
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{2}, Value(), Value(), Value()}));
  Status failed = session_->CommitAfter({InsertRow(3), InsertRow(1), InsertRow(4)});
  EXPECT_EQ(failed.code(), StatusCode::kConflict) << failed.ToString();
  EXPECT_EQ(CommittedIds(), (std::vector<int64_t>{1}));
  // Rolled back, not left open: the session commits the next transaction.
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->CommitAfter({InsertRow(5)}));
  EXPECT_EQ(CommittedIds(), (std::vector<int64_t>{1, 5}));
}

TEST_P(CommitAfterTest, WrongNumberOfValuesOrNoTransactionIsRefusedAndNothingStays) {
  SA_ASSERT_OK(session_->Begin());
  SA_ASSERT_OK(session_->Exec(kInsert, {int64_t{1}, Value(), Value(), Value()}));
  EXPECT_EQ(session_->CommitAfter({InsertRow(2), {kInsert, {int64_t{3}}}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CommittedIds(), std::vector<int64_t>{});
  EXPECT_EQ(session_->CommitAfter({InsertRow(2)}).code(), StatusCode::kFailedPrecondition);
  // An aborted transaction is rolled back, its last statements not run.
  SA_ASSERT_OK(session_->Begin());
  EXPECT_FALSE(session_->Exec(kInsert, {int64_t{1}}).ok());
  EXPECT_EQ(session_->CommitAfter({InsertRow(9)}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CommittedIds(), std::vector<int64_t>{});
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(CommitAfterTest);

// PostgreSQL only: the lock-then-read pattern QueryAll is for, and a
// connection lost under CommitAfter.
class CommitAfterPostgresTest : public testing::PostgresTest {
 protected:
  CommitAfterPostgresTest()
      : PostgresTest({"CREATE TABLE chain (seq BIGINT PRIMARY KEY)", "INSERT INTO chain (seq) VALUES (1)"}) {}
  // Takes the advisory lock and reads the head in one QueryAll.
  static StatusOr<int64_t> LockAndReadHead(DbSession& s) {
    SA_ASSIGN_OR_RETURN(std::vector<Row> rows,
                        s.QueryAll({{"SELECT 1 FROM pg_advisory_xact_lock(?)", {int64_t{4242}}},
                                    {"SELECT seq FROM chain ORDER BY seq DESC LIMIT 1", {}}}));
    return AsInt(rows.at(0).at(0));
  }
};

TEST_F(CommitAfterPostgresTest, AReadPipelinedAfterALockSeesWhatTheLockHolderCommitted) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> a, db_->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> b, db_->Connect());
  SA_ASSERT_OK(a->Begin());
  SA_ASSERT_OK_AND_ASSIGN(int64_t head_a, LockAndReadHead(*a));
  EXPECT_EQ(head_a, 1);
  StatusOr<int64_t> head_b = Status::Internal("not read");
  std::thread waiter([&] {
    if (Status begun = b->Begin(); !begun.ok()) {
      head_b = begun;
      return;
    }
    head_b = LockAndReadHead(*b);  // waits for a's lock
  });
  // b is waiting on the lock (its backend shows it), then a appends and commits.
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> watch, db_->Connect());
  for (int i = 0; i < 500; ++i) {
    SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> waiting,
                            watch->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM pg_locks"
                                         " WHERE locktype = 'advisory' AND NOT granted"));
    if (AsInt(waiting[0][0]).value() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  SA_ASSERT_OK(a->CommitAfter({{"INSERT INTO chain (seq) VALUES (?)", {head_a + 1}}}));
  waiter.join();
  SA_ASSERT_OK(head_b.status());
  EXPECT_EQ(*head_b, 2);  // the read's snapshot was taken after the lock was granted
  SA_ASSERT_OK(b->CommitAfter({{"INSERT INTO chain (seq) VALUES (?)", {*head_b + 1}}}));
}

TEST_F(CommitAfterPostgresTest, LostConnectionIsUnavailableWithTheOutcomeUnknownAndNotReused) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> a, db_->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> b, db_->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> pid, b->Query("SELECT CAST(pg_backend_pid() AS BIGINT)"));
  SA_ASSERT_OK(b->Begin());
  SA_ASSERT_OK(b->Exec("INSERT INTO chain (seq) VALUES (?)", {int64_t{2}}));
  SA_ASSERT_OK(a->Query("SELECT pg_terminate_backend(CAST(? AS INTEGER))", {AsInt(pid[0][0]).value()}));
  Status lost = b->CommitAfter({{"INSERT INTO chain (seq) VALUES (?)", {int64_t{3}}}});
  EXPECT_EQ(lost.code(), StatusCode::kUnavailable) << lost.ToString();
  b.reset();
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> n, a->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM chain"));
  EXPECT_EQ(AsInt(n[0][0]).value(), 1);  // the server never got to commit it
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> next, db_->Connect());
  SA_EXPECT_OK(next->Exec("INSERT INTO chain (seq) VALUES (?)", {int64_t{4}}));
}

}  // namespace
}  // namespace sa::adapter::store
