// RS-10: records move with the supervisee (custody) and pass to the personnel
// file on departure; nothing is copied or sent to the EHR on the way.
#include "adapter/service/custody.h"

#include "adapter/service/service_test_util.h"

namespace sa::adapter::service::testing {
namespace {

class CustodyTest : public ServiceTest {
 protected:
  auth::Principal Lead() { return Caller("P-1", {"safeguarding-lead"}, "EPUT"); }
  std::string Hash(const std::string& id) { return *vault_->StaffHash(id); }
};

TEST_F(CustodyTest, Rs10_NoCustodyRowUntilTheFirstTransfer) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "nc", &canaries));
  auto current = CurrentSupervisorHash(*session_, "EPUT", Hash("P-20"));
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_FALSE(current->has_value());
}

TEST_F(CustodyTest, Rs10_TransferMovesCustodyAndCopiesNothing) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "tr", &canaries));
  const int64_t records = Rows("confidential_records"), outbox = Rows("outbox");

  auto t =
      TransferSupervisee(*session_, *vault_, "EPUT", "P-20", "P-30", "supervisor-left", Lead());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->supervisee_hash, Hash("P-20"));
  EXPECT_EQ(t->previous_supervisor_hash, Hash("P-10"));
  EXPECT_EQ(t->new_supervisor_hash, Hash("P-30"));
  auto current = CurrentSupervisorHash(*session_, "EPUT", Hash("P-20"));
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->value(), Hash("P-30"));  // the new supervisor is current
  EXPECT_NE(current->value(), Hash("P-10"));  // the old one no longer is

  // The first transfer records the relationship the sessions showed, closed.
  auto rows = session_->Query(
      "SELECT supervisor_hash, from_at, to_at, reason FROM custody"
      " ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(*store::AsText((*rows)[0][0]), Hash("P-10"));
  EXPECT_EQ(*store::AsText((*rows)[0][1]), "2026-11-20T10:05:00Z");
  EXPECT_FALSE(store::IsNull((*rows)[0][2]));
  EXPECT_EQ(*store::AsText((*rows)[1][0]), Hash("P-30"));
  EXPECT_TRUE(store::IsNull((*rows)[1][2]));
  EXPECT_EQ(*store::AsText((*rows)[1][3]), "supervisor-left");

  // Nothing copied, nothing queued for the EHR.
  EXPECT_EQ(Rows("confidential_records"), records);
  EXPECT_EQ(Rows("outbox"), outbox);

  auto audits = AuditRowsFor("transfer");
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0].object, "supervisee/" + Hash("P-20"));
  EXPECT_EQ(audits[0].actor, "api:P-1");
  EXPECT_EQ(audits[0].outcome, "ok");
  for (const char* id : {"P-10", "P-20", "P-30", "Staff "}) {
    EXPECT_EQ(audits[0].detail.find(id), std::string::npos) << audits[0].detail;
  }
  EXPECT_TRUE(AuditChainIntact());
}

TEST_F(CustodyTest, Rs10_ASecondTransferChains) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "ch", &canaries));
  ASSERT_TRUE(
      TransferSupervisee(*session_, *vault_, "EPUT", "P-20", "P-30", "reorganisation", Lead())
          .ok());
  auto t =
      TransferSupervisee(*session_, *vault_, "EPUT", "P-20", "P-40", "supervisor-left", Lead());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->previous_supervisor_hash, Hash("P-30"));
  EXPECT_EQ(CurrentSupervisorHash(*session_, "EPUT", Hash("P-20"))->value(), Hash("P-40"));
  EXPECT_EQ(Rows("custody"), 3);
  auto open = session_->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM custody WHERE to_at IS NULL");
  EXPECT_EQ(*store::AsInt((*open)[0][0]), 1);
  EXPECT_EQ(AuditRowsFor("transfer").size(), 2u);
}

