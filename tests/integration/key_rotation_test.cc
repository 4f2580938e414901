// Key rotation (`keys rotate`): every confidential record and the look-up key
// move from a retired KEK to the active one, with the ciphertext untouched;
// rows that cannot move are reported and left alone; reruns change nothing;
// it runs beside intake; on SQLite and PostgreSQL.
#include "adapter/core/key_rotation.h"

#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <thread>

#include "adapter/audit/verify.h"
#include "adapter/crypto/aad.h"
#include "adapter/crypto/envelope.h"
#include "tests/integration/durable_fixture.h"

namespace sa::testing {
namespace {

// Sealed rows per example session: its discussion, its practitioner record and
// the whole record (kept for re-versioning).
constexpr int kRowsPerSession = 3;

using adapter::RotateKeys;
using adapter::RotationOptions;
using adapter::RotationReport;
using adapter::store::AsBlob;
using adapter::store::AsInt;
using adapter::store::AsText;
using adapter::store::FaultInjectingDatabase;
using adapter::store::FaultOp;

struct StoredRow {
  std::string kind;
  int64_t version = 0;
  std::string kek_id;
  std::string sealed;
  bool operator==(const StoredRow&) const = default;
};

class KeyRotationTest : public DurableTest {
 protected:
  void SetUp() override {
    DurableTest::SetUp();
    if (HasFatalFailure()) return;
    kek_a_ = *adapter::crypto::LoadKekFromFile(kek_path_);
    kek_b_path_ = keys_dir_->path() + "/kek-b.b64";
    std::ofstream(kek_b_path_) << *adapter::crypto::GenerateKekBase64() << "\n";
    kek_b_ = *adapter::crypto::LoadKekFromFile(kek_b_path_);
    // The operator's new configuration: B active, A retired.
    keys_b_.kek_file = kek_b_path_;
    keys_b_.retired_kek_files = {kek_path_};
    auto vault = adapter::Vault::Open(keys_b_, *db_);
    ASSERT_TRUE(vault.ok()) << vault.status().ToString();
    vault_b_ = std::move(*vault);
  }

  // Intakes `n` canary sessions through `vault` (A by default); returns their canaries.
  std::vector<std::string> IntakeSessions(int n, const std::string& prefix,
                                          const adapter::Vault* vault = nullptr,
                                          adapter::store::Database* db = nullptr) {
    std::vector<std::string> canaries;
    adapter::IntakeService svc(db ? db : db_.get(), &Catalog(), vault ? vault : vault_.get(), {});
    for (int i = 0; i < n; ++i) {
      auto r = svc.Intake(
          CanarySession(prefix + std::to_string(i), &canaries, prefix + "-" + std::to_string(i))
              .dump(),
          "test");
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    }
    return canaries;
  }

  std::map<std::string, StoredRow> Records() {
    std::map<std::string, StoredRow> out;
    auto session = db_->Connect();
    auto rows = (*session)->Query(
        "SELECT record_id, kind, version, kek_id, sealed FROM confidential_records");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    for (const auto& r : *rows) {
      out[*AsText(r[0])] = {*AsText(r[1]), *AsInt(r[2]), *AsText(r[3]), *AsBlob(r[4])};
    }
    return out;
  }

  std::pair<std::string, std::string> LookupRow() {
    auto session = db_->Connect();
    auto rows = (*session)->Query("SELECT kek_id, sealed FROM keyring WHERE name = ?",
                                  {std::string(adapter::kLookupKeyName)});
    EXPECT_EQ(rows->size(), 1u);
    return {*AsText((*rows)[0][0]), *AsBlob((*rows)[0][1])};
  }

  // Opens a stored record with exactly the KEKs on `ring`.
  static StatusOr<std::string> OpenWith(const adapter::crypto::KeyRing& ring, const std::string& id,
                                        const StoredRow& row) {
    SA_ASSIGN_OR_RETURN(auto sealed, adapter::crypto::ParseSealed(row.sealed));
    return adapter::crypto::Open(ring, sealed,
                                 adapter::crypto::RecordAad(id, row.kind, row.version));
  }

