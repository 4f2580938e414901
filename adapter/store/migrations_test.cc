#include "adapter/store/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "adapter/store/fault_db.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::BackendTest;

const std::vector<std::string> kV1Tables = {"register",
                                            "register_rejections",
                                            "session_people",
                                            "confidential_records",
                                            "outbox",
                                            "audit_log",
                                            "keyring",
                                            "task_status",
                                            "task_status_history",
                                            "sync_state",
                                            "agreements",
                                            "custody",
                                            "departures",
                                            "disclosures"};

TEST(ExpandDialectTest, ReplacesEachPlaceholderPerDialect) {
  const char* sql =
      "CREATE TABLE x (id {AUTOINC}, n {BIGINT}, b {BLOB}, j TEXT DEFAULT '{}'){STRICT}";
  EXPECT_EQ(ExpandDialect(sql, Dialect::kSqlite),
            "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER, b BLOB, "
            "j TEXT DEFAULT '{}') STRICT");
  EXPECT_EQ(ExpandDialect(sql, Dialect::kPostgres),
            "CREATE TABLE x (id BIGSERIAL PRIMARY KEY, n BIGINT, b BYTEA, j TEXT DEFAULT '{}')");
}

TEST(SchemaMigrationsTest, AreNumberedFromOne) {
  const std::vector<Migration>& all = SchemaMigrations();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].version, static_cast<int>(i) + 1);
}

class MigrateTest : public BackendTest {
 protected:
  int Version() {
    StatusOr<std::unique_ptr<DbSession>> s = db_->Connect();
    if (!s.ok()) return -1;
    StatusOr<int> v = SchemaVersion(**s);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : -1;
  }
  bool TableExists(const std::string& table) { return CountRows(table).ok(); }
};

// The newest schema this binary knows.
int Latest() { return SchemaMigrations().back().version; }

TEST_P(MigrateTest, EmptyDatabaseMigratesToTheLatestAndAgainIsANoop) {
  EXPECT_EQ(Version(), 0);
  SA_ASSERT_OK_AND_ASSIGN(int v, Migrate(*db_));
  EXPECT_EQ(v, Latest());
  EXPECT_EQ(Version(), Latest());
  for (const std::string& table : kV1Tables) {
    StatusOr<int64_t> rows = CountRows(table);
    ASSERT_TRUE(rows.ok()) << table << ": " << rows.status().ToString();
    EXPECT_EQ(*rows, 0) << table;
  }
  SA_ASSERT_OK_AND_ASSIGN(int again, Migrate(*db_));
  EXPECT_EQ(again, Latest());
  EXPECT_EQ(CountRows("schema_version").value(), Latest());
}

TEST_P(MigrateTest, SchemaV1TakesTheRowsTheStoresWillWrite) {
  SA_ASSERT_OK(Migrate(*db_));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db_->Connect());
  SA_ASSERT_OK_AND_ASSIGN(
      std::vector<Row> ids,
      s->Query("INSERT INTO outbox (plan_key, seq, payload, state, next_attempt_at, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?) RETURNING id, attempts",
               {std::string("plan-1"), int64_t{0}, std::string("{}"), std::string("pending"),
                int64_t{1'700'000'000'000}, int64_t{1'700'000'000'000}}));
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(AsInt(ids[0][0]).value(), 1);
  EXPECT_EQ(AsInt(ids[0][1]).value(), 0);  // DEFAULT 0
  EXPECT_EQ(s->Exec("INSERT INTO outbox (plan_key, seq, payload, state, next_attempt_at, "
                    "created_at) VALUES ('plan-1', 0, '{}', 'pending', 1, 1)")
                .status()
                .code(),
            StatusCode::kConflict);  // UNIQUE (plan_key, seq)
  std::string sealed(256, '\0');
  for (int i = 0; i < 256; ++i) sealed[i] = static_cast<char>(i);
  SA_ASSERT_OK(s->Exec(
      "INSERT INTO confidential_records (record_id, kind, kek_id, sealed) VALUES (?, ?, ?, ?)",
      {std::string("r1"), std::string("discussion"), std::string("kek-1"), Blob{sealed}}));
  SA_ASSERT_OK_AND_ASSIGN(
      std::vector<Row> back,
      s->Query("SELECT sealed FROM confidential_records WHERE record_id = ?", {std::string("r1")}));
  EXPECT_EQ(AsBlob(back[0][0]).value(), sealed);
  EXPECT_EQ(s->Exec("INSERT INTO register (org, session_id, version, received_at) "
                    "VALUES ('EPUT', 's1', 1, 'now')")
                .status()
                .code(),
            StatusCode::kConflict);  // entry_json NOT NULL
}

