// The connection pool on its own (fake connections), then on both real
// databases: reuse, a transaction left open is rolled back before reuse, and
// broken or dead connections are never handed out again.
#include "adapter/store/session_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::BackendTest;

// What the fake connections did, shared with the test.
struct Counters {
  std::atomic<int> opened{0}, closed{0}, rolled_back{0};
};

class FakeSession final : public PoolableSession {
 public:
  FakeSession(Counters* counters, int id) : counters_(counters), id_(id) { ++counters_->opened; }
  ~FakeSession() override { ++counters_->closed; }
  Status Begin() override {
    in_tx_ = true;
    return Status::Ok();
  }
  Status Commit() override {
    in_tx_ = false;
    return Status::Ok();
  }
  Status Rollback() override {
    if (in_tx_) ++counters_->rolled_back;
    in_tx_ = false;
    return Status::Ok();
  }
  StatusOr<int64_t> Exec(std::string_view, const std::vector<Value>&) override { return id_; }
  StatusOr<std::vector<Row>> Query(std::string_view, const std::vector<Value>&) override {
    return std::vector<Row>{};
  }
  Dialect dialect() const override { return Dialect::kSqlite; }
  bool ResetForReuse() override {
    if (in_tx_) (void)Rollback();
    return !broken;
  }
  bool LooksAlive() override { return alive; }

  bool broken = false;
  bool alive = true;

 private:
  Counters* counters_;
  int id_;
  bool in_tx_ = false;
};

class SessionPoolTest : public ::testing::Test {
 protected:
  SessionPool::Opener Opener() {
    return [this]() -> StatusOr<std::unique_ptr<PoolableSession>> {
      auto s = std::make_unique<FakeSession>(&counters_, ++next_id_);
      last_ = s.get();
      return std::unique_ptr<PoolableSession>(std::move(s));
    };
  }
  // The id of the connection behind `session`.
  static int64_t Id(DbSession& session) { return session.Exec("x", {}).value(); }

  Counters counters_;
  std::atomic<int> next_id_{0};
  FakeSession* last_ = nullptr;
};

TEST_F(SessionPoolTest, ReturnedConnectionIsHandedOutAgain) {
  SessionPool pool(Opener(), 2);
  int64_t first = Id(*pool.Acquire().value());
  EXPECT_EQ(pool.idle(), 1);
  int64_t second = Id(*pool.Acquire().value());
  EXPECT_EQ(first, second);
  EXPECT_EQ(counters_.opened, 1);
}

TEST_F(SessionPoolTest, OpenTransactionIsRolledBackBeforeReuse) {
  SessionPool pool(Opener(), 2);
  {
    auto s = pool.Acquire().value();
    ASSERT_TRUE(s->Begin().ok());
  }
  EXPECT_EQ(counters_.rolled_back, 1);
  EXPECT_EQ(pool.idle(), 1);
}

TEST_F(SessionPoolTest, BrokenConnectionIsClosedNotPooled) {
  SessionPool pool(Opener(), 2);
  {
    auto s = pool.Acquire().value();
    last_->broken = true;
  }
  EXPECT_EQ(pool.idle(), 0);
  EXPECT_EQ(counters_.closed, 1);
}

TEST_F(SessionPoolTest, IdleConnectionThatDiedIsSkipped) {
  SessionPool pool(Opener(), 2);
  int64_t dead_id = 0;
  {
    auto s = pool.Acquire().value();
    dead_id = Id(*s);
    last_->alive = false;  // e.g. the server closed it while it waited
  }
  EXPECT_EQ(pool.idle(), 1);
  auto s = pool.Acquire().value();
  EXPECT_NE(Id(*s), dead_id);
  EXPECT_EQ(counters_.closed, 1);
}

TEST_F(SessionPoolTest, KeepsAtMostMaxIdle) {
  SessionPool pool(Opener(), 2);
  {
    std::vector<std::unique_ptr<DbSession>> out;
    for (int i = 0; i < 5; ++i) out.push_back(pool.Acquire().value());
    EXPECT_EQ(counters_.opened, 5);  // the pool bounds what it keeps, not what is used
  }
  EXPECT_EQ(pool.idle(), 2);
  EXPECT_EQ(counters_.closed, 3);
}

TEST_F(SessionPoolTest, ZeroMaxIdleOpensEveryTime) {
  SessionPool pool(Opener(), 0);
  (void)pool.Acquire().value();
  (void)pool.Acquire().value();
  EXPECT_EQ(counters_.opened, 2);
  EXPECT_EQ(counters_.closed, 2);
}

TEST_F(SessionPoolTest, FailedOpenIsReported) {
  SessionPool pool(
      []() -> StatusOr<std::unique_ptr<PoolableSession>> {
        return Status::Unavailable("no server");
      },
      2);
  EXPECT_EQ(pool.Acquire().status().code(), StatusCode::kUnavailable);
}

TEST_F(SessionPoolTest, SessionOutlivingThePoolClosesItsConnection) {
  std::unique_ptr<DbSession> kept;
  {
    SessionPool pool(Opener(), 2);
    kept = pool.Acquire().value();
    (void)pool.Acquire().value();  // pooled, closed with the pool
  }
  EXPECT_EQ(counters_.closed, 1);
  kept.reset();
  EXPECT_EQ(counters_.closed, 2);
}