  // "action object outcome detail" per audit entry, in order.
  std::vector<std::string> AuditLines() {
    std::vector<std::string> out;
    auto session = db_->Connect();
    auto rows =
        (*session)->Query("SELECT action, object, outcome, detail FROM audit_log ORDER BY seq");
    for (const auto& r : *rows) {
      out.push_back(*AsText(r[0]) + " " + *AsText(r[1]) + " " + *AsText(r[2]) + " " +
                    adapter::store::AsOptionalText(r[3])->value_or(""));
    }
    return out;
  }

  void ExpectAuditIntact() {
    auto session = db_->Connect();
    auto report = adapter::audit::Verify(**session);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->intact) << adapter::audit::RenderReport(*report);
  }

  std::string Moved() const { return "keys/" + kek_a_.id + "->" + kek_b_.id; }

  adapter::crypto::Kek kek_a_, kek_b_;
  std::string kek_b_path_;
  adapter::KeysConfig keys_b_;
  std::unique_ptr<adapter::Vault> vault_b_;
};

TEST_P(KeyRotationTest, EveryRowMovesToTheNewKekWithItsCiphertextUnchanged) {
  std::vector<std::string> canaries = IntakeSessions(3, "rot");
  const auto before = Records();
  ASSERT_EQ(before.size(), 3 * kRowsPerSession);
  std::map<std::string, std::string> plaintext;
  for (const auto& [id, row] : before) {
    ASSERT_EQ(row.kek_id, kek_a_.id);
    auto p = vault_->Open(row.sealed, id, row.kind, row.version);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    plaintext[id] = *p;
  }
  const std::string staff_hash = *vault_->StaffHash("P-10");
  const std::string nhs_hash = *vault_->NhsHash("9434765919");

  RotationOptions options;
  options.batch = 5;  // two batches of the nine rows
  auto report = RotateKeys(*db_, vault_b_->ring(), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->complete()) << report->ToJson().dump();
  EXPECT_EQ(report->active_kek_id, kek_b_.id);
  EXPECT_EQ(report->rewrapped, 3 * kRowsPerSession);
  EXPECT_EQ(report->batches, 2);
  EXPECT_TRUE(report->lookup_key_rewrapped);
  EXPECT_EQ(report->skipped, 0);
  EXPECT_EQ(report->retire_ready, std::vector<std::string>{kek_a_.id});

  adapter::crypto::KeyRing only_b(kek_b_);
  adapter::crypto::KeyRing only_a(kek_a_);
  const auto after = Records();
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [id, row] : after) {
    EXPECT_EQ(row.kek_id, kek_b_.id) << id;
    auto old_sealed = *adapter::crypto::ParseSealed(before.at(id).sealed);
    auto new_sealed = *adapter::crypto::ParseSealed(row.sealed);
    EXPECT_EQ(new_sealed.kek_id, kek_b_.id);
    EXPECT_EQ(new_sealed.nonce, old_sealed.nonce) << "rotation must not re-encrypt";
    EXPECT_EQ(new_sealed.ciphertext, old_sealed.ciphertext) << "rotation must not re-encrypt";
    EXPECT_NE(new_sealed.wrapped_key, old_sealed.wrapped_key);
    auto opened = OpenWith(only_b, id, row);
    ASSERT_TRUE(opened.ok()) << id << ": " << opened.status().ToString();
    EXPECT_EQ(*opened, plaintext[id]);
    auto with_a = OpenWith(only_a, id, row);
    EXPECT_FALSE(with_a.ok()) << "the retired KEK alone still opens " << id;
    for (const auto& c : canaries) EXPECT_EQ(row.sealed.find(c), std::string::npos);
  }
  std::string all_plaintext;
  for (const auto& [id, p] : plaintext) all_plaintext += p;
  for (const auto& c : canaries) EXPECT_NE(all_plaintext.find(c), std::string::npos) << c;