TEST_F(CustodyTest, Rs10_TransferRefusals) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "rf", &canaries));
  auto unknown = TransferSupervisee(*session_, *vault_, "EPUT", "P-99", "P-30", "x", Lead());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto supervisor_only =  // P-10 supervises but is nobody's supervisee
      TransferSupervisee(*session_, *vault_, "EPUT", "P-10", "P-30", "x", Lead());
  EXPECT_EQ(supervisor_only.status().code(), StatusCode::kNotFound);
  auto same = TransferSupervisee(*session_, *vault_, "EPUT", "P-20", "P-10", "x", Lead());
  EXPECT_EQ(same.status().code(), StatusCode::kConflict);
  auto prose = TransferSupervisee(*session_, *vault_, "EPUT", "P-20", "P-30",
                                  "Bea struggled with her caseload", Lead());
  EXPECT_EQ(prose.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(prose.status().message().find("caseload"), std::string::npos);
  auto self = TransferSupervisee(*session_, *vault_, "EPUT", "P-20", "P-20", "x", Lead());
  EXPECT_EQ(self.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Rows("custody"), 0);

  auto other_org = TransferSupervisee(*session_, *vault_, "EPUT", "P-20", "P-30", "x",
                                      Caller("P-2", {"safeguarding-lead"}, "SGSCB"));
  EXPECT_EQ(other_org.status().code(), StatusCode::kPermissionDenied);
  auto refused = AuditRowsFor("transfer");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].outcome, "refused");
  EXPECT_EQ(Rows("custody"), 0);
}

