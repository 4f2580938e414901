// Intake: one transaction per session, all or nothing, versions, rejections,
// encryption at rest (RS-3) and the audit trail (RS-12), on SQLite and PostgreSQL.
#include <filesystem>
#include <functional>
#include <set>
#include <thread>
#include <utility>

#include "adapter/audit/verify.h"
#include "adapter/store/forwarding_session.h"
#include "tests/integration/durable_fixture.h"

namespace sa::testing {
namespace {

using adapter::IntakeResult;
using adapter::store::FaultInjectingDatabase;
using adapter::store::FaultOp;
using adapter::store::FaultTiming;

class IntakeTest : public DurableTest {};

// A database whose first transaction, on any session, opens only after
// `before_begin` ran: another intake then lands between an intake's snapshot
// of the session's head and its transaction.
class RaceDatabase : public adapter::store::ForwardingDatabase {
 public:
  RaceDatabase(adapter::store::Database& base, std::function<void()> before_begin)
      : ForwardingDatabase(base), before_begin_(std::move(before_begin)) {}

 private:
  std::unique_ptr<adapter::store::DbSession> Wrap(std::unique_ptr<adapter::store::DbSession> inner) override {
    return std::make_unique<Session>(std::move(inner), this);
  }
  class Session : public adapter::store::ForwardingSession {
   public:
    Session(std::unique_ptr<adapter::store::DbSession> inner, RaceDatabase* db)
        : ForwardingSession(std::move(inner)), db_(db) {}
    Status Begin() override {
      if (db_->before_begin_) std::exchange(db_->before_begin_, nullptr)();
      return real_->Begin();
    }

   private:
    RaceDatabase* db_;
  };
  std::function<void()> before_begin_;
};

TEST_P(IntakeTest, AVersionStoredBetweenTheSnapshotAndTheTransactionIsBuiltUponNotOverwritten) {
  auto svc = Service();
  json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
  ASSERT_EQ(svc.Intake(r.dump(), "t")->kind, IntakeResult::Kind::kCreated);
  json other = r, mine = r;
  other["cases"][0]["actions"].erase(1);  // stored by the racer as v2
  mine["cases"][0]["actions"].erase(0);   // prepared as v2, must land as v3
  StatusOr<IntakeResult> raced = Status::Internal("did not run");
  RaceDatabase racing(*db_, [&] { raced = svc.Intake(other.dump(), "racer"); });
  auto racing_svc = Service(&racing);
  auto v = racing_svc.Intake(mine.dump(), "t");
  ASSERT_TRUE(raced.ok()) << raced.status().ToString();
  EXPECT_EQ(raced->version, 2);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->kind, IntakeResult::Kind::kNewVersion);
  EXPECT_EQ(v->version, 3);
  EXPECT_EQ(Rows("register"), 3);
  auto session = db_->Connect();
  auto sup = (*session)->Query("SELECT version, superseded_by FROM register ORDER BY version");
  ASSERT_TRUE(sup.ok());
  EXPECT_EQ(*adapter::store::AsInt((*sup)[0][1]), 2);
  EXPECT_EQ(*adapter::store::AsInt((*sup)[1][1]), 3);
  // v3's plan cancels what v2 (not v1) sent and v3 no longer has: A1.
  auto rows = (*session)->Query("SELECT payload FROM outbox WHERE seq = 3");
  ASSERT_EQ(rows->size(), 1u);
  json payload = json::parse(*adapter::store::AsText((*rows)[0][0]));
  ASSERT_EQ(payload["removedActions"].size(), 1u);
  EXPECT_EQ(payload["removedActions"][0]["id"], "A1");
  auto report = adapter::audit::Verify(**session);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << adapter::audit::RenderReport(*report);

