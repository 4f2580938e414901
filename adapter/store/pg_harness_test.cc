#include "adapter/store/pg_harness.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "adapter/store/poco_db.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::SharedPg;

TEST(PgHarnessTest, ServesOnLoopbackWithTheAdvertisedConninfo) {
  SA_ASSERT_OK_AND_ASSIGN(PgHarness * pg, SharedPg());
  EXPECT_EQ(pg->conninfo(),
            "host=127.0.0.1 port=" + std::to_string(pg->port()) + " dbname=postgres user=postgres");
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenPostgres(pg->conninfo()));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> s, db->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows,
                          s->Query("SELECT CAST(current_setting('server_version_num') AS BIGINT), "
                                   "current_setting('listen_addresses')"));
  EXPECT_GE(AsInt(rows[0][0]).value(), 100000);
  EXPECT_EQ(AsText(rows[0][1]).value(), "127.0.0.1");
}

TEST(PgHarnessTest, ServerRunsUnprivilegedEvenUnderRoot) {
  SA_ASSERT_OK_AND_ASSIGN(PgHarness * pg, SharedPg());
  struct stat st {};
  ASSERT_EQ(::stat((pg->dir() + "/data").c_str(), &st), 0);
  if (::geteuid() == 0) {
    const passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    EXPECT_EQ(st.st_uid, nobody->pw_uid);
  } else {
    EXPECT_EQ(st.st_uid, ::geteuid());
  }
}

TEST(PgHarnessTest, CreateDatabaseGivesIsolatedDatabases) {
  SA_ASSERT_OK_AND_ASSIGN(PgHarness * pg, SharedPg());
  SA_ASSERT_OK_AND_ASSIGN(std::string first, pg->CreateDatabase());
  SA_ASSERT_OK_AND_ASSIGN(std::string second, pg->CreateDatabase());
  EXPECT_NE(first, second);
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> a, OpenPostgres(first));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> b, OpenPostgres(second));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> sa, a->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> sb, b->Connect());
  SA_ASSERT_OK(sa->Exec("CREATE TABLE only_in_a (x BIGINT)"));
  EXPECT_EQ(sb->Query("SELECT * FROM only_in_a").status().code(), StatusCode::kInternal);
}

TEST(PgHarnessTest, CreateSchemaGivesIsolatedSchemas) {
  SA_ASSERT_OK_AND_ASSIGN(PgHarness * pg, SharedPg());
  SA_ASSERT_OK_AND_ASSIGN(std::string first, pg->CreateSchema());
  SA_ASSERT_OK_AND_ASSIGN(std::string second, pg->CreateSchema());
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> a, OpenPostgres(first));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> b, OpenPostgres(second));
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> sa, a->Connect());
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<DbSession> sb, b->Connect());
  SA_ASSERT_OK(sa->Exec("CREATE TABLE same_name (x BIGINT)"));
  SA_ASSERT_OK(sb->Exec("CREATE TABLE same_name (x BIGINT)"));
  SA_ASSERT_OK(sa->Exec("INSERT INTO same_name VALUES (1)"));
  SA_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows, sb->Query("SELECT COUNT(*) FROM same_name"));
  EXPECT_EQ(AsInt(rows[0][0]).value(), 0);
}

TEST(PgHarnessTest, DestructorStopsTheServerAndRemovesItsDirectory) {
  std::string dir;
  std::string conninfo;
  {
    SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgHarness> own, PgHarness::Start());
    dir = own->dir();
    conninfo = own->conninfo() + " connect_timeout=2";
    SA_ASSERT_OK(OpenPostgres(conninfo));
    EXPECT_TRUE(std::filesystem::exists(dir));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  StatusOr<std::unique_ptr<Database>> gone = OpenPostgres(conninfo);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sa::adapter::store
