// The readers of what intake stored: current version, people, sealed records.
#include "adapter/service/records.h"

#include "adapter/service/service_test_util.h"

namespace sa::adapter::service::testing {
namespace {

class RecordsTest : public ServiceTest {};

TEST_F(RecordsTest, LatestVersionFollowsTheRegister) {
  auto none = LatestVersion(*session_, "EPUT", "S-1");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  std::vector<std::string> canaries;
  json r = OneToOneRecord("S-1", "lv", &canaries);
  IntakeOk(r);
  EXPECT_EQ(LatestVersion(*session_, "EPUT", "S-1")->value(), 1);
  r["cases"][0]["actions"].erase(1);
  IntakeOk(r);
  EXPECT_EQ(LatestVersion(*session_, "EPUT", "S-1")->value(), 2);
  EXPECT_FALSE(LatestVersion(*session_, "SGSCB", "S-1")->has_value());
}

TEST_F(RecordsTest, RegisterLineHoldsIdsCodesAndTimesOnly) {
  std::vector<std::string> canaries;
  IntakeOk(GroupRecord("S-G", "rl", &canaries, {"P-20", "P-21"}));
  auto line = ReadRegisterLine(*session_, "EPUT", "S-G", 1);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  ASSERT_TRUE(line->has_value());
  EXPECT_TRUE((*line)->IsGroup());
  EXPECT_EQ((*line)->status, "held");
  EXPECT_EQ((*line)->state, "agreed");
  EXPECT_EQ((*line)->template_name, "sbar");
  json j = (*line)->ToJson();
  EXPECT_EQ(j["heldAt"], "2026-11-20T10:05:00Z");
  EXPECT_EQ(j["durationMinutes"], 90);
  EXPECT_EQ(j.dump().find("Staff "), std::string::npos);  // no names
  EXPECT_FALSE(ReadRegisterLine(*session_, "EPUT", "S-G", 2)->has_value());
}

TEST_F(RecordsTest, SessionPeopleAreKeyedHashesWithTheirRoles) {
  std::vector<std::string> canaries;
  IntakeOk(GroupRecord("S-G", "sp", &canaries, {"P-20", "P-21"}));
  auto people = SessionPeople(*session_, "EPUT", "S-G", 1);
  ASSERT_TRUE(people.ok()) << people.status().ToString();
  ASSERT_EQ(people->size(), 3u);
  EXPECT_EQ((*people)[0].role, "supervisor");
  EXPECT_EQ((*people)[0].staff_hash, *vault_->StaffHash("P-10"));
  std::set<std::string> supervisees;
  for (std::size_t i = 1; i < people->size(); ++i) {
    EXPECT_EQ((*people)[i].role, "supervisee");
    supervisees.insert((*people)[i].staff_hash);
  }
  EXPECT_EQ(supervisees,
            (std::set<std::string>{*vault_->StaffHash("P-20"), *vault_->StaffHash("P-21")}));
}

TEST_F(RecordsTest, ReadDiscussionsOpensWhatIntakeSealed) {
  std::vector<std::string> canaries;
  json r = OneToOneRecord("S-1", "rd", &canaries);
  AddSecondCase(&r, "rd2", &canaries);
  IntakeOk(r);
  auto forms = ReadDiscussions(*session_, *vault_, "EPUT", "S-1", 1);
  ASSERT_TRUE(forms.ok()) << forms.status().ToString();
  ASSERT_EQ(forms->size(), 2u);
  EXPECT_EQ((*forms)[0].record_id, "EPUT/S-1/v1/C1/discussion");
  EXPECT_EQ((*forms)[0].case_ref, "C1");
  EXPECT_EQ((*forms)[0].template_name, "sbar");
  EXPECT_EQ((*forms)[0].form, json({{"discussion", r["cases"][0]["discussion"]}}));
  EXPECT_EQ((*forms)[1].case_ref, "C2");
  EXPECT_EQ((*forms)[1].form, json({{"discussion", r["cases"][1]["discussion"]}}));
  EXPECT_TRUE(ReadDiscussions(*session_, *vault_, "EPUT", "S-1", 2)->empty());
  ExpectNoCanaryInStore(canaries);
}

TEST_F(RecordsTest, ATamperedRecordDoesNotOpenAndTheErrorQuotesNothing) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "tm", &canaries));
  IntakeOk(OneToOneRecord("S-2", "tm2", &canaries));
  // Move S-2's sealed discussion onto S-1's row: the AAD binds it to its own id.
  ASSERT_TRUE(session_
                  ->Exec("UPDATE confidential_records SET sealed = (SELECT sealed FROM"
                         " confidential_records WHERE record_id = 'EPUT/S-2/v1/C1/discussion')"
                         " WHERE record_id = 'EPUT/S-1/v1/C1/discussion'")
                  .ok());
  auto forms = ReadDiscussions(*session_, *vault_, "EPUT", "S-1", 1);
  ASSERT_FALSE(forms.ok());
  EXPECT_EQ(forms.status().code(), StatusCode::kPermissionDenied);
  for (const auto& c : canaries) EXPECT_EQ(forms.status().message().find(c), std::string::npos);
}

TEST_F(RecordsTest, PractitionerRecordsAboutAPersonTakeEachSessionsCurrentVersion) {
  std::vector<std::string> canaries;
  json s1 = OneToOneRecord("S-1", "pa", &canaries);
  IntakeOk(s1);
  s1["practitioner"]["support"] = "Note CANARY-pa-v2-zq";
  IntakeOk(s1);  // version 2 replaces version 1
  IntakeOk(OneToOneRecord("S-2", "pb", &canaries));
  IntakeOk(OneToOneRecord("S-3", "pc", &canaries, "P-10", "P-30"));  // about someone else

  auto records = ReadPractitionerRecords(*session_, *vault_, "EPUT", "P-20");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].record_id, "EPUT/S-1/v2/practitioner");
  EXPECT_EQ((*records)[0].session_id, "S-1");
  EXPECT_EQ((*records)[0].version, 2);
  EXPECT_EQ((*records)[0].organisation, "EPUT");
  EXPECT_EQ((*records)[0].notes.dump().find("CANARY-pa-v2-zq") != std::string::npos, true);
  EXPECT_EQ((*records)[1].record_id, "EPUT/S-2/v1/practitioner");
  EXPECT_TRUE(ReadPractitionerRecords(*session_, *vault_, "SGSCB", "P-20")->empty());
  EXPECT_TRUE(ReadPractitionerRecords(*session_, *vault_, "EPUT", "P-99")->empty());

  auto one = ReadSessionPractitionerRecord(*session_, *vault_, "EPUT", "S-3", 1);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->record_id, "EPUT/S-3/v1/practitioner");
}

TEST_F(RecordsTest, ReadersAppendNoAuditEntry) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "na", &canaries));
  const int64_t before = Rows("audit_log");
  ASSERT_TRUE(ReadDiscussions(*session_, *vault_, "EPUT", "S-1", 1).ok());
  ASSERT_TRUE(ReadPractitionerRecords(*session_, *vault_, "EPUT", "P-20").ok());
  EXPECT_EQ(Rows("audit_log"), before);
}

}  // namespace
}  // namespace sa::adapter::service::testing
