// A failure at any point of a transaction leaves nothing half-written: checked
// by injecting faults into a real SQLite file and a real PostgreSQL database.
#include "adapter/store/fault_db.h"

#include <gtest/gtest.h>

#include <string>

#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::BackendTest;

const Status kDiskFull = Status::Unavailable("disk I/O error: disk full");

class FaultDbTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    SA_ASSERT_OK(ExecOnce("CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, note TEXT)"));
    SA_ASSERT_OK(ExecOnce("CREATE TABLE audit (id BIGINT NOT NULL PRIMARY KEY)"));
    faulty_ = std::make_unique<FaultInjectingDatabase>(*db_);
  }
  void TearDown() override {
    faulty_.reset();
    BackendTest::TearDown();
  }

  // The shape of every store write: one transaction of five statements,
  // returning early on the first error.
  static Status WriteFive(Database& db) {
    SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> s, db.Connect());
    Transaction tx(*s);
    SA_RETURN_IF_ERROR(tx.Begin());
    for (int64_t id = 1; id <= 4; ++id) {
      SA_RETURN_IF_ERROR(
          s->Exec("INSERT INTO t (id, note) VALUES (?, ?)", {id, std::string("n")}).status());
    }
    SA_RETURN_IF_ERROR(s->Exec("INSERT INTO audit (id) VALUES (?)", {int64_t{1}}).status());
    return tx.Commit();
  }

  int64_t Rows(const std::string& table) {
    StatusOr<int64_t> n = CountRows(table);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  std::unique_ptr<FaultInjectingDatabase> faulty_;
};

TEST_P(FaultDbTest, ThirdOfFiveStatementsFailingLeavesNothing) {
  faulty_->FailNth(FaultOp::kStatement, 3, kDiskFull);
  Status s = WriteFive(*faulty_);
  EXPECT_EQ(s.code(), kDiskFull.code());
  EXPECT_EQ(s.message(), kDiskFull.message());
  EXPECT_EQ(faulty_->fired(), 1);
  EXPECT_EQ(faulty_->calls(FaultOp::kExec), 3);  // the 4th and 5th never ran
  EXPECT_EQ(Rows("t"), 0);
  EXPECT_EQ(Rows("audit"), 0);
}

TEST_P(FaultDbTest, FailingCommitLeavesNothing) {
  faulty_->FailNth(FaultOp::kCommit, 1, kDiskFull);
  Status s = WriteFive(*faulty_);
  EXPECT_EQ(s.ToString(), kDiskFull.ToString());
  EXPECT_EQ(faulty_->calls(FaultOp::kExec), 5);
  EXPECT_EQ(Rows("t"), 0);
  EXPECT_EQ(Rows("audit"), 0);
}

TEST_P(FaultDbTest, CommitWhoseReplyIsLostHasTakenEffect) {
  // The case idempotent writes exist for: the caller hears "failed", but it happened.
  faulty_->FailNth(FaultOp::kCommit, 1, Status::Unavailable("connection reset"),
                   FaultTiming::kAfter);
  EXPECT_EQ(WriteFive(*faulty_).code(), StatusCode::kUnavailable);
  EXPECT_EQ(Rows("t"), 4);
  EXPECT_EQ(Rows("audit"), 1);
}

TEST_P(FaultDbTest, StatementMatchingASubstringFailsEveryTime) {
  faulty_->FailMatching("INSERT INTO audit", kDiskFull);
  EXPECT_EQ(WriteFive(*faulty_).ToString(), kDiskFull.ToString());
  EXPECT_EQ(WriteFive(*faulty_).ToString(), kDiskFull.ToString());
  EXPECT_EQ(faulty_->fired(), 2);
  EXPECT_EQ(Rows("t"), 0);
  faulty_->Clear();
  SA_EXPECT_OK(WriteFive(*faulty_));
  EXPECT_EQ(Rows("t"), 4);
  EXPECT_EQ(Rows("audit"), 1);
}

TEST_P(FaultDbTest, IgnoredFailureStillAbortsTheTransaction) {
  faulty_->FailNth(FaultOp::kExec, 2, kDiskFull);
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, faulty_->Connect());
  SA_ASSERT_OK(s->Begin());
  SA_ASSERT_OK(s->Exec("INSERT INTO t (id) VALUES (1)"));
  EXPECT_EQ(s->Exec("INSERT INTO t (id) VALUES (2)").status().ToString(), kDiskFull.ToString());
  EXPECT_EQ(s->Exec("INSERT INTO t (id) VALUES (3)").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(s->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Rows("t"), 0);
}

TEST_P(FaultDbTest, StatementThatRanButReportedFailureIsRolledBackWithItsTransaction) {
  faulty_->FailNth(FaultOp::kExec, 5, kDiskFull, FaultTiming::kAfter);
  EXPECT_EQ(WriteFive(*faulty_).ToString(), kDiskFull.ToString());
  EXPECT_EQ(Rows("t"), 0);
  EXPECT_EQ(Rows("audit"), 0);
}

TEST_P(FaultDbTest, FailedConnectAndBeginAreReported) {
  faulty_->FailNth(FaultOp::kConnect, 1, Status::Unavailable("connection refused"));
  EXPECT_EQ(WriteFive(*faulty_).code(), StatusCode::kUnavailable);
  faulty_->FailNth(FaultOp::kBegin, 1, Status::Unavailable("database is locked"));
  EXPECT_EQ(WriteFive(*faulty_).ToString(), "unavailable: database is locked");
  EXPECT_EQ(Rows("t"), 0);
  SA_EXPECT_OK(WriteFive(*faulty_));  // faults fire once
  EXPECT_EQ(Rows("t"), 4);
}

TEST_P(FaultDbTest, QueriesCountAsStatements) {
  faulty_->FailNth(FaultOp::kStatement, 2, kDiskFull);
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, faulty_->Connect());
  SA_EXPECT_OK(s->Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(s->Query("SELECT COUNT(*) FROM t").status().ToString(), kDiskFull.ToString());
  SA_EXPECT_OK(s->Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(faulty_->calls(FaultOp::kQuery), 3);
  EXPECT_EQ(faulty_->calls(FaultOp::kStatement), 3);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(FaultDbTest);

}  // namespace
}  // namespace sa::adapter::store