TEST_P(MigrateTest, NewerDatabaseIsRefusedAndLeftUntouched) {
  SA_ASSERT_OK(
      ExecOnce("CREATE TABLE schema_version (version BIGINT NOT NULL, applied_at TEXT NOT NULL)"));
  SA_ASSERT_OK(ExecOnce("INSERT INTO schema_version VALUES (" + std::to_string(Latest() + 1) +
                        ", 'later')"));
  StatusOr<int> v = Migrate(*db_);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(v.status().message(),
            "database schema version " + std::to_string(Latest() + 1) +
                " is newer than this binary supports (" + std::to_string(Latest()) +
                "); upgrade the adapter");
  EXPECT_EQ(CountRows("schema_version").value(), 1);
  for (const std::string& table : kV1Tables) EXPECT_FALSE(TableExists(table)) << table;
}

TEST_P(MigrateTest, FailingMigrationLeavesNoTrace) {
  std::vector<Migration> list = {
      {1,
       "good then bad",
       {"CREATE TABLE a (x {BIGINT})", "CREATE TABLE b (", "CREATE TABLE c (x TEXT)"}}};
  StatusOr<int> v = Migrate(*db_, list);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInternal);
  EXPECT_NE(v.status().message().find("migration 1 (good then bad) statement 2"), std::string::npos)
      << v.status().message();
  EXPECT_EQ(Version(), 0);
  EXPECT_FALSE(TableExists("a"));
  EXPECT_FALSE(TableExists("schema_version"));
}

TEST_P(MigrateTest, FaultMidMigrationLeavesNoTraceAndARetrySucceeds) {
  FaultInjectingDatabase faulty(*db_);
  faulty.FailNth(FaultOp::kExec, 4, Status::Unavailable("disk I/O error: disk full"));
  StatusOr<int> v = Migrate(faulty);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Version(), 0);
  EXPECT_FALSE(TableExists("register"));
  SA_ASSERT_OK_AND_ASSIGN(int retried, Migrate(faulty));
  EXPECT_EQ(retried, Latest());
}

TEST_P(MigrateTest, LaterMigrationsApplyOnlyWhatIsNew) {
  std::vector<Migration> list = {{1, "one", {"CREATE TABLE a (x {BIGINT})"}}};
  SA_ASSERT_OK(Migrate(*db_, list));
  SA_ASSERT_OK(ExecOnce("INSERT INTO a VALUES (7)"));
  list.push_back({2, "two", {"CREATE TABLE b (y TEXT)", "INSERT INTO a VALUES (8)"}});
  SA_ASSERT_OK_AND_ASSIGN(int v, Migrate(*db_, list));
  EXPECT_EQ(v, 2);
  EXPECT_EQ(CountRows("a").value(), 2);  // v1 not re-run (it would fail: a exists)
  SA_ASSERT_OK_AND_ASSIGN(int again, Migrate(*db_, list));
  EXPECT_EQ(again, 2);
  EXPECT_EQ(CountRows("a").value(), 2);
  EXPECT_EQ(CountRows("schema_version").value(), 2);
}

TEST_P(MigrateTest, ConcurrentAdaptersApplyEachMigrationOnce) {
  // Not idempotent on purpose: a second application would fail on CREATE TABLE.
  std::vector<Migration> list = {
      {1, "one", {"CREATE TABLE a (x {BIGINT})", "INSERT INTO a VALUES (1)"}},
      {2, "two", {"CREATE TABLE b (y {BIGINT})", "INSERT INTO a VALUES (2)"}}};
  constexpr int kAdapters = 4;
  std::vector<StatusOr<int>> results(kAdapters, Status::Internal("not run"));
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kAdapters; ++i) {
    SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> d, Reopen());
    dbs.push_back(std::move(d));
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kAdapters; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*dbs[i], list); });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kAdapters; ++i) {
    ASSERT_TRUE(results[i].ok()) << "adapter " << i << ": " << results[i].status().ToString();
    EXPECT_EQ(*results[i], 2);
  }
  EXPECT_EQ(CountRows("a").value(), 2);
  EXPECT_EQ(CountRows("schema_version").value(), 2);
}

TEST_P(MigrateTest, BadlyNumberedListIsInternal) {
  std::vector<Migration> list = {{2, "two", {"CREATE TABLE a (x TEXT)"}}};
  EXPECT_EQ(Migrate(*db_, list).status().code(), StatusCode::kInternal);
  EXPECT_EQ(Version(), 0);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(MigrateTest);

}  // namespace
}  // namespace sa::adapter::store
