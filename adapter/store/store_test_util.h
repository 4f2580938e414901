// Test support shared by the store tests: one real PostgreSQL server per test
// binary (started on first use, stopped by a gtest Environment at exit) and a
// fixture that runs each test against a fresh SQLite file and a fresh
// PostgreSQL database.
#ifndef SA_ADAPTER_STORE_STORE_TEST_UTIL_H_
#define SA_ADAPTER_STORE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "adapter/store/db.h"
#include "adapter/store/pg_harness.h"
#include "adapter/store/poco_db.h"
#include "fhir/status.h"

namespace sa::adapter::store::testing {

inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
const Status& ToStatus(const StatusOr<T>& s) {
  return s.status();
}

}  // namespace sa::adapter::store::testing

#define SA_ASSERT_OK(expr)                                                     \
  do {                                                                         \
    const ::sa::Status sa_st_ = ::sa::adapter::store::testing::ToStatus(expr); \
    ASSERT_TRUE(sa_st_.ok()) << sa_st_.ToString();                             \
  } while (0)

#define SA_EXPECT_OK(expr)                                                     \
  do {                                                                         \
    const ::sa::Status sa_st_ = ::sa::adapter::store::testing::ToStatus(expr); \
    EXPECT_TRUE(sa_st_.ok()) << sa_st_.ToString();                             \
  } while (0)

#define SA_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  SA_ASSERT_OK_AND_ASSIGN_IMPL_(SA_CONCAT_(sa_test_so_, __LINE__), lhs, expr)
#define SA_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();   \
  lhs = std::move(tmp).value()

namespace sa::adapter::store::testing {

// The binary's PostgreSQL server, started on first call. An error (e.g. the
// binaries are missing) is returned on every call, so each PostgreSQL test
// fails with it.
StatusOr<PgHarness*> SharedPg();

// A temporary directory removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Parameterised over the two databases: db_ is a fresh, empty database.
class BackendTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Dialect dialect() const { return GetParam(); }
  bool is_sqlite() const { return GetParam() == Dialect::kSqlite; }
  // Another Database handle on the same database (SQLite: with `sqlite`).
  StatusOr<std::unique_ptr<Database>> Reopen(const SqliteOptions& sqlite = {},
                                             const PostgresOptions& pg = {});
  // Rows in `table`, read through a new connection to the real database.
  StatusOr<int64_t> CountRows(const std::string& table);
  // Runs `sql` on a new connection (setup steps).
  Status ExecOnce(const std::string& sql, const std::vector<Value>& params = {});

  std::unique_ptr<Database> db_;
  std::unique_ptr<TempDir> temp_;
  std::string sqlite_path_;  // SQLite only
  std::string pg_conninfo_;  // PostgreSQL only
};

// A BackendTest with one table, t (id BIGINT primary key, i BIGINT, s TEXT,
// b BLOB), and session_ open on the database: the store's statement tests.
class TableTest : public BackendTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<DbSession> session_;
};

// PostgreSQL only (connections lost on purpose, locks between sessions):
// db_ is a fresh schema on the shared server, at conninfo_, created by `sql`
// (the test's tables) when SetUp returns.
class PostgresTest : public ::testing::Test {
 protected:
  explicit PostgresTest(std::vector<std::string> sql) : sql_(std::move(sql)) {}
  void SetUp() override;

  std::string conninfo_;
  std::unique_ptr<Database> db_;

 private:
  std::vector<std::string> sql_;
};

// Names the instantiations ".../sqlite" and ".../postgres".
std::string DialectParamName(const ::testing::TestParamInfo<Dialect>& info);

}  // namespace sa::adapter::store::testing

namespace sa::adapter::store {
// gtest prints a test's parameter with this.
inline void PrintTo(Dialect dialect, std::ostream* os) { *os << DialectName(dialect); }
}  // namespace sa::adapter::store

#define SA_INSTANTIATE_FOR_BOTH_DATABASES(suite)                                        \
  INSTANTIATE_TEST_SUITE_P(Db, suite,                                                   \
                           ::testing::Values(::sa::adapter::store::Dialect::kSqlite,    \
                                             ::sa::adapter::store::Dialect::kPostgres), \
                           ::sa::adapter::store::testing::DialectParamName)

#endif  // SA_ADAPTER_STORE_STORE_TEST_UTIL_H_
