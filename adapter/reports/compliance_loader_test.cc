#include "adapter/reports/compliance_loader.h"

#include <gtest/gtest.h>

#include "adapter/reports/agreement_store.h"
#include "adapter/reports/compliance_test_support.h"
#include "adapter/reports/test_util.h"

namespace sa::adapter::reports {
namespace {

using mappings::testing::BuiltInCatalog;
using nlohmann::json;
using testing::TempSqlite;

json Record(const std::string& org, const std::string& sid, const std::string& scheduled,
            const std::string& status = "held", const std::string& type = "one-to-one") {
  json r = mappings::testing::ValidRecord();
  r["organisation"] = org;
  r["sessionId"] = sid;
  r["type"] = type;
  r["template"] = "free";
  r["scheduledFor"] = scheduled;
  r["cases"][0]["discussion"] = {{"notes", "words"}};
  if (status == "held") {
    r["heldAt"] = scheduled;
    for (auto& sig : r["signatures"]) sig["at"] = scheduled;
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

json Payload(const std::string& org, const std::string& sid, const json& actions,
             bool revoke = false) {
  return {{"organisation", org},
          {"sessionId", sid},
          {"version", 1},
          {"ehr", {{"caseRef", "C1"}, {"actions", actions}}},
          {"removedActions", json::array()},
          {"revoke", revoke}};
}

json Action(const std::string& id, const std::string& due) {
  return {{"id", id},
          {"what", "Home visit"},
          {"owner", {{"id", "P-20"}, {"name", "Bea Khan"}, {"role", "Health Visitor"}}},
          {"due", due}};
}

class ComplianceLoaderTest : public ::testing::Test {
 protected:
  void Write(const json& record, const std::string& received) {
    Status s = testing::WriteRegisterLikeIntake(db_.session(), BuiltInCatalog(), record, received);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Outbox(const std::string& key, int seq, const json& payload) {
    auto n = db_.session().Exec(
        "INSERT INTO outbox (plan_key, seq, org, session_id, version, case_ref, nhs_hash, payload,"
        " state, attempts, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,'delivered',0,0,0)",
        {key, int64_t{seq}, payload["organisation"].get<std::string>(),
         payload["sessionId"].get<std::string>(), int64_t{seq}, std::string("C1"), std::string("h"),
         payload.dump()});
    ASSERT_TRUE(n.ok()) << n.status().ToString();
  }
  void Seed() {
    json urgent = Record("SGSCB", "S-U", "2026-03-02T14:00:00Z", "held", "urgent");
    urgent["requestedAt"] = "2026-03-01T08:00:00Z";
    Write(urgent, "2026-03-02T16:00:00Z");
    json cancelled = Record("SGSCB", "S-C", "2026-03-10T10:00:00Z", "cancelled");
    Write(cancelled, "2026-03-10T08:00:00Z");
    cancelled["rebookedTo"] = "2026-03-20T10:00:00Z";
    Write(cancelled, "2026-03-14T08:00:00Z");  // rebooked four days later
    Write(Record("SGSCB", "S-2025", "2025-06-01T10:00:00Z"), "2025-06-01T12:00:00Z");
    Write(Record("SGSCB", "S-2023", "2023-06-01T10:00:00Z"), "2023-06-01T12:00:00Z");
    Write(Record("EPUT", "S-E", "2026-03-01T10:00:00Z"), "2026-03-01T12:00:00Z");

    Agreement a;
    a.organisation = "SGSCB";
    a.supervisee = {"P-20", "Bea Khan", "Health Visitor"};
    a.supervisor = {"P-10", "Ann Shaw", "Named Nurse"};
    a.start_date = "2025-01-06";
    ASSERT_TRUE(SaveAgreement(db_.session(), a, "test").ok());
    a.session_minutes = 90;
    ASSERT_TRUE(SaveAgreement(db_.session(), a, "test").ok());
    a.organisation = "EPUT";
    ASSERT_TRUE(SaveAgreement(db_.session(), a, "test").ok());

    Outbox("SGSCB/S-U/C1", 1,
           Payload("SGSCB", "S-U",
                   json::array({Action("A1", "2026-03-10"), Action("A2", "2026-03-11")})));
    Outbox("SGSCB/S-U/C1", 2, Payload("SGSCB", "S-U", json::array({Action("A1", "2026-03-12")})));
    Outbox("SGSCB/S-R/C1", 1, Payload("SGSCB", "S-R", json::array({Action("A9", "2026-03-10")})));
    Outbox("SGSCB/S-R/C1", 2,
           Payload("SGSCB", "S-R", json::array({Action("A9", "2026-03-10")}), true));
    Outbox("EPUT/S-E/C1", 1, Payload("EPUT", "S-E", json::array({Action("A1", "2026-03-10")})));
    auto n = db_.session().Exec(
        "INSERT INTO task_status (task_identifier, org, session_id, action_id, status)"
        " VALUES (?, ?, ?, ?, ?)",
        {std::string("SGSCB/S-U/A1"), std::string("SGSCB"), std::string("S-U"), std::string("A1"),
         std::string("in-progress")});
    ASSERT_TRUE(n.ok()) << n.status().ToString();
  }
  const std::int64_t now_ = *InstantToSeconds("2026-12-31T12:00:00Z");
  TempSqlite db_;
};

TEST_F(ComplianceLoaderTest, LoadsRegisterAgreementsAndActionsWithTheirEhrStatus) {
  Seed();
  auto in = LoadComplianceInput(db_.session(), BuiltInCatalog(), "2026-01-01", "2027-01-01", now_,
                                {"SGSCB"});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->profiles.size(), 1u);
  EXPECT_EQ(in->profiles.at("SGSCB")->code, "SGSCB");
  std::vector<std::string> lines;
  for (const auto& l : in->lines) lines.push_back(l.session_id + "/v" + std::to_string(l.version));
  // The 2025 session is context (before the period); 2023 is beyond the look-back.
  EXPECT_EQ(lines, (std::vector<std::string>{"S-2025/v1", "S-U/v1", "S-C/v1", "S-C/v2"}));
  EXPECT_EQ(in->lines[1].requested_at, "2026-03-01T08:00:00Z");
  ASSERT_EQ(in->agreements.size(), 2u);
  EXPECT_TRUE(in->agreements[0].superseded_by);
  EXPECT_FALSE(in->agreements[1].superseded_by);
  ASSERT_EQ(in->open_actions.size(), 1u);  // A2 removed by version 2; S-R revoked
  const ActionStatus& a = in->open_actions[0];
  EXPECT_EQ(a.organisation, "SGSCB");
  EXPECT_EQ(a.session_id, "S-U");
  EXPECT_EQ(a.action_id, "A1");
  EXPECT_EQ(a.owner_id, "P-20");
  EXPECT_EQ(a.due, "2026-03-12");
  EXPECT_EQ(a.ehr_status, "in-progress");
}

TEST_F(ComplianceLoaderTest, ActionsNeverSyncedHaveNoStatus) {
  Seed();
  auto actions = LoadActionStatuses(db_.session(), {"EPUT"});
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  ASSERT_EQ(actions->size(), 1u);
  EXPECT_FALSE((*actions)[0].ehr_status);
}

TEST_F(ComplianceLoaderTest, EveryProfileWhenNoneIsNamed) {
  Seed();
  auto in =
      LoadComplianceInput(db_.session(), BuiltInCatalog(), "2026-01-01", "2027-01-01", now_, {});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->profiles.size(), 5u);
  EXPECT_EQ(in->agreements.size(), 3u);
  EXPECT_EQ(in->open_actions.size(), 2u);
}

TEST_F(ComplianceLoaderTest, BadRequestsAreRefused) {
  auto unknown = LoadComplianceInput(db_.session(), BuiltInCatalog(), "2026-01-01", "2027-01-01",
                                     now_, {"NOWHERE"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  auto backwards =
      LoadComplianceInput(db_.session(), BuiltInCatalog(), "2027-01-01", "2026-01-01", now_, {});
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ComplianceLoaderTest, EndToEndFromTheStore) {
  Seed();
  auto in = LoadComplianceInput(db_.session(), BuiltInCatalog(), "2026-01-01", "2027-01-01", now_,
                                {"SGSCB"});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ComplianceReport r = BuildCompliance(*in);
  auto urgent = testing::Select(r, kRuleUrgentWithin, Outcome::kMissed);
  ASSERT_EQ(urgent.size(), 1u) << testing::Describe(r);
  EXPECT_EQ(urgent[0].supervisee, "P-20");
  EXPECT_EQ(urgent[0].actual, 30);
  auto rebooking = testing::Select(r, kRuleRebooking, Outcome::kMissed);
  ASSERT_EQ(rebooking.size(), 1u) << testing::Describe(r);
  EXPECT_EQ(rebooking[0].actual, 96);
  auto overdue = testing::Select(r, kRuleActionOverdue, Outcome::kMissed);
  ASSERT_EQ(overdue.size(), 1u) << testing::Describe(r);
  EXPECT_EQ(overdue[0].values["ehrStatus"], "in-progress");
  EXPECT_EQ(ComplianceToJson(r).dump().find("words"), std::string::npos);
}

}  // namespace
}  // namespace sa::adapter::reports
