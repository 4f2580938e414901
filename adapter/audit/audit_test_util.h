// Test support for the audit tests: a fixture that runs each test against a
// fresh, migrated SQLite file and PostgreSQL database (store_test_util.h) with
// one open session, plus a deterministic supply of audit records.
#ifndef SA_ADAPTER_AUDIT_AUDIT_TEST_UTIL_H_
#define SA_ADAPTER_AUDIT_AUDIT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "adapter/audit/audit_log.h"
#include "adapter/audit/chain_hash.h"
#include "adapter/audit/verify.h"
#include "adapter/store/migrations.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::audit::testing {

// Record i (1-based) of a plausible mix of actions. Every value is an id or a
// code; entry i's detail is empty when i is a multiple of 4.
inline AuditRecord RecordFor(int i) {
  static const char* const kActions[] = {"intake",   "read-discussion", "refuse-read",
                                         "disclose", "outbox-retry",    "keys-rotate"};
  AuditRecord r;
  r.actor = i % 3 == 0 ? "office-system" : "staff-" + std::to_string(1000 + i % 7);
  r.action = kActions[i % 6];
  r.object = "confidential/EPUT/S-" + std::to_string(i) + "/v1/C1/discussion";
  r.outcome = i % 5 == 0 ? "refused" : "ok";
  r.detail = i % 4 == 0 ? "" : "ref=R-" + std::to_string(i);
  return r;
}

// Entry i's timestamp: i seconds after 2024-05-01T09:00:00Z.
inline std::string AtFor(int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2024-05-01T%02d:%02d:%02d.%03dZ", 9 + i / 3600, i / 60 % 60,
                i % 60, i % 1000);
  return buf;
}

// Fails the test if `text` quotes any field value RecordFor produces.
inline void ExpectNoFieldText(const std::string& text) {
  for (const char* fragment : {"staff-", "office-system", "confidential/", "ref=R-", "TAMPERED"}) {
    EXPECT_EQ(text.find(fragment), std::string::npos) << "quotes '" << fragment << "': " << text;
  }
}

class AuditDbTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    SA_ASSERT_OK(store::Migrate(*db_));
    SA_ASSERT_OK_AND_ASSIGN(session_, db_->Connect());
  }
  void TearDown() override {
    session_.reset();
    BackendTest::TearDown();
  }

  // Appends records from..to (RecordFor/AtFor) in one committed transaction.
  void AppendRange(int from, int to) {
    store::Transaction tx(*session_);
    SA_ASSERT_OK(tx.Begin());
    for (int i = from; i <= to; ++i) {
      SA_ASSERT_OK_AND_ASSIGN(AuditEntry e, Append(*session_, RecordFor(i), AtFor(i)));
      ASSERT_EQ(e.seq, i);
    }
    SA_ASSERT_OK(tx.Commit());
  }

  // Verify on the fixture's session; a database error fails the test.
  VerifyReport MustVerify(const VerifyOptions& options = {}) {
    StatusOr<VerifyReport> report = Verify(*session_, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok()) return VerifyReport{false, -1, std::nullopt, "verify failed"};
    ExpectNoFieldText(report->problem);
    ExpectNoFieldText(RenderReport(*report));
    return *report;
  }

  // Runs one tampering statement, as an attacker with database access would.
  void Sql(const std::string& sql, const std::vector<store::Value>& params = {}) {
    StatusOr<int64_t> changed = session_->Exec(sql, params);
    ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  }

  // A careful forger: replaces entry `seq`'s actor and re-hashes entries
  // seq..last so every hash and link is consistent again.
  void RewriteAndRehash(int64_t seq, int64_t last, const std::string& actor) {
    std::string prev(kGenesisPrevHash);
    if (seq > 1) {
      SA_ASSERT_OK_AND_ASSIGN(
          std::vector<store::Row> before,
          session_->Query("SELECT hash FROM audit_log WHERE seq = ?", {seq - 1}));
      ASSERT_EQ(before.size(), 1u);
      prev = store::AsText(before[0][0]).value();
    }
    for (int64_t s = seq; s <= last; ++s) {
      SA_ASSERT_OK_AND_ASSIGN(
          std::vector<store::Row> rows,
          session_->Query("SELECT at, actor, action, object, outcome, detail FROM audit_log "
                          "WHERE seq = ?",
                          {s}));
      ASSERT_EQ(rows.size(), 1u);
      AuditEntry e;
      e.seq = s;
      e.at = store::AsText(rows[0][0]).value();
      e.record = {store::AsText(rows[0][1]).value(), store::AsText(rows[0][2]).value(),
                  store::AsText(rows[0][3]).value(), store::AsText(rows[0][4]).value(),
                  store::AsOptionalText(rows[0][5]).value().value_or("")};
      if (s == seq) e.record.actor = actor;
      e.prev_hash = prev;
      e.hash = ChainHash(e).value();
      Sql("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
          {e.record.actor, e.prev_hash, e.hash, s});
      prev = e.hash;
    }
  }

  int64_t Entries() {
    StatusOr<int64_t> n = CountRows("audit_log");
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  std::unique_ptr<store::DbSession> session_;
};

}  // namespace sa::adapter::audit::testing

#endif  // SA_ADAPTER_AUDIT_AUDIT_TEST_UTIL_H_