  // The look-up key moved too: a vault with ONLY B opens and hashes as before.
  EXPECT_EQ(LookupRow().first, kek_b_.id);
  adapter::KeysConfig only_b_keys;
  only_b_keys.kek_file = kek_b_path_;
  auto vault_only_b = adapter::Vault::Open(only_b_keys, *db_);
  ASSERT_TRUE(vault_only_b.ok()) << vault_only_b.status().ToString();
  EXPECT_EQ(*(*vault_only_b)->StaffHash("P-10"), staff_hash);
  EXPECT_EQ(*(*vault_only_b)->NhsHash("9434765919"), nhs_hash);
  auto session = db_->Connect();
  auto people =
      (*session)->Query("SELECT staff_hash FROM session_people WHERE role = 'supervisor'");
  ASSERT_FALSE(people->empty());
  EXPECT_EQ(*AsText((*people)[0][0]), staff_hash);
  // And a vault with only A no longer starts: the look-up key is not under A.
  adapter::KeysConfig only_a_keys;
  only_a_keys.kek_file = kek_path_;
  EXPECT_FALSE(adapter::Vault::Open(only_a_keys, *db_).ok());

  ExpectAuditIntact();
  std::vector<std::string> lines = AuditLines();
  auto has = [&](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  EXPECT_TRUE(has("keys-rotate " + Moved() + " ok rows=5"));
  EXPECT_TRUE(has("keys-rotate " + Moved() + " ok rows=4"));
  EXPECT_TRUE(has("keys-rotate " + Moved() + " ok keyring=lookup-hmac"));
  EXPECT_TRUE(has("keys-retire-ready keys/" + kek_a_.id + " ok active=" + kek_b_.id));
  EXPECT_EQ(lines.back().rfind("keys-retire-ready", 0), 0u)
      << "retire-ready comes after every move";
  std::string joined;
  for (const auto& l : lines) joined += l + "\n";
  for (const auto& c : canaries) EXPECT_EQ(joined.find(c), std::string::npos);
}

TEST_P(KeyRotationTest, RunningItAgainChangesNothing) {
  IntakeSessions(2, "again");
  auto first = RotateKeys(*db_, vault_b_->ring());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->rewrapped, 2 * kRowsPerSession);
  const auto records = Records();
  const auto lookup = LookupRow();
  const int64_t audit_entries = Rows("audit_log");

  auto second = RotateKeys(*db_, vault_b_->ring());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->complete());
  EXPECT_EQ(second->rewrapped, 0);
  EXPECT_EQ(second->batches, 0);
  EXPECT_FALSE(second->lookup_key_rewrapped);
  EXPECT_EQ(second->retire_ready, std::vector<std::string>{kek_a_.id});
  EXPECT_EQ(Records(), records);
  EXPECT_EQ(LookupRow(), lookup);
  EXPECT_EQ(Rows("audit_log"), audit_entries) << "a rerun that moved nothing audited something";
  ExpectAuditIntact();
}

// A record sealed under KEK C, which no configuration holds.
void InsertRecordUnderUnknownKek(adapter::store::Database& db, const std::string& record_id,
                                 const std::string& canary, std::string* sealed_out,
                                 std::string* kek_id_out) {
  auto kek_c = adapter::crypto::ParseKekBase64(*adapter::crypto::GenerateKekBase64(), "test KEK C");
  ASSERT_TRUE(kek_c.ok());
  auto sealed = adapter::crypto::Seal(*kek_c, "{\"form\":\"" + canary + "\"}",
                                      adapter::crypto::RecordAad(record_id, "discussion", 1));
  ASSERT_TRUE(sealed.ok());
  *sealed_out = adapter::crypto::Serialize(*sealed);
  *kek_id_out = kek_c->id;
  auto session = db.Connect();
  SA_ASSERT_OK((*session)->Exec(
      "INSERT INTO confidential_records (record_id, kind, org, session_id, version, kek_id,"
      " sealed) VALUES (?, 'discussion', 'EPUT', 'S-LOST', 1, ?, ?)",
      {record_id, kek_c->id, adapter::store::Blob{*sealed_out}}));
}

