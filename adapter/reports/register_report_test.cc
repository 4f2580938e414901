#include "adapter/reports/register_report.h"

#include <gtest/gtest.h>

#include "adapter/reports/test_util.h"
#include "mappings/test_support.h"

namespace sa::adapter::reports {
namespace {

using mappings::testing::BuiltInCatalog;
using nlohmann::json;
using testing::TempSqlite;
using testing::WriteRegisterLikeIntake;

constexpr char kCanary[] = "CANARY-register-discussion";

// A valid record of `org` on the `free` template (every profile allows it),
// held at `scheduled` unless `status` says otherwise.
json Record(const std::string& org, const std::string& sid, const std::string& scheduled,
            const std::string& status = "held", const std::string& type = "one-to-one") {
  json r = mappings::testing::ValidRecord();
  r["organisation"] = org;
  r["sessionId"] = sid;
  r["type"] = type;
  r["template"] = "free";
  r["scheduledFor"] = scheduled;
  r["cases"][0]["discussion"] = {{"notes", std::string(kCanary) + " what was said"}};
  r["practitioner"] = {{"support", std::string(kCanary) + " practitioner"}};
  if (status == "held") {
    r["heldAt"] = scheduled;
  } else {
    r["status"] = status;
    r["heldAt"] = nullptr;
    r["durationMinutes"] = nullptr;
    r.erase("cases");
    r.erase("practitioner");
    r["signatures"] = json::array();
  }
  return r;
}

class RegisterReportTest : public ::testing::Test {
 protected:
  void Write(const json& record, const std::string& received = "2026-11-30T12:00:00Z") {
    Status s = WriteRegisterLikeIntake(db_.session(), BuiltInCatalog(), record, received);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void WriteNovember() {
    json held = Record("EPUT", "S-HELD", "2026-11-20T10:00:00Z");
    Write(held);
    held["durationMinutes"] = 75;  // a second version
    held["signatures"].erase(1);   // the supervisee's signature withdrawn: awaiting
    Write(held);
    json cancelled = Record("SGSCB", "S-CANC", "2026-11-05T09:00:00Z", "cancelled");
    cancelled["template"] = "free";
    cancelled["rebookedTo"] = "2026-11-06T09:00:00Z";
    Write(cancelled);
    Write(Record("EPUT", "S-DNA", "2026-11-10T14:00:00Z", "did-not-attend"));
    json urgent = Record("SGSCB", "S-URG", "2026-11-12T08:00:00Z", "held", "urgent");
    urgent["requestedAt"] = "2026-11-11T17:00:00Z";
    Write(urgent);
    Write(Record("HSCP", "S-ADHOC", "2026-11-25T16:00:00Z", "held", "ad-hoc"));
    Write(Record("EPUT", "S-OCT", "2026-10-31T23:59:59Z"));  // before the period
    Write(Record("EPUT", "S-DEC", "2026-12-01T00:00:00Z"));  // at `to`: excluded
  }
  TempSqlite db_;
};

TEST_F(RegisterReportTest, Rs9_EverySessionInThePeriodIsALineLatestVersionOnly) {
  WriteNovember();
  auto lines = LoadRegister(db_.session(), {"2026-11-01", "2026-12-01", {}});
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  std::vector<std::string> ids;
  for (const auto& l : *lines) ids.push_back(l.session_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"S-CANC", "S-DNA", "S-URG", "S-HELD", "S-ADHOC"}));

  const RegisterLine& held = (*lines)[3];
  EXPECT_EQ(held.version, 2);
  EXPECT_FALSE(held.superseded_by);
  EXPECT_EQ(held.duration_minutes, 75);
  EXPECT_EQ(held.state, "awaiting-signatures");
  EXPECT_EQ(held.signatures, 1);
  EXPECT_EQ(held.awaiting, std::vector<std::string>{"P-20"});
  EXPECT_FALSE(held.agreed_at);
  EXPECT_EQ(held.supervisor, (Staff{"P-10", "Ann Shaw", "Named Nurse Safeguarding Children"}));
  ASSERT_EQ(held.supervisees.size(), 1u);
  EXPECT_EQ(held.supervisees[0].name, "Bea Khan");
  EXPECT_EQ(held.template_name, "free");
  EXPECT_EQ(held.received_at, "2026-11-30T12:00:00Z");

  const RegisterLine& cancelled = (*lines)[0];
  EXPECT_EQ(cancelled.status, "cancelled");
  EXPECT_EQ(cancelled.state, "cancelled");
  EXPECT_EQ(cancelled.rebooked_to, "2026-11-06T09:00:00Z");
  EXPECT_FALSE(cancelled.held_at);
  EXPECT_FALSE(cancelled.duration_minutes);
  EXPECT_EQ(cancelled.signatures, 0);