  // With an expected version, a race is a conflict and nothing of it is stored.
  json third = r;
  third["cases"][0]["actions"][0]["what"] = "Changed again";
  RaceDatabase racing2(*db_, [&] { raced = svc.Intake(r.dump(), "racer"); });
  auto racing_svc2 = Service(&racing2);
  adapter::IntakeContext expect{"t", int64_t{3}, nullptr};
  auto conflict = racing_svc2.Intake(third.dump(), expect);
  ASSERT_TRUE(raced.ok());
  EXPECT_EQ(raced->version, 4);
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
  EXPECT_EQ(Rows("register"), 4);
}

TEST_P(IntakeTest, ConcurrentIntakesOfOneSessionMakeConsecutiveVersions) {
  constexpr int kThreads = 4;
  json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
  std::vector<StatusOr<IntakeResult>> results(kThreads, Status::Internal("did not run"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      json mine = r;
      mine["cases"][0]["actions"][0]["what"] = "Variant " + std::to_string(t);
      auto svc = Service();
      results[t] = svc.Intake(mine.dump(), "t" + std::to_string(t));
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> versions;
  for (const auto& res : results) {
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    versions.insert(res->version);
  }
  EXPECT_EQ(versions, (std::set<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(Rows("register"), kThreads);
  EXPECT_EQ(Rows("outbox"), kThreads);
  auto session = db_->Connect();
  auto report = adapter::audit::Verify(**session);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << adapter::audit::RenderReport(*report);
}

TEST_P(IntakeTest, StoresEveryHomeInOneTransaction) {
  auto svc = Service();
  auto r = svc.Intake(ReadJsonFile("tests/data/valid-eput-sbar.json").dump(), "test");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, IntakeResult::Kind::kCreated);
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->state, "agreed");
  EXPECT_EQ(Rows("register"), 1);
  EXPECT_EQ(Rows("session_people"), 2);
  // The discussion, the practitioner record and the whole record (for re-versioning).
  EXPECT_EQ(Rows("confidential_records"), 3);
  EXPECT_EQ(Rows("outbox"), 1);
  EXPECT_GE(Rows("audit_log"), 3);
}

TEST_P(IntakeTest, AFailureAtAnyStatementLeavesNothingHalfWritten) {
  std::string record = ReadJsonFile("tests/data/valid-eput-sbar.json").dump();
  int failures = 0;
  for (int n = 1; n < 200; ++n) {
    FaultInjectingDatabase faulty(*db_);
    faulty.FailNth(FaultOp::kStatement, n, Status::Unavailable("disk I/O error: disk full"));
    auto svc = Service(&faulty);
    auto r = svc.Intake(record, "test");
    if (faulty.fired() == 0) {  // n is past the last statement: it went through
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      break;
    }
    ++failures;
    ASSERT_FALSE(r.ok()) << "statement " << n;
    ASSERT_EQ(ContentRows(), 0) << "statement " << n << " left rows behind";
    ASSERT_EQ(Rows("audit_log"), 0) << "statement " << n;
  }
  EXPECT_GE(failures, 8);
  EXPECT_EQ(Rows("register"), 1);
  // A commit that fails leaves nothing either.
  FaultInjectingDatabase faulty(*db_);
  faulty.FailNth(FaultOp::kCommit, 1, Status::Unavailable("disk I/O error"));
  json other = ReadJsonFile("tests/data/valid-eput-sbar.json");
  other["sessionId"] = "S-2026-0002";
  auto svc = Service(&faulty);
  ASSERT_FALSE(svc.Intake(other.dump(), "test").ok());
  EXPECT_EQ(Rows("register"), 1);
}

TEST_P(IntakeTest, SameContentIsANoOpChangedContentIsANewVersion) {
  auto svc = Service();
  json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
  ASSERT_EQ(svc.Intake(r.dump(), "t")->kind, IntakeResult::Kind::kCreated);
  auto again = svc.Intake(r.dump(2), "t");  // same content, other formatting
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->kind, IntakeResult::Kind::kUnchanged);
  EXPECT_EQ(Rows("register"), 1);
  EXPECT_EQ(Rows("outbox"), 1);
  r["cases"][0]["actions"].erase(1);
  auto v2 = svc.Intake(r.dump(), "t");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->kind, IntakeResult::Kind::kNewVersion);
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(Rows("register"), 2);
  auto session = db_->Connect();
  auto rows = (*session)->Query("SELECT payload FROM outbox WHERE seq = 2");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  json payload = json::parse(*adapter::store::AsText((*rows)[0][0]));
  ASSERT_EQ(payload["removedActions"].size(), 1u);
  EXPECT_EQ(payload["removedActions"][0]["id"], "A2");
  auto sup = (*session)->Query("SELECT superseded_by FROM register WHERE version = 1");
  EXPECT_EQ(*adapter::store::AsInt((*sup)[0][0]), 2);
}

TEST_P(IntakeTest, CancellingAfterQueueingRevokesThePlan) {
  auto svc = Service();
  json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
  ASSERT_TRUE(svc.Intake(r.dump(), "t").ok());
  r["status"] = "cancelled";
  r["heldAt"] = nullptr;
  r["durationMinutes"] = nullptr;
  r["rebookedTo"] = "2026-11-27T10:00:00Z";
  r.erase("cases");
  r.erase("practitioner");
  auto v2 = svc.Intake(r.dump(), "t");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->outbox_rows, 1);
  auto session = db_->Connect();
  auto rows = (*session)->Query("SELECT payload FROM outbox WHERE seq = 2");
  EXPECT_TRUE(json::parse(*adapter::store::AsText((*rows)[0][0]))["revoke"].get<bool>());
}