TEST_P(KeyRotationTest, ARowUnderAnUnknownKekIsReportedByIdAndLeftAsItWas) {
  IntakeSessions(2, "mix");
  const std::string lost_id = "EPUT/S-LOST/v1/C1/discussion";
  std::string lost_sealed, kek_c_id;
  InsertRecordUnderUnknownKek(*db_, lost_id, "CANARY-lost-zq", &lost_sealed, &kek_c_id);
  ASSERT_FALSE(HasFatalFailure());

  auto report = RotateKeys(*db_, vault_b_->ring());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->complete());
  EXPECT_EQ(report->rewrapped, 2 * kRowsPerSession);
  ASSERT_EQ(report->failures.size(), 1u);
  EXPECT_EQ(report->failures[0].record_id, lost_id);
  EXPECT_NE(report->failures[0].reason.find(kek_c_id), std::string::npos)
      << report->failures[0].reason;
  EXPECT_EQ(report->ToJson().dump().find("CANARY"), std::string::npos);
  EXPECT_EQ(report->remaining, (std::map<std::string, int64_t>{{kek_c_id, 1}}));
  // A itself is free: only C's row stays behind, and C is not A.
  EXPECT_EQ(report->retire_ready, std::vector<std::string>{kek_a_.id});

  const auto records = Records();
  EXPECT_EQ(records.at(lost_id).kek_id, kek_c_id);
  EXPECT_EQ(records.at(lost_id).sealed, lost_sealed) << "the failed row was changed";
  for (const auto& [id, row] : records) {
    if (id != lost_id) EXPECT_EQ(row.kek_id, kek_b_.id) << id;
  }
  ExpectAuditIntact();
  std::vector<std::string> lines = AuditLines();
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "keys-rotate keys/" + kek_c_id + "->" + kek_b_.id + " error failed=1"),
            lines.end());
}

TEST_P(KeyRotationTest, AFailedBatchLeavesItsRowsAndARerunFinishes) {
  IntakeSessions(2, "fault");
  FaultInjectingDatabase faulty(*db_);
  // Commit 1 is the look-up key's; commit 2 the first batch of records.
  faulty.FailNth(FaultOp::kCommit, 2, Status::Unavailable("disk I/O error"));
  auto failed = RotateKeys(faulty, vault_b_->ring());
  ASSERT_FALSE(failed.ok());
  for (const auto& [id, row] : Records()) EXPECT_EQ(row.kek_id, kek_a_.id) << id;
  EXPECT_EQ(LookupRow().first, kek_b_.id);
  for (const auto& l : AuditLines()) EXPECT_EQ(l.find("rows="), std::string::npos) << l;
  ExpectAuditIntact();

  auto rerun = RotateKeys(*db_, vault_b_->ring());
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  EXPECT_TRUE(rerun->complete());
  EXPECT_EQ(rerun->rewrapped, 2 * kRowsPerSession);
  for (const auto& [id, row] : Records()) EXPECT_EQ(row.kek_id, kek_b_.id) << id;
}

TEST_P(KeyRotationTest, RotationAlongsideIntakeLeavesEveryRowUnderTheNewKek) {
  IntakeSessions(8, "old");
  ASSERT_EQ(Rows("confidential_records"), 8 * kRowsPerSession);
  // The service, already restarted on the new configuration, keeps taking in
  // sessions (under B) while the operator rotates.
  std::thread service([&] {
    auto db = Reopen();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    IntakeSessions(8, "new", vault_b_.get(), db->get());
  });
  RotationOptions options;
  options.batch = 3;
  auto report = RotateKeys(*db_, vault_b_->ring(), options);
  service.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->failures.empty());
  EXPECT_EQ(report->rewrapped, 8 * kRowsPerSession);
  EXPECT_TRUE(report->complete()) << report->ToJson().dump();
  adapter::crypto::KeyRing only_b(kek_b_);
  const auto records = Records();
  EXPECT_EQ(records.size(), 16u * kRowsPerSession);
  for (const auto& [id, row] : records) {
    EXPECT_EQ(row.kek_id, kek_b_.id) << id;
    EXPECT_TRUE(OpenWith(only_b, id, row).ok()) << id;
  }
  ExpectAuditIntact();
}

