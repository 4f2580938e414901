// SQLite-only behaviour: pragmas, the busy timeout, opening.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "adapter/store/poco_db.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::TempDir;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.path() + "/store.db";
  }
  TempDir dir_;
  std::string path_;
};

std::string PragmaText(DbSession& s, const std::string& pragma) {
  StatusOr<std::vector<Row>> rows = s.Query("PRAGMA " + pragma);
  if (!rows.ok() || rows->size() != 1) return "<error>";
  const Value& v = (*rows)[0][0];
  if (auto t = AsText(v); t.ok()) return *t;
  if (auto i = AsInt(v); i.ok()) return std::to_string(*i);
  return "<" + DescribeValue(v) + ">";
}

TEST_F(SqliteTest, EveryConnectionHasTheDurabilityPragmas) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenSqlite(path_));
  for (int i = 0; i < 2; ++i) {  // each new connection, not just the first
    SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db->Connect());
    EXPECT_EQ(PragmaText(*s, "journal_mode"), "wal");
    EXPECT_EQ(PragmaText(*s, "synchronous"), "2");  // FULL
    EXPECT_EQ(PragmaText(*s, "foreign_keys"), "1");
    EXPECT_EQ(PragmaText(*s, "busy_timeout"), "5000");
  }
}

TEST_F(SqliteTest, BusyTimeoutOptionIsApplied) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db,
                          OpenSqlite(path_, {.busy_timeout_ms = 250}));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db->Connect());
  EXPECT_EQ(PragmaText(*s, "busy_timeout"), "250");
}

TEST_F(SqliteTest, LockedDatabaseIsUnavailableAfterTheBusyTimeout) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db,
                          OpenSqlite(path_, {.busy_timeout_ms = 100}));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> holder, db->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> waiter, db->Connect());
  SA_ASSERT_OK(holder->Exec("CREATE TABLE t (x INTEGER)"));
  SA_ASSERT_OK(holder->Begin());
  SA_ASSERT_OK(holder->Exec("INSERT INTO t VALUES (1)"));

  auto start = std::chrono::steady_clock::now();
  Status begin = waiter->Begin();
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(begin.code(), StatusCode::kUnavailable) << begin.ToString();
  EXPECT_NE(begin.message().find("locked"), std::string::npos) << begin.message();
  EXPECT_GE(waited, std::chrono::milliseconds(90));  // it did wait for the timeout

  Status insert = waiter->Exec("INSERT INTO t VALUES (2)").status();
  EXPECT_EQ(insert.code(), StatusCode::kUnavailable) << insert.ToString();

  // Readers are not blocked by the writer (WAL), and see only committed data.
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows, waiter->Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(AsInt(rows[0][0]).value(), 0);

  SA_ASSERT_OK(holder->Commit());
  SA_EXPECT_OK(waiter->Begin());  // the lock is free again
  SA_EXPECT_OK(waiter->Rollback());
}

TEST_F(SqliteTest, CreatesMissingParentDirectories) {
  std::string nested = dir_.path() + "/a/b/store.db";
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenSqlite(nested));
  EXPECT_TRUE(std::filesystem::exists(nested));
}

TEST_F(SqliteTest, UnusablePathIsAnErrorNotACrash) {
  // A directory where the file should be.
  std::filesystem::create_directories(path_);
  StatusOr<std::unique_ptr<Database>> db = OpenSqlite(path_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable) << db.status().ToString();
  EXPECT_EQ(OpenSqlite("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteTest, ForeignKeysAreEnforced) {
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenSqlite(path_));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db->Connect());
  SA_ASSERT_OK(s->Exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)"));
  SA_ASSERT_OK(s->Exec("CREATE TABLE child (p INTEGER REFERENCES parent (id))"));
  EXPECT_EQ(s->Exec("INSERT INTO child VALUES (7)").status().code(), StatusCode::kConflict);
}

}  // namespace
}  // namespace sa::adapter::store