TEST_F(SessionPoolTest, ManyThreadsShareThePool) {
  SessionPool pool(Opener(), 4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto s = pool.Acquire();
        ASSERT_TRUE(s.ok());
        ASSERT_TRUE((*s)->Begin().ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(pool.idle(), 4);
  EXPECT_EQ(counters_.opened - counters_.closed, pool.idle());
}

// ---- on the real databases -----------------------------------------------

class PooledDbTest : public BackendTest {};

TEST_P(PooledDbTest, ConnectReusesTheConnection) {
  {
    SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
    SA_ASSERT_OK(s->Exec("CREATE TEMP TABLE marker (x BIGINT)"));  // lives with the connection
  }
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> again, db_->Connect());
  SA_EXPECT_OK(again->Query("SELECT x FROM marker"));
}

TEST_P(PooledDbTest, TransactionLeftOpenIsRolledBackBeforeReuse) {
  SA_ASSERT_OK(ExecOnce("CREATE TABLE t (x BIGINT)"));
  {
    SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
    SA_ASSERT_OK(s->Begin());
    SA_ASSERT_OK(s->Exec("INSERT INTO t (x) VALUES (1)"));
  }  // neither committed nor rolled back
  EXPECT_EQ(CountRows("t").value(), 0);
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
  SA_EXPECT_OK(s->Begin());  // nothing left open on it
  SA_EXPECT_OK(s->Exec("INSERT INTO t (x) VALUES (2)"));
  SA_EXPECT_OK(s->Commit());
  EXPECT_EQ(CountRows("t").value(), 1);
}

TEST_P(PooledDbTest, CachedStatementSeesASchemaChange) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
  SA_ASSERT_OK(s->Exec("CREATE TABLE t (x BIGINT)"));
  SA_ASSERT_OK(s->Exec("INSERT INTO t (x) VALUES (?)", {int64_t{1}}));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> before, s->Query("SELECT * FROM t"));
  EXPECT_EQ(before[0].size(), 1u);
  SA_ASSERT_OK(s->Exec("ALTER TABLE t ADD COLUMN y TEXT"));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> after, s->Query("SELECT * FROM t"));
  EXPECT_EQ(after[0].size(), 2u);
}

TEST_P(PooledDbTest, SameStatementTakesValuesOfEveryKindInTurn) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
  SA_ASSERT_OK(s->Exec("CREATE TABLE t (id BIGINT, v TEXT)"));
  const char* kInsert = "INSERT INTO t (id, v) VALUES (?, ?)";
  SA_ASSERT_OK(s->Exec(kInsert, {int64_t{1}, std::string("a")}));
  SA_ASSERT_OK(s->Exec(kInsert, {int64_t{2}, Value()}));
  SA_ASSERT_OK(s->Exec(kInsert, {int64_t{3}, std::string("c")}));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows, s->Query("SELECT id, v FROM t ORDER BY id"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], Value(std::string("a")));
  EXPECT_TRUE(IsNull(rows[1][1]));
  EXPECT_EQ(rows[2][1], Value(std::string("c")));
}

TEST_P(PooledDbTest, PreparedStatementOutlivesARolledBackTransaction) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
  SA_ASSERT_OK(s->Exec("CREATE TABLE t (x BIGINT)"));
  const char* kInsert = "INSERT INTO t (x) VALUES (?)";
  SA_ASSERT_OK(s->Begin());
  SA_ASSERT_OK(s->Exec(kInsert, {int64_t{1}}));  // prepared inside the transaction
  SA_ASSERT_OK(s->Rollback());
  SA_EXPECT_OK(s->Exec(kInsert, {int64_t{2}}));  // the same statement, after it
  EXPECT_EQ(CountRows("t").value(), 1);
}

TEST_P(PooledDbTest, SchemaChangedByAnotherConnectionFailsAtMostOnceThenWorks) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> a, db_->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> b, db_->Connect());
  SA_ASSERT_OK(a->Exec("CREATE TABLE t (x BIGINT)"));
  SA_ASSERT_OK(a->Exec("INSERT INTO t (x) VALUES (1)"));
  SA_ASSERT_OK(a->Query("SELECT * FROM t"));
  SA_ASSERT_OK(b->Exec("ALTER TABLE t ADD COLUMN y TEXT"));
  StatusOr<std::vector<Row>> first = a->Query("SELECT * FROM t");
  if (!first.ok()) {
    // PostgreSQL: the prepared statement's result type changed under it.
    EXPECT_EQ(first.status().code(), StatusCode::kUnavailable) << first.status().ToString();
    first = a->Query("SELECT * FROM t");
  }
  SA_ASSERT_OK(first);
  EXPECT_EQ((*first)[0].size(), 2u);
}

TEST_P(PooledDbTest, MoreThanOneStatementInOneCallIsRefused) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
  Status both = s->Exec("CREATE TABLE a (x BIGINT); CREATE TABLE b (x BIGINT)").status();
  EXPECT_FALSE(both.ok());
}

TEST_P(PooledDbTest, IdleConnectionTheServerClosedIsNotHandedOut) {
  if (is_sqlite()) GTEST_SKIP() << "PostgreSQL only: a server can close a connection";
  int64_t pid = 0;
  {
    SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
    SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows,
                            s->Query("SELECT CAST(pg_backend_pid() AS BIGINT)"));
    pid = AsInt(rows[0][0]).value();
  }  // back in the pool
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> other, Reopen());
  {
    SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> killer, other->Connect());
    SA_ASSERT_OK(killer->Query("SELECT pg_terminate_backend(CAST(? AS INTEGER))", {pid}));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the FATAL arrives
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
  SA_EXPECT_OK(s->Query("SELECT 1"));
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(PooledDbTest);

}  // namespace
}  // namespace sa::adapter::store