  const RegisterLine& urgent = (*lines)[2];
  EXPECT_EQ(urgent.type, "urgent");
  EXPECT_EQ(urgent.requested_at, "2026-11-11T17:00:00Z");
  EXPECT_EQ(urgent.state, "agreed");
  EXPECT_EQ(urgent.agreed_at, "2026-11-20T11:41:00Z");
  EXPECT_EQ((*lines)[4].type, "ad-hoc");
}

TEST_F(RegisterReportTest, VersionsIncludeSupersededOnes) {
  WriteNovember();
  auto lines = LoadRegisterVersions(db_.session(), {"2026-11-01", "2026-12-01", {"EPUT"}});
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  ASSERT_EQ(lines->size(), 3u);  // S-DNA, S-HELD v1, S-HELD v2
  EXPECT_EQ((*lines)[1].session_id, "S-HELD");
  EXPECT_EQ((*lines)[1].version, 1);
  EXPECT_EQ((*lines)[1].superseded_by, 2);
  EXPECT_EQ((*lines)[2].version, 2);
}

TEST_F(RegisterReportTest, OrganisationFilter) {
  WriteNovember();
  auto lines = LoadRegister(db_.session(), {"2026-11-01", "2026-12-01", {"SGSCB", "HSCP"}});
  ASSERT_TRUE(lines.ok());
  std::vector<std::string> ids;
  for (const auto& l : *lines) ids.push_back(l.session_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"S-CANC", "S-URG", "S-ADHOC"}));
}

TEST_F(RegisterReportTest, ThePeriodIsUtcWhateverOffsetTheRecordUsed) {
  Write(Record("EPUT", "S-LATE", "2026-12-01T00:30:00+01:00"));   // 30 Nov 23:30Z: in
  Write(Record("EPUT", "S-EARLY", "2026-11-01T00:30:00+01:00"));  // 31 Oct 23:30Z: out
  Write(Record("EPUT", "S-WEST", "2026-10-31T20:00:00-05:00"));   // 1 Nov 01:00Z: in
  auto lines = LoadRegister(db_.session(), {"2026-11-01", "2026-12-01", {}});
  ASSERT_TRUE(lines.ok());
  std::vector<std::string> ids;
  for (const auto& l : *lines) ids.push_back(l.session_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"S-WEST", "S-LATE"}));
}

TEST_F(RegisterReportTest, JsonHoldsNoContentAndHasAStableShape) {
  WriteNovember();
  auto lines = LoadRegister(db_.session(), {"2026-11-01", "2026-12-01", {}});
  ASSERT_TRUE(lines.ok());
  json j = RegisterToJson({"2026-11-01", "2026-12-01", {}}, *lines);
  EXPECT_EQ(j.dump().find("CANARY"), std::string::npos);
  EXPECT_EQ(j.dump().find("9434765919"), std::string::npos);  // the child's NHS number
  EXPECT_EQ(RegisterToCsv(*lines).find("CANARY"), std::string::npos);
  ASSERT_EQ(j["lines"].size(), 5u);
  std::vector<std::string> keys;
  for (auto it = j["lines"][0].begin(); it != j["lines"][0].end(); ++it) keys.push_back(it.key());
  std::vector<std::string> expected = {"agreedAt",
                                       "awaitingSignatures",
                                       "durationMinutes",
                                       "heldAt",
                                       "organisation",
                                       "rebookedTo",
                                       "receivedAt",
                                       "requestedAt",
                                       "scheduledFor",
                                       "sessionId",
                                       "signatures",
                                       "state",
                                       "status",
                                       "supervisees",
                                       "supervisor",
                                       "template",
                                       "type",
                                       "version"};
  EXPECT_EQ(keys, expected);
  EXPECT_TRUE(j["lines"][0]["heldAt"].is_null());
  EXPECT_EQ(j["lines"][2]["requestedAt"], "2026-11-11T17:00:00Z");
}

TEST_F(RegisterReportTest, CsvHeaderIsStableAndCellsAreQuotedAndGuarded) {
  json r = Record("CROYDON", "S-CSV", "2026-11-15T10:00:00Z");
  r["supervisor"]["name"] = "Shaw, Ann \"Nan\"";
  r["supervisor"]["role"] = "=HYPERLINK(\"http://evil\")";
  Write(r);
  auto lines = LoadRegister(db_.session(), {"2026-11-01", "2026-12-01", {}});
  ASSERT_TRUE(lines.ok());
  const std::string csv = RegisterToCsv(*lines);
  const std::string header =
      "organisation,sessionId,version,type,status,state,scheduledFor,heldAt,requestedAt,"
      "durationMinutes,rebookedTo,agreedAt,supervisorId,supervisorName,supervisorRole,"
      "superviseeIds,superviseeNames,template,receivedAt,signatures,awaitingSignatures\r\n";
  ASSERT_EQ(csv.substr(0, header.size()), header);
  EXPECT_EQ(
      csv.substr(header.size()),
      "CROYDON,S-CSV,1,one-to-one,held,agreed,2026-11-15T10:00:00Z,2026-11-15T10:00:00Z,,90,,"
      "2026-11-20T11:41:00Z,P-10,\"Shaw, Ann \"\"Nan\"\"\",\"'=HYPERLINK(\"\"http://evil\"\")\","
      "P-20,Bea Khan,free,2026-11-30T12:00:00Z,2,\r\n");
}

TEST_F(RegisterReportTest, BadPeriodsAreRefused) {
  for (const RegisterQuery& q :
       {RegisterQuery{"2026-13-01", "2026-12-01", {}}, RegisterQuery{"2026-11-01", "tomorrow", {}},
        RegisterQuery{"2026-11-01", "2026-11-01", {}},
        RegisterQuery{"2000-01-01", "2026-01-01", {}}}) {
    auto lines = LoadRegister(db_.session(), q);
    ASSERT_FALSE(lines.ok()) << q.from << " " << q.to;
    EXPECT_EQ(lines.status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace sa::adapter::reports
