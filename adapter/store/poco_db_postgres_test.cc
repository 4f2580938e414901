// PostgreSQL-only behaviour: row leasing with SKIP LOCKED, lock timeouts,
// lost connections. Runs against the test binary's real server.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapter/store/poco_db.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::SharedPg;

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SA_ASSERT_OK_AND_ASSIGN(PgHarness * pg, SharedPg());
    SA_ASSERT_OK_AND_ASSIGN(conninfo_, pg->CreateSchema());
    SA_ASSERT_OK_AND_ASSIGN(db_, OpenPostgres(conninfo_, {.lock_timeout_ms = 200}));
    SA_ASSERT_OK_AND_ASSIGN(a_, db_->Connect());
    SA_ASSERT_OK_AND_ASSIGN(b_, db_->Connect());
    SA_ASSERT_OK(a_->Exec("CREATE TABLE jobs (id BIGINT PRIMARY KEY, owner TEXT)"));
    for (int64_t id = 1; id <= 10; ++id) {
      SA_ASSERT_OK(a_->Exec("INSERT INTO jobs (id) VALUES (?)", {id}));
    }
  }

  static std::vector<int64_t> Ids(const std::vector<Row>& rows) {
    std::vector<int64_t> ids;
    for (const Row& r : rows) ids.push_back(AsInt(r[0]).value());
    return ids;
  }

  std::string conninfo_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<DbSession> a_;
  std::unique_ptr<DbSession> b_;
};

TEST_F(PostgresTest, SkipLockedLeasesDisjointRowsToTwoSessions) {
  const char* kLease = "SELECT id FROM jobs ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
  SA_ASSERT_OK(a_->Begin());
  SA_ASSERT_OK(b_->Begin());
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> first, a_->Query(kLease, {int64_t{4}}));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> second, b_->Query(kLease, {int64_t{4}}));
  EXPECT_EQ(Ids(first), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(Ids(second), (std::vector<int64_t>{5, 6, 7, 8}));
  SA_ASSERT_OK(a_->Commit());
  SA_ASSERT_OK(b_->Commit());
  // Once released, the rows can be leased again.
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> again, b_->Query(kLease, {int64_t{2}}));
  EXPECT_EQ(Ids(again), (std::vector<int64_t>{1, 2}));
}

TEST_F(PostgresTest, RowLockWaitBeyondLockTimeoutIsUnavailable) {
  SA_ASSERT_OK(a_->Begin());
  SA_ASSERT_OK(a_->Query("SELECT id FROM jobs WHERE id = 1 FOR UPDATE"));
  SA_ASSERT_OK(b_->Begin());
  Status blocked = b_->Exec("UPDATE jobs SET owner = 'b' WHERE id = 1").status();
  EXPECT_EQ(blocked.code(), StatusCode::kUnavailable) << blocked.ToString();
  EXPECT_NE(blocked.message().find("55P03"), std::string::npos) << blocked.message();
  EXPECT_EQ(b_->Commit().code(), StatusCode::kFailedPrecondition);
  SA_ASSERT_OK(a_->Commit());
}

TEST_F(PostgresTest, LostConnectionIsUnavailable) {
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> pid,
                          b_->Query("SELECT CAST(pg_backend_pid() AS BIGINT)"));
  SA_ASSERT_OK(
      a_->Query("SELECT pg_terminate_backend(CAST(? AS INTEGER))", {AsInt(pid[0][0]).value()}));
  Status after = b_->Query("SELECT 1").status();
  EXPECT_EQ(after.code(), StatusCode::kUnavailable) << after.ToString();
  // A new connection works.
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> fresh, db_->Connect());
  SA_EXPECT_OK(fresh->Query("SELECT 1"));
}

TEST_F(PostgresTest, UnreadableColumnTypeIsInternalWithAHint) {
  Status s = a_->Query("SELECT CAST(1.5 AS DOUBLE PRECISION)").status();
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("CAST"), std::string::npos) << s.message();
}

TEST_F(PostgresTest, UnreachableServerIsUnavailableAndUnknownDatabaseIsFailedPrecondition) {
  SA_ASSERT_OK_AND_ASSIGN(PgHarness * pg, SharedPg());
  // The harness's port with a database that does not exist, then a closed port.
  StatusOr<std::unique_ptr<Database>> no_db = OpenPostgres(
      "host=127.0.0.1 port=" + std::to_string(pg->port()) + " dbname=nope user=postgres");
  ASSERT_FALSE(no_db.ok());
  // Configuration, not an outage: retrying will not help.
  EXPECT_EQ(no_db.status().code(), StatusCode::kFailedPrecondition) << no_db.status().ToString();
  StatusOr<std::unique_ptr<Database>> closed =
      OpenPostgres("host=127.0.0.1 port=1 dbname=postgres user=postgres connect_timeout=2");
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().code(), StatusCode::kUnavailable) << closed.status().ToString();
}

}  // namespace
}  // namespace sa::adapter::store
