#include "adapter/store/store_test_util.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "adapter/store/migrations.h"

namespace sa::adapter::store::testing {
namespace {

// Owns the shared server; gtest calls TearDown after the last test.
class PgEnvironment : public ::testing::Environment {
 public:
  StatusOr<PgHarness*> Get() {
    if (!tried_) {
      tried_ = true;
      StatusOr<std::unique_ptr<PgHarness>> started = PgHarness::Start();
      if (started.ok()) {
        harness_ = std::move(started).value();
      } else {
        error_ = started.status();
      }
    }
    if (!harness_) return error_;
    return harness_.get();
  }
  void TearDown() override { harness_.reset(); }

 private:
  bool tried_ = false;
  std::unique_ptr<PgHarness> harness_;
  Status error_;
};

// Registered before main() runs (this file is compiled into the test binary).
PgEnvironment* const kPgEnvironment =
    static_cast<PgEnvironment*>(::testing::AddGlobalTestEnvironment(new PgEnvironment));

}  // namespace

StatusOr<PgHarness*> SharedPg() { return kPgEnvironment->Get(); }

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/sa-store-test-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void BackendTest::SetUp() {
  if (is_sqlite()) {
    temp_ = std::make_unique<TempDir>();
    ASSERT_FALSE(temp_->path().empty()) << "cannot create a temporary directory";
    sqlite_path_ = temp_->path() + "/store.db";
    SA_ASSERT_OK_AND_ASSIGN(db_, OpenSqlite(sqlite_path_));
  } else {
    SA_ASSERT_OK_AND_ASSIGN(PgHarness * pg, SharedPg());
    SA_ASSERT_OK_AND_ASSIGN(pg_conninfo_, pg->CreateSchema());
    SA_ASSERT_OK_AND_ASSIGN(db_, OpenPostgres(pg_conninfo_));
  }
}

void PostgresTest::SetUp() {
  SA_ASSERT_OK_AND_ASSIGN(PgHarness * pg, SharedPg());
  SA_ASSERT_OK_AND_ASSIGN(conninfo_, pg->CreateSchema());
  SA_ASSERT_OK_AND_ASSIGN(db_, OpenPostgres(conninfo_));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> setup, db_->Connect());
  for (const std::string& sql : sql_) SA_ASSERT_OK(setup->Exec(sql));
}

void BackendTest::TearDown() {
  db_.reset();
  temp_.reset();
}

StatusOr<std::unique_ptr<Database>> BackendTest::Reopen(const SqliteOptions& sqlite,
                                                        const PostgresOptions& pg) {
  if (is_sqlite()) return OpenSqlite(sqlite_path_, sqlite);
  return OpenPostgres(pg_conninfo_, pg);
}

StatusOr<int64_t> BackendTest::CountRows(const std::string& table) {
  SA_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Reopen());
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> session, db->Connect());
  SA_ASSIGN_OR_RETURN(std::vector<Row> rows, session->Query("SELECT COUNT(*) FROM " + table));
  if (rows.size() != 1 || rows[0].size() != 1) return Status::Internal("COUNT(*) gave no row");
  return AsInt(rows[0][0]);
}

Status BackendTest::ExecOnce(const std::string& sql, const std::vector<Value>& params) {
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> session, db_->Connect());
  return session->Exec(sql, params).status();
}

std::string DialectParamName(const ::testing::TestParamInfo<Dialect>& info) {
  return DialectName(info.param);
}

void TableTest::SetUp() {
  BackendTest::SetUp();
  if (HasFatalFailure()) return;
  SA_ASSERT_OK_AND_ASSIGN(session_, db_->Connect());
  SA_ASSERT_OK(session_->Exec(ExpandDialect(
      "CREATE TABLE t (id {BIGINT} NOT NULL PRIMARY KEY, i {BIGINT}, s TEXT, b {BLOB}){STRICT}",
      dialect())));
}

void TableTest::TearDown() {
  session_.reset();
  BackendTest::TearDown();
}

}  // namespace sa::adapter::store::testing