TEST_P(KeyRotationTest, TwoRotationsAtOnceMoveEachRowExactlyOnce) {
  IntakeSessions(6, "twice");
  std::vector<RotationReport> reports(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      auto db = Reopen();
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      RotationOptions options;
      options.batch = 2;
      auto r = RotateKeys(**db, vault_b_->ring(), options);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      reports[i] = *r;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(reports[0].rewrapped + reports[1].rewrapped, 6 * kRowsPerSession);
  EXPECT_EQ(int(reports[0].lookup_key_rewrapped) + int(reports[1].lookup_key_rewrapped), 1);
  EXPECT_TRUE(reports[0].failures.empty() && reports[1].failures.empty());
  adapter::crypto::KeyRing only_b(kek_b_);
  for (const auto& [id, row] : Records()) EXPECT_TRUE(OpenWith(only_b, id, row).ok()) << id;
  ExpectAuditIntact();
  int64_t moved = 0;
  for (const auto& l : AuditLines()) {
    auto p = l.find(" ok rows=");
    if (p != std::string::npos) moved += std::stoll(l.substr(p + 9));
  }
  EXPECT_EQ(moved, 6 * kRowsPerSession) << "audited moves must match the rows moved";
}

// The command as the operator runs it: exit 1 and the record id on a row it
// cannot move, exit 0 once that row is dealt with.
TEST_P(KeyRotationTest, CliRotateReportsAndExitsNonZeroUntilEveryRowMoved) {
  IntakeSessions(1, "cli");
  const std::string lost_id = "EPUT/S-LOST/v1/C1/discussion";
  std::string lost_sealed, kek_c_id;
  InsertRecordUnderUnknownKek(*db_, lost_id, "CANARY-cli-lost-zq", &lost_sealed, &kek_c_id);
  ASSERT_FALSE(HasFatalFailure());
  json store = is_sqlite() ? json{{"sqlite", sqlite_path_}} : json{{"postgres", pg_conninfo_}};
  const std::string config = keys_dir_->path() + "/adapter.json";
  std::ofstream(config) << json({{"store", store},
                                 {"keys",
                                  {{"kekFile", kek_b_path_}, {"retiredKekFiles", {kek_path_}}}}})
                               .dump();
  auto run = [&](std::string* out) {
    std::string cmd = std::string(SA_ADAPTER_BIN) + " keys rotate --config " + config + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    std::size_t n;
    out->clear();
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
    int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::string out;
  EXPECT_EQ(run(&out), 1) << out;
  EXPECT_NE(out.find(lost_id + ": left as it was"), std::string::npos) << out;
  EXPECT_NE(out.find("KEK " + kek_c_id + ": 1 row(s) still use it"), std::string::npos) << out;
  EXPECT_EQ(out.find("CANARY"), std::string::npos) << out;
  EXPECT_EQ(Records().at(lost_id).sealed, lost_sealed);

  // The operator removes the unrecoverable row (its KEK is lost for good).
  SA_ASSERT_OK(ExecOnce("DELETE FROM confidential_records WHERE record_id = ?", {lost_id}));
  EXPECT_EQ(run(&out), 0) << out;
  EXPECT_NE(out.find("retired KEK " + kek_a_.id + ": no row uses it any more"), std::string::npos)
      << out;
  for (const auto& [id, row] : Records()) EXPECT_EQ(row.kek_id, kek_b_.id) << id;
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(KeyRotationTest);

}  // namespace
}  // namespace sa::testing
