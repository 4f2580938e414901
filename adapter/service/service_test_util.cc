#include "adapter/service/service_test_util.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "adapter/audit/verify.h"
#include "adapter/crypto/kek.h"
#include "adapter/store/migrations.h"
#include "adapter/store/poco_db.h"

namespace sa::adapter::service::testing {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

json Staff(const std::string& id) {
  return {{"id", id}, {"name", "Staff " + id}, {"role", "Health Visitor"}};
}

std::string Canary(const std::string& tag, int n, std::vector<std::string>* canaries) {
  std::string c = "CANARY-" + tag + "-" + std::to_string(n) + "-zq";
  canaries->push_back(c);
  return c;
}

// Replaces every discussion text of case `index` and every practitioner note.
void Canaries(json* r, std::size_t index, const std::string& tag,
              std::vector<std::string>* canaries, bool practitioner) {
  int n = static_cast<int>(canaries->size());
  json& discussion = (*r)["cases"][index]["discussion"];
  for (auto it = discussion.begin(); it != discussion.end(); ++it) {
    it.value() = "Reflection " + Canary(tag, n++, canaries) + " kept apart";
  }
  if (!practitioner) return;
  for (const char* k : {"support", "development", "wellbeing", "competenceConcern"}) {
    (*r)["practitioner"][k] = "Note " + Canary(tag, n++, canaries);
  }
}

}  // namespace

json OneToOneRecord(const std::string& sid, const std::string& tag,
                    std::vector<std::string>* canaries, const std::string& supervisor,
                    const std::string& supervisee) {
  json r = json::parse(ReadFile(std::string(SA_SOURCE_DIR) + "/tests/data/valid-eput-sbar.json"));
  r["sessionId"] = sid;
  r["supervisor"] = Staff(supervisor);
  r["supervisees"] = json::array({Staff(supervisee)});
  r["cases"][0]["actions"][0]["owner"] = Staff(supervisee);
  r["cases"][0]["actions"][1]["owner"] = Staff(supervisor);
  r["signatures"][0]["by"] = supervisor;
  r["signatures"][1]["by"] = supervisee;
  Canaries(&r, 0, tag, canaries, /*practitioner=*/true);
  return r;
}

json GroupRecord(const std::string& sid, const std::string& tag, std::vector<std::string>* canaries,
                 const std::vector<std::string>& supervisees) {
  json r = OneToOneRecord(sid, tag, canaries, "P-10", supervisees.at(0));
  r["type"] = "group";
  r["supervisees"] = json::array();
  r["signatures"] = json::array({r["signatures"][0]});
  for (std::size_t i = 0; i < supervisees.size(); ++i) {
    r["supervisees"].push_back(Staff(supervisees[i]));
    r["signatures"].push_back({{"by", supervisees[i]},
                               {"role", i == 0 ? "supervisee" : "attendee"},
                               {"at", "2026-11-20T11:4" + std::to_string(i + 1) + ":00Z"}});
  }
  r["practitioner"]["about"] = supervisees.at(0);
  return r;
}

void AddSecondCase(json* record, const std::string& tag, std::vector<std::string>* canaries) {
  json c = (*record)["cases"][0];
  c["caseRef"] = "C2";
  for (auto& a : c["actions"]) a["id"] = a["id"].get<std::string>() + "-2";
  (*record)["cases"].push_back(c);
  Canaries(record, (*record)["cases"].size() - 1, tag, canaries, /*practitioner=*/false);
}

json SgscbRecord(const std::string& sid, const std::string& tag,
                 std::vector<std::string>* canaries) {
  json r = OneToOneRecord(sid, tag, canaries);
  r["organisation"] = "SGSCB";
  r["template"] = "free";
  r["cases"][0]["discussion"] = {{"notes", "Reflection " + Canary(tag, 90, canaries)}};
  return r;
}

auth::Principal Caller(const std::string& subject, const std::vector<std::string>& roles,
                       const std::string& org) {
  auth::Principal p;
  p.subject = subject;
  p.roles = std::set<std::string>(roles.begin(), roles.end());
  p.organisations = {org};
  p.issuer = "test";
  p.via = "jwt";
  return p;
}

void ServiceTest::SetUp() {
  static std::atomic<int> counter{0};
  dir_ = (std::filesystem::temp_directory_path() /
          ("sa-svc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
             .string();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  db_path_ = dir_ + "/store.db";
  auto db = store::OpenSqlite(db_path_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(*db);
  auto migrated = store::Migrate(*db_);
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  KeysConfig keys;
  keys.kek_file = dir_ + "/kek.b64";
  auto kek = crypto::GenerateKekBase64();
  ASSERT_TRUE(kek.ok()) << kek.status().ToString();
  std::ofstream(*keys.kek_file) << *kek << "\n";
  auto vault = Vault::Open(keys, *db_);
  ASSERT_TRUE(vault.ok()) << vault.status().ToString();
  vault_ = std::move(*vault);
  auto catalog = mappings::Catalog::Load({});
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  catalog_ = *catalog;
  auto session = db_->Connect();
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  session_ = std::move(*session);
}

void ServiceTest::TearDown() {
  session_.reset();
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ServiceTest::IntakeOk(const json& record) {
  IntakeService intake(db_.get(), catalog_.get(), vault_.get(), {});
  auto r = intake.Intake(record.dump(), "test");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_NE(r->kind, IntakeResult::Kind::kRejected) << r->ToJson().dump();
}

int64_t ServiceTest::Rows(const std::string& table) {
  auto rows = session_->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM " + table);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return -1;
  auto n = store::AsInt((*rows)[0][0]);
  return n.ok() ? *n : -1;
}

std::vector<AuditRow> ServiceTest::AuditRows() {
  std::vector<AuditRow> out;
  auto rows = session_->Query(
      "SELECT actor, action, object, outcome, COALESCE(detail, '') FROM audit_log ORDER BY seq");
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return out;
  for (const auto& r : *rows) {
    out.push_back({*store::AsText(r[0]), *store::AsText(r[1]), *store::AsText(r[2]),
                   *store::AsText(r[3]), *store::AsText(r[4])});
  }
  return out;
}

std::vector<AuditRow> ServiceTest::AuditRowsFor(const std::string& action) {
  std::vector<AuditRow> out;
  for (auto& r : AuditRows()) {
    if (r.action == action) out.push_back(std::move(r));
  }
  return out;
}

bool ServiceTest::AuditChainIntact() {
  auto report = audit::Verify(*session_);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() && report->intact;
}

std::string ServiceTest::StoreFileBytes() {
  return ReadFile(db_path_) + ReadFile(db_path_ + "-wal");
}

void ServiceTest::ExpectNoCanaryInAudit(const std::vector<std::string>& canaries) {
  for (const auto& row : AuditRows()) {
    const std::string all =
        row.actor + "|" + row.action + "|" + row.object + "|" + row.outcome + "|" + row.detail;
    for (const auto& c : canaries) {
      EXPECT_EQ(all.find(c), std::string::npos) << "audit quotes " << c << ": " << all;
    }
  }
}

void ServiceTest::ExpectNoCanaryInStore(const std::vector<std::string>& canaries) {
  const std::string bytes = StoreFileBytes();
  ASSERT_FALSE(bytes.empty());
  for (const auto& c : canaries) {
    EXPECT_EQ(bytes.find(c), std::string::npos) << c << " is in the database in clear";
  }
}

}  // namespace sa::adapter::service::testing