TEST_F(CustodyTest, Rs10_DeparturePackageFollowsRs6AndIsSealed) {
  std::vector<std::string> one, group, other, supervised;
  IntakeOk(OneToOneRecord("S-1", "dp1", &one));
  IntakeOk(GroupRecord("S-G", "dpg", &group, {"P-21", "P-20"}));        // notes about P-21
  IntakeOk(OneToOneRecord("S-3", "dp3", &other, "P-10", "P-30"));       // not P-20's
  IntakeOk(OneToOneRecord("S-4", "dp4", &supervised, "P-20", "P-31"));  // P-20 supervises
  const int64_t outbox = Rows("outbox");

  auto package = RecordDeparture(*session_, *vault_, "EPUT", "P-20", Lead());
  ASSERT_TRUE(package.ok()) << package.status().ToString();
  const json& p = *package;
  EXPECT_EQ(p["organisation"], "EPUT");
  EXPECT_EQ(p["staffId"], "P-20");
  EXPECT_EQ(p["packageId"].get<std::string>().rfind("PKG-", 0), 0u);

  // Every session attended, register line only (no content), with the role.
  ASSERT_EQ(p["sessions"].size(), 3u);
  std::map<std::string, std::string> roles;
  for (const auto& s : p["sessions"]) roles[s["sessionId"]] = s["role"];
  EXPECT_EQ(roles, (std::map<std::string, std::string>{
                       {"S-1", "supervisee"}, {"S-G", "supervisee"}, {"S-4", "supervisor"}}));
  std::string sessions = p["sessions"].dump();
  for (const auto& c : one) EXPECT_EQ(sessions.find(c), std::string::npos);

  // Discussions: the one-to-one session where P-20 was the supervisee, only.
  ASSERT_EQ(p["discussions"].size(), 1u);
  EXPECT_EQ(p["discussions"][0]["recordId"], "EPUT/S-1/v1/C1/discussion");
  EXPECT_NE(p["discussions"][0]["form"].dump().find(one[0]), std::string::npos);
  // RS-6: the group session is listed by id; none of its notes are in the file.
  ASSERT_EQ(p["groupSessionsWithheld"].size(), 1u);
  EXPECT_EQ(p["groupSessionsWithheld"][0]["sessionId"], "S-G");
  const std::string all = p.dump();
  for (const auto& c : group) EXPECT_EQ(all.find(c), std::string::npos) << c;
  for (const auto& c : other) EXPECT_EQ(all.find(c), std::string::npos) << c;
  for (const auto& c : supervised) EXPECT_EQ(all.find(c), std::string::npos) << c;

  // Practitioner records about P-20 only (S-1); the group's is about P-21.
  ASSERT_EQ(p["practitionerRecords"].size(), 1u);
  EXPECT_EQ(p["practitionerRecords"][0]["recordId"], "EPUT/S-1/v1/practitioner");

  // Sealed in the store, never in clear; nothing to the outbox or the EHR.
  auto sealed = session_->Query(
      "SELECT record_id, about_hash FROM confidential_records WHERE kind = 'personnel-package'");
  ASSERT_EQ(sealed->size(), 1u);
  EXPECT_EQ(*store::AsText((*sealed)[0][0]), "EPUT/personnel/" + p["packageId"].get<std::string>());
  EXPECT_EQ(*store::AsText((*sealed)[0][1]), Hash("P-20"));
  ExpectNoCanaryInStore(one);
  const std::string bytes = StoreFileBytes();
  for (const char* key : {"practitionerRecords", "groupSessionsWithheld"}) {
    EXPECT_EQ(bytes.find(key), std::string::npos) << key << " is in the database in clear";
  }
  EXPECT_EQ(Rows("outbox"), outbox);
  EXPECT_TRUE(*IsDeparted(*session_, "EPUT", Hash("P-20")));
  EXPECT_FALSE(*IsDeparted(*session_, "EPUT", Hash("P-21")));

  // Audited: each sealed read, the package write, the departure; no text.
  EXPECT_EQ(AuditRowsFor("depart").size(), 1u);
  EXPECT_EQ(AuditRowsFor("depart")[0].object, "staff/" + Hash("P-20"));
  EXPECT_EQ(AuditRowsFor("write-personnel-package").size(), 1u);
  int reads = 0;
  for (const auto& a : AuditRows()) {
    if ((a.action == "read-discussion" || a.action == "read-practitioner-record") &&
        a.detail.find("purpose=departure") != std::string::npos) {
      ++reads;
    }
  }
  EXPECT_EQ(reads, 2);
  std::vector<std::string> canaries = one;
  canaries.insert(canaries.end(), group.begin(), group.end());
  ExpectNoCanaryInAudit(canaries);
  EXPECT_TRUE(AuditChainIntact());
}

TEST_F(CustodyTest, Rs10_ASecondDepartureIsAConflict) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "sd", &canaries));
  ASSERT_TRUE(RecordDeparture(*session_, *vault_, "EPUT", "P-20", Lead()).ok());
  const int64_t records = Rows("confidential_records");
  auto again = RecordDeparture(*session_, *vault_, "EPUT", "P-20", Lead());
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_EQ(Rows("confidential_records"), records);
  EXPECT_EQ(Rows("departures"), 1);
  // A departed supervisee is not transferred any more.
  auto t = TransferSupervisee(*session_, *vault_, "EPUT", "P-20", "P-30", "x", Lead());
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(CustodyTest, Rs10_DepartureRefusals) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "dr", &canaries));
  const int64_t records = Rows("confidential_records");
  auto unknown = RecordDeparture(*session_, *vault_, "EPUT", "P-99", Lead());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto other_org =
      RecordDeparture(*session_, *vault_, "EPUT", "P-20", Caller("P-2", {"hr"}, "SGSCB"));
  EXPECT_EQ(other_org.status().code(), StatusCode::kPermissionDenied);
  ASSERT_EQ(AuditRowsFor("depart").size(), 1u);
  EXPECT_EQ(AuditRowsFor("depart")[0].outcome, "refused");
  EXPECT_EQ(Rows("departures"), 0);
  EXPECT_EQ(Rows("confidential_records"), records);
}

}  // namespace
}  // namespace sa::adapter::service::testing