TEST_P(IntakeTest, RejectedRecordStoresOnlyARegisterLineWithReasons) {
  std::vector<std::string> canaries;
  json r = CanarySession("rej", &canaries);
  r["cases"][0]["actions"][1].erase("due");
  auto svc = Service();
  auto result = svc.Intake(r.dump(), "t");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->kind, IntakeResult::Kind::kRejected);
  EXPECT_EQ(Rows("register_rejections"), 1);
  EXPECT_EQ(Rows("register") + Rows("confidential_records") + Rows("outbox") + Rows("session_people"), 0);
  auto session = db_->Connect();
  auto rows = (*session)->Query("SELECT reasons FROM register_rejections");
  std::string reasons = *adapter::store::AsText((*rows)[0][0]);
  EXPECT_NE(reasons.find("/cases/0/actions/1/due: required"), std::string::npos);
  for (const auto& c : canaries) EXPECT_EQ(reasons.find(c), std::string::npos);
  EXPECT_EQ(result->ToJson().dump().find("CANARY"), std::string::npos);
}

TEST_P(IntakeTest, Rs3_DiscussionIsSealedAndBoundToItsRow) {
  auto svc = Service();
  std::vector<std::string> canaries;
  ASSERT_TRUE(svc.Intake(CanarySession("seal", &canaries).dump(), "t").ok());
  auto session = db_->Connect();
  auto rows = (*session)->Query("SELECT record_id, kind, version, sealed FROM confidential_records"
                                " WHERE kind <> 'session-record' ORDER BY kind");
  ASSERT_EQ(rows->size(), 2u);
  std::string id0 = *adapter::store::AsText((*rows)[0][0]);
  std::string sealed0 = *adapter::store::AsBlob((*rows)[0][3]);
  std::string sealed1 = *adapter::store::AsBlob((*rows)[1][3]);
  auto opened = vault_->Open(sealed0, id0, "discussion", 1);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_NE(opened->find(canaries[0]), std::string::npos);
  for (const auto& c : canaries) EXPECT_EQ(sealed0.find(c), std::string::npos);
  // Another row's ciphertext, or another version, does not open here.
  EXPECT_FALSE(vault_->Open(sealed1, id0, "discussion", 1).ok());
  EXPECT_FALSE(vault_->Open(sealed0, id0, "discussion", 2).ok());
  EXPECT_FALSE(vault_->Open(sealed0, id0, "practitioner", 1).ok());
}

TEST_P(IntakeTest, Rs12_IntakeIsAuditedAndTheChainVerifies) {
  auto svc = Service();
  ASSERT_TRUE(svc.Intake(ReadJsonFile("tests/data/valid-eput-sbar.json").dump(), "office-system").ok());
  auto session = db_->Connect();
  auto report = adapter::audit::Verify(**session);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << adapter::audit::RenderReport(*report);
  auto rows = (*session)->Query("SELECT action, object FROM audit_log ORDER BY seq");
  std::string all;
  for (const auto& r : *rows) all += *adapter::store::AsText(r[0]) + " " + *adapter::store::AsText(r[1]) + "\n";
  EXPECT_NE(all.find("write-discussion confidential/EPUT/S-2026-0001/v1/C1/discussion"), std::string::npos) << all;
  EXPECT_NE(all.find("write-practitioner-record"), std::string::npos);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(IntakeTest);

// Canary scan of the SQLite file and its WAL (RS-3, issue: encryption at rest).
class IntakeSqliteFilesTest : public DurableTest {};

TEST_P(IntakeSqliteFilesTest, Rs3_NoCanaryInTheDatabaseFilesOrWal) {
  std::vector<std::string> canaries;
  auto svc = Service();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(svc.Intake(CanarySession("file" + std::to_string(i), &canaries, "S-F-" + std::to_string(i)).dump(), "t").ok());
  }
  std::string bytes;
  if (is_sqlite()) {
    for (const char* suffix : {"", "-wal", "-shm"}) bytes += FileBytes(sqlite_path_ + suffix);
  } else {
    auto pg = adapter::store::testing::SharedPg();
    ASSERT_TRUE(pg.ok());
    auto session = db_->Connect();
    ASSERT_TRUE((*session)->Exec("CHECKPOINT").ok());  // everything onto disk before the scan
    for (const auto& e : std::filesystem::recursive_directory_iterator((*pg)->dir())) {
      if (e.is_regular_file()) bytes += FileBytes(e.path().string());
    }
  }
  ASSERT_GT(bytes.size(), 10000u);
  for (const auto& c : canaries) EXPECT_EQ(bytes.find(c), std::string::npos) << c;
  // The control: the scan does see what is stored in clear (the register's ids).
  EXPECT_NE(bytes.find("S-F-3"), std::string::npos);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(IntakeSqliteFilesTest);

}  // namespace
}  // namespace sa::testing
