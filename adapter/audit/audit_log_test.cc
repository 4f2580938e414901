// Append: record validation (no echo of field text), the chain it builds, and
// its atomicity with the caller's transaction, on SQLite and PostgreSQL.
#include "adapter/audit/audit_log.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "adapter/audit/audit_test_util.h"
#include "adapter/audit/chain_hash.h"
#include "adapter/store/fault_db.h"

namespace sa::adapter::audit {
namespace {

using testing::AtFor;
using testing::AuditDbTest;
using testing::RecordFor;

const char kCanary[] = "CANARY-audit-1";

AuditRecord Good() {
  return {"staff-1001", "read-discussion", "confidential/EPUT/S-1/v2/C1/discussion", "ok",
          "ref=R-1"};
}

// Each field of `record` by name, to test them all alike.
std::vector<std::pair<const char*, std::string*>> Fields(AuditRecord& r) {
  return {{"actor", &r.actor},
          {"action", &r.action},
          {"object", &r.object},
          {"outcome", &r.outcome},
          {"detail", &r.detail}};
}

TEST(ValidateRecordTest, AcceptsTypicalRecordsAndAnEmptyDetail) {
  EXPECT_TRUE(ValidateRecord(Good()).ok());
  AuditRecord r = Good();
  r.detail = "";
  EXPECT_TRUE(ValidateRecord(r).ok());
  r.actor = "Zoë Ødegård";  // UTF-8 beyond ASCII is fine
  EXPECT_TRUE(ValidateRecord(r).ok()) << ValidateRecord(r).ToString();
}

TEST(ValidateRecordTest, RejectsEachEmptyRequiredField) {
  for (const char* name : {"actor", "action", "object", "outcome"}) {
    AuditRecord r = Good();
    for (auto& [field, value] : Fields(r)) {
      if (std::string(field) == name) value->clear();
    }
    Status s = ValidateRecord(r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
  }
}

TEST(ValidateRecordTest, LimitIs256BytesAndTheMessageDoesNotEchoTheValue) {
  AuditRecord r = Good();
  for (auto& [name, value] : Fields(r)) {
    const std::string saved = *value;
    *value = std::string(kMaxFieldBytes, 'a');
    EXPECT_TRUE(ValidateRecord(r).ok()) << name;
    *value = std::string(kCanary) + std::string(kMaxFieldBytes + 1 - std::strlen(kCanary), 'a');
    ASSERT_EQ(value->size(), kMaxFieldBytes + 1);
    Status s = ValidateRecord(r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(s.ToString().find("CANARY"), std::string::npos) << s.ToString();
    *value = saved;
  }
}

TEST(ValidateRecordTest, Rs12_ControlCharacterIsRejectedWithoutEchoingTheField) {
  for (const std::string& bad :
       {std::string(kCanary) + "\n", std::string(kCanary) + "\x1b[31m", std::string(kCanary) + '\0',
        std::string(kCanary) + "\x7f", std::string(kCanary) + "\xc2\x85" /* U+0085 NEL */,
        std::string(kCanary) + "\xe2\x80\xae" /* U+202E RLO */}) {
    AuditRecord r = Good();
    for (auto& [name, value] : Fields(r)) {
      const std::string saved = *value;
      *value = bad;
      Status s = ValidateRecord(r);
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
      EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
      EXPECT_EQ(s.ToString().find("CANARY"), std::string::npos) << s.ToString();
      *value = saved;
    }
  }
}

TEST(ValidateRecordTest, RejectsMalformedUtf8) {
  for (const std::string& bad : {std::string("\xff"), std::string("a\xc3"),  // bad lead, truncated
                                 std::string("\xc0\xaf"),                    // overlong '/'
                                 std::string("\xed\xa0\x80"),                // surrogate
                                 std::string("\xf4\x90\x80\x80")}) {         // > U+10FFFF
    AuditRecord r = Good();
    r.object = std::string(kCanary) + bad;
    Status s = ValidateRecord(r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.ToString().find("CANARY"), std::string::npos) << s.ToString();
  }
}

TEST(ValidateTimestampTest, AcceptsOnlyUtcWithMilliseconds) {
  EXPECT_TRUE(ValidateTimestamp("2024-05-01T09:30:00.123Z").ok());
  EXPECT_TRUE(ValidateTimestamp("2024-02-29T23:59:59.999Z").ok());  // leap year
  EXPECT_TRUE(ValidateTimestamp(NowRfc3339()).ok()) << NowRfc3339();
  for (const char* bad :
       {"", "2024-05-01T09:30:00Z", "2024-05-01T09:30:00.123+00:00", "2024-05-01 09:30:00.123Z",
        "2024-05-01T09:30:00.123z", "2023-02-29T00:00:00.000Z", "2024-13-01T00:00:00.000Z",
        "2024-05-01T24:00:00.000Z", "2024-05-01T09:60:00.000Z"}) {
    EXPECT_EQ(ValidateTimestamp(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
}

class AppendTest : public AuditDbTest {};

TEST_P(AppendTest, BuildsTheChainFromGenesis) {
  store::Transaction tx(*session_);
  SA_ASSERT_OK(tx.Begin());
  SA_ASSERT_OK_AND_ASSIGN(AuditEntry first, Append(*session_, RecordFor(1), AtFor(1)));
  SA_ASSERT_OK_AND_ASSIGN(AuditEntry second, Append(*session_, RecordFor(4), AtFor(2)));
  SA_ASSERT_OK(tx.Commit());

  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.prev_hash, kGenesisPrevHash);
  EXPECT_EQ(first.hash, ChainHash(first).value());
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.prev_hash, first.hash);
  EXPECT_EQ(second.hash, ChainHash(second).value());

  // What is stored is what was returned (an empty detail is stored as '').
  SA_ASSERT_OK_AND_ASSIGN(
      std::vector<store::Row> rows,
      session_->Query("SELECT at, actor, action, object, outcome, detail, prev_hash, hash "
                      "FROM audit_log WHERE seq = 2"));
  ASSERT_EQ(rows.size(), 1u);
  const std::vector<std::string> want = {second.at,
                                         second.record.actor,
                                         second.record.action,
                                         second.record.object,
                                         second.record.outcome,
                                         "",
                                         second.prev_hash,
                                         second.hash};
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(store::AsText(rows[0][i]).value(), want[i]);
}

TEST_P(AppendTest, InvalidRecordWritesNothingAndLeavesTheTransactionUsable) {
  AuditRecord bad = Good();
  bad.detail = std::string(kCanary) + "\r\n";
  store::Transaction tx(*session_);
  SA_ASSERT_OK(tx.Begin());
  StatusOr<AuditEntry> refused = Append(*session_, bad, AtFor(1));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().ToString().find("CANARY"), std::string::npos);
  EXPECT_EQ(Append(*session_, Good(), "yesterday").status().code(), StatusCode::kInvalidArgument);
  // Validation runs before any SQL, so the caller's transaction is not aborted.
  SA_ASSERT_OK(Append(*session_, Good(), AtFor(1)));
  SA_ASSERT_OK(tx.Commit());
  EXPECT_EQ(Entries(), 1);
}

TEST_P(AppendTest, RolledBackAppendLeavesNoEntryAndTheChainIntact) {
  AppendRange(1, 3);
  {
    store::Transaction tx(*session_);
    SA_ASSERT_OK(tx.Begin());
    // The audited change and its entry, then a rollback.
    SA_ASSERT_OK(session_->Exec("INSERT INTO sync_state (name, value) VALUES ('cursor', '7')"));
    SA_ASSERT_OK_AND_ASSIGN(AuditEntry e, Append(*session_, RecordFor(4), AtFor(4)));
    EXPECT_EQ(e.seq, 4);
    SA_ASSERT_OK(tx.Rollback());
  }
  EXPECT_EQ(Entries(), 3);
  EXPECT_EQ(CountRows("sync_state").value(), 0);
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.intact) << RenderReport(report);
  EXPECT_EQ(report.entries, 3);

  AppendRange(4, 4);  // the next append reuses seq 4 and links to entry 3
  report = MustVerify();
  EXPECT_TRUE(report.intact) << RenderReport(report);
  EXPECT_EQ(report.entries, 4);
}

TEST_P(AppendTest, FailedAuditInsertTakesTheRecordedChangeDownWithIt) {
  store::FaultInjectingDatabase faulty(*db_);
  SA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::DbSession> s, faulty.Connect());
  faulty.FailMatching("INSERT INTO audit_log", Status::Unavailable("disk I/O error: disk full"));
  store::Transaction tx(*s);
  SA_ASSERT_OK(tx.Begin());
  SA_ASSERT_OK(s->Exec("INSERT INTO sync_state (name, value) VALUES ('cursor', '7')"));
  EXPECT_EQ(Append(*s, RecordFor(1), AtFor(1)).status().code(), StatusCode::kUnavailable);
  // A caller that ignores the failure still cannot commit the unaudited change.
  EXPECT_FALSE(tx.Commit().ok());
  EXPECT_EQ(Entries(), 0);
  EXPECT_EQ(CountRows("sync_state").value(), 0);
}

TEST_P(AppendTest, ConcurrentAppendersFromTwoSessionsFormOneChain) {
  constexpr int kPerThread = 50;
  auto appender = [&](int thread, Status* result) {
    StatusOr<std::unique_ptr<store::DbSession>> session = db_->Connect();
    if (!session.ok()) {
      *result = session.status();
      return;
    }
    for (int i = 0; i < kPerThread; ++i) {
      store::Transaction tx(**session);
      Status s = tx.Begin();
      if (s.ok()) s = Append(**session, RecordFor(thread * 100 + i), NowRfc3339()).status();
      if (s.ok()) s = tx.Commit();
      if (!s.ok()) {
        *result = s;
        return;
      }
    }
  };
  Status a, b;
  std::thread ta(appender, 1, &a);
  std::thread tb(appender, 2, &b);
  ta.join();
  tb.join();
  SA_EXPECT_OK(a);
  SA_EXPECT_OK(b);
  EXPECT_EQ(Entries(), 2 * kPerThread);
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.intact) << RenderReport(report);
  EXPECT_EQ(report.entries, 2 * kPerThread);
}

TEST_P(AppendTest, AppendAllChainsItsEntriesInOrderAfterTheHead) {
  AppendRange(1, 2);
  store::Transaction tx(*session_);
  SA_ASSERT_OK(tx.Begin());
  SA_ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> three,
                          AppendAll(*session_, {RecordFor(3), RecordFor(4), RecordFor(5)}, AtFor(3)));
  SA_ASSERT_OK(tx.Commit());
  ASSERT_EQ(three.size(), 3u);
  for (std::size_t i = 0; i < three.size(); ++i) {
    EXPECT_EQ(three[i].seq, static_cast<int64_t>(3 + i));
    EXPECT_EQ(three[i].hash, ChainHash(three[i]).value());
    if (i > 0) EXPECT_EQ(three[i].prev_hash, three[i - 1].hash);
  }
  // Entry 3 links to entry 2, written before by Append.
  SA_ASSERT_OK_AND_ASSIGN(std::vector<store::Row> two,
                          session_->Query("SELECT hash FROM audit_log WHERE seq = 2"));
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(three[0].prev_hash, store::AsText(two[0][0]).value());
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.intact) << RenderReport(report);
  EXPECT_EQ(report.entries, 5);
  // Nothing to append: nothing written, no statement needed.
  SA_ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> none, AppendAll(*session_, {}, AtFor(6)));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(Entries(), 5);
}

TEST_P(AppendTest, AppendAllWritesNothingWhenAnyRecordIsInvalid) {
  AuditRecord bad = Good();
  bad.object = std::string(kCanary) + "\x01";
  store::Transaction tx(*session_);
  SA_ASSERT_OK(tx.Begin());
  StatusOr<std::vector<AuditEntry>> refused = AppendAll(*session_, {Good(), bad}, AtFor(1));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().ToString().find("CANARY"), std::string::npos);
  std::vector<AuditRecord> too_many(kMaxAppendAll + 1, Good());
  EXPECT_EQ(AppendAll(*session_, too_many, AtFor(1)).status().code(), StatusCode::kInvalidArgument);
  SA_ASSERT_OK(tx.Commit());
  EXPECT_EQ(Entries(), 0);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(AppendTest);

}  // namespace
}  // namespace sa::adapter::audit
