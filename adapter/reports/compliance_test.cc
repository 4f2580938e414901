#include "adapter/reports/compliance.h"

#include <gtest/gtest.h>

#include "adapter/reports/compliance_test_support.h"

namespace sa::adapter::reports {
namespace {

using namespace testing;  // NOLINT: the test builders
using nlohmann::json;

// Held sessions every `every` days from `first` while before `until`.
std::vector<RegisterLine> Series(const std::string& org, const std::string& sv,
                                 const std::string& first, int every,
                                 const std::string& until = "2026-12-31") {
  std::vector<RegisterLine> out;
  const std::int64_t end = *DateToDays(until);
  int n = 0;
  for (std::int64_t d = *DateToDays(first); d < end; d += every) {
    out.push_back(Held(org, sv + "-R" + std::to_string(n++), {sv}, DaysToDate(d) + "T10:00:00Z"));
  }
  return out;
}

TEST(ComplianceTest, UrgentIsMeasuredFromRequestedAtAndNeverPassesWithoutIt) {
  const auto& p = BuiltInProfile("SGSCB");
  ComplianceInput in = YearInput(p);
  RegisterLine quick = Held("SGSCB", "U-QUICK", {"P-1"}, "2026-03-02T09:00:00Z", 60, "urgent");
  quick.requested_at = "2026-03-01T10:00:00Z";  // 23 h
  RegisterLine slow = Held("SGSCB", "U-SLOW", {"P-1"}, "2026-04-02T16:00:00Z", 60, "urgent");
  slow.requested_at = "2026-04-01T10:00:00Z";  // 30 h
  RegisterLine unknown = Held("SGSCB", "U-UNKNOWN", {"P-1"}, "2026-05-02T16:00:00Z", 60, "urgent");
  RegisterLine cancelled = NotHeld("SGSCB", "U-CANC", "P-1", "2026-06-02T16:00:00Z", std::nullopt);
  cancelled.type = "urgent";
  cancelled.requested_at = "2026-06-02T09:00:00Z";
  in.lines = {quick, slow, unknown, cancelled};
  ComplianceReport r = BuildCompliance(in);

  auto met = Select(r, kRuleUrgentWithin, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].session_id, "U-QUICK");
  EXPECT_EQ(met[0].actual, 23);
  EXPECT_EQ(met[0].limit, 24);
  EXPECT_NE(met[0].cite.find("SGSCB §3.4"), std::string::npos);
  auto missed = Select(r, kRuleUrgentWithin, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 2u) << Describe(r);
  EXPECT_EQ(missed[0].session_id, "U-CANC");
  EXPECT_EQ(missed[1].session_id, "U-SLOW");
  EXPECT_EQ(missed[1].actual, 30);
  EXPECT_EQ(missed[1].values["requestedAt"], "2026-04-01T10:00:00Z");
  auto unchecked = Select(r, kRuleUrgentWithin, Outcome::kNotCheckable);
  ASSERT_EQ(unchecked.size(), 1u);
  EXPECT_EQ(unchecked[0].session_id, "U-UNKNOWN");
  EXPECT_EQ(unchecked[0].detail, "cannot be checked: requestedAt not recorded");
}

TEST(ComplianceTest, AProfileWithoutAnUrgentRuleReportsNothingForIt) {
  const auto& p = BuiltInProfile("EPUT");  // urgent.withinHours is null
  ComplianceInput in = YearInput(p);
  RegisterLine slow = Held("EPUT", "U-SLOW", {"P-1"}, "2026-04-03T16:00:00Z", 60, "urgent");
  slow.requested_at = "2026-04-01T10:00:00Z";
  in.lines = {slow};
  ComplianceReport r = BuildCompliance(in);
  for (const auto& f : r.findings) EXPECT_NE(f.rule, kRuleUrgentWithin) << Describe(r);
}

TEST(ComplianceTest, StaffGroupRulesNeedTheAgreementToNameTheGroup) {
  const auto& p = BuiltInProfile("EPUT");
  ComplianceInput in = YearInput(p);
  in.lines = Series("EPUT", "P-1", "2026-01-05", 30);
  ComplianceReport r = BuildCompliance(in);
  auto gap = Select(r, kRuleMaxGap, Outcome::kNotCheckable);
  auto count = Select(r, kRuleMinPer12Months, Outcome::kNotCheckable);
  ASSERT_EQ(gap.size(), 1u) << Describe(r);
  ASSERT_EQ(count.size(), 1u);
  EXPECT_NE(gap[0].detail.find("mental-health, community"), std::string::npos) << gap[0].detail;

  in.agreements = {MakeAgreement("EPUT", "P-1", "2025-06-01", "community")};
  r = BuildCompliance(in);
  EXPECT_TRUE(Select(r, kRuleMaxGap, Outcome::kMet).empty()) << Describe(r);  // no gap rule
  auto met = Select(r, kRuleMinPer12Months, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].limit, 2);
  EXPECT_NE(met[0].cite.find("EPUT §3.2.1"), std::string::npos);

  in.agreements = {MakeAgreement("EPUT", "P-1", "2025-06-01", "mental-health")};
  r = BuildCompliance(in);
  auto gap_met = Select(r, kRuleMaxGap, Outcome::kMet);
  ASSERT_EQ(gap_met.size(), 1u) << Describe(r);
  EXPECT_EQ(gap_met[0].limit, 42);
  EXPECT_EQ(gap_met[0].actual, 30);
  EXPECT_TRUE(Select(r, kRuleMinPer12Months, Outcome::kMet).empty());
}

TEST(ComplianceTest, PerAgreementFrequencyComesFromTheAgreement) {
  const auto& p = BuiltInProfile("CROYDON");
  ComplianceInput in = YearInput(p);
  in.lines = Series("CROYDON", "P-1", "2026-01-05", 30);
  ComplianceReport r = BuildCompliance(in);
  EXPECT_EQ(Select(r, kRuleMaxGap, Outcome::kNotCheckable).size(), 1u) << Describe(r);
  EXPECT_EQ(Select(r, kRuleMinPer12Months, Outcome::kNotCheckable).size(), 1u);

  Agreement a = MakeAgreement("CROYDON", "P-1", "2025-06-01");
  in.agreements = {a};
  r = BuildCompliance(in);
  auto none = Select(r, kRuleMaxGap, Outcome::kNotCheckable);
  ASSERT_EQ(none.size(), 1u) << Describe(r);
  EXPECT_NE(none[0].detail.find("sets no frequency figure"), std::string::npos);

  a.frequency.max_gap_days = 28;  // sessions every 30 days: every gap missed
  a.frequency.min_sessions_per_12_months = 12;
  in.agreements = {a};
  r = BuildCompliance(in);
  auto missed = Select(r, kRuleMaxGap, Outcome::kMissed);
  EXPECT_GE(missed.size(), 10u) << Describe(r);
  EXPECT_EQ(missed[0].agreement_id, a.id);
  EXPECT_NE(missed[0].cite.find("CROYDON §4"), std::string::npos);
  EXPECT_NE(missed[0].cite.find(a.id), std::string::npos);
  auto count = Select(r, kRuleMinPer12Months, Outcome::kMet);
  ASSERT_EQ(count.size(), 1u) << Describe(r);
  EXPECT_EQ(count[0].actual, 12);
}

TEST(ComplianceTest, AnAgreementTightensTheProfileButNeverLoosensIt) {
  const auto& p = BuiltInProfile("CALDERDALE");  // every 42 days
  ComplianceInput in = YearInput(p);
  in.lines = Series("CALDERDALE", "P-1", "2026-01-05", 35);
  Agreement loose = MakeAgreement("CALDERDALE", "P-1", "2025-06-01");
  loose.frequency.max_gap_days = 60;
  in.agreements = {loose};
  ComplianceReport r = BuildCompliance(in);
  auto met = Select(r, kRuleMaxGap, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].limit, 42);
  EXPECT_TRUE(met[0].agreement_id.empty());

  Agreement tight = loose;
  tight.frequency.max_gap_days = 28;
  in.agreements = {tight};
  r = BuildCompliance(in);
  auto missed = Select(r, kRuleMaxGap, Outcome::kMissed);
  ASSERT_FALSE(missed.empty()) << Describe(r);
  EXPECT_EQ(missed[0].limit, 28);
  EXPECT_EQ(missed[0].agreement_id, tight.id);
}

TEST(ComplianceTest, AGapStillOpenAtTheEndOfThePeriodIsMissed) {
  const auto& p = BuiltInProfile("CALDERDALE");
  ComplianceInput in = YearInput(p);
  in.lines = Series("CALDERDALE", "P-1", "2026-01-05", 30, "2026-10-01");  // last 2026-09-02
  ComplianceReport r = BuildCompliance(in);
  auto missed = Select(r, kRuleMaxGap, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 1u) << Describe(r);
  EXPECT_EQ(missed[0].values["from"], "2026-09-02");
  EXPECT_EQ(missed[0].values["asOf"], "2026-12-31");
  EXPECT_EQ(missed[0].actual, 120);
}

TEST(ComplianceTest, UrgentAndAdHocSessionsDoNotCountTowardsTheFrequency) {
  const auto& p = BuiltInProfile("CALDERDALE");
  ComplianceInput in = YearInput(p);
  in.lines = Series("CALDERDALE", "P-1", "2026-01-05", 40);
  // Between two regular sessions 80 days apart, an ad hoc and an urgent one.
  in.lines.erase(in.lines.begin() + 4);
  in.lines.push_back(Held("CALDERDALE", "ADHOC", {"P-1"}, "2026-05-20T10:00:00Z", 90, "ad-hoc"));
  RegisterLine urgent = Held("CALDERDALE", "URG", {"P-1"}, "2026-06-01T10:00:00Z", 90, "urgent");
  urgent.requested_at = "2026-06-01T08:00:00Z";
  in.lines.push_back(urgent);
  ComplianceReport r = BuildCompliance(in);
  auto missed = Select(r, kRuleMaxGap, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 1u) << Describe(r);
  EXPECT_EQ(missed[0].actual, 80);
}

TEST(ComplianceTest, TwelveMonthCountWaitsForAYearOfSupervision) {
  const auto& p = BuiltInProfile("SGSCB");
  ComplianceInput in = YearInput(p);
  in.lines = Series("SGSCB", "P-1", "2026-06-05", 30);
  in.agreements = {MakeAgreement("SGSCB", "P-1", "2026-06-01")};  // 7 sessions
  ComplianceReport r = BuildCompliance(in);
  auto unchecked = Select(r, kRuleMinPer12Months, Outcome::kNotCheckable);
  ASSERT_EQ(unchecked.size(), 1u) << Describe(r);
  EXPECT_EQ(unchecked[0].values["relationshipStart"], "2026-06-01");

  in.agreements[0].start_date = "2025-06-01";
  r = BuildCompliance(in);
  auto met = Select(r, kRuleMinPer12Months, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].actual, 7);
  EXPECT_EQ(met[0].values["windowFrom"], "2025-12-31");

  in.lines = Series("SGSCB", "P-1", "2026-06-05", 45);
  r = BuildCompliance(in);
  auto missed = Select(r, kRuleMinPer12Months, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 1u) << Describe(r);
  EXPECT_EQ(missed[0].actual, 5);
  EXPECT_EQ(missed[0].limit, 6);
}

TEST(ComplianceTest, ARelationshipThatBeganInThePeriodIsMeasuredFromItsStart) {
  const auto& p = BuiltInProfile("CALDERDALE");
  ComplianceInput in = YearInput(p);
  in.lines = Series("CALDERDALE", "P-1", "2026-04-01", 30);
  in.agreements = {MakeAgreement("CALDERDALE", "P-1", "2026-02-01")};
  ComplianceReport r = BuildCompliance(in);
  auto missed = Select(r, kRuleMaxGap, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 1u) << Describe(r);
  EXPECT_EQ(missed[0].values["fromKind"], "startDate");
  EXPECT_EQ(missed[0].actual, 59);

  in.agreements[0].start_date = "2025-02-01";  // older than the register: not measured
  r = BuildCompliance(in);
  EXPECT_TRUE(Select(r, kRuleMaxGap, Outcome::kMissed).empty()) << Describe(r);
}

TEST(ComplianceTest, RebookingImmediatelyMeansWithTheCancellation) {
  const auto& p = BuiltInProfile("SGSCB");
  ComplianceInput in = YearInput(p);
  RegisterLine at_once =
      NotHeld("SGSCB", "C-ONCE", "P-1", "2026-03-10T10:00:00Z", "2026-03-12T10:00:00Z");
  RegisterLine v1 = NotHeld("SGSCB", "C-LATER", "P-1", "2026-04-10T10:00:00Z", std::nullopt);
  RegisterLine v2 = v1;
  v1.superseded_by = 2;
  v2.version = 2;
  v2.rebooked_to = "2026-04-20T10:00:00Z";
  v2.received_at = "2026-04-12T10:00:00Z";  // three days after the cancellation was recorded
  RegisterLine never =
      NotHeld("SGSCB", "C-NEVER", "P-1", "2026-05-10T10:00:00Z", std::nullopt, "did-not-attend");
  in.lines = {at_once, v1, v2, never};
  ComplianceReport r = BuildCompliance(in);
  auto met = Select(r, kRuleRebooking, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].session_id, "C-ONCE");
  auto missed = Select(r, kRuleRebooking, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 2u) << Describe(r);
  EXPECT_EQ(missed[0].session_id, "C-LATER");
  EXPECT_EQ(missed[0].actual, 72);
  EXPECT_EQ(missed[1].session_id, "C-NEVER");
  EXPECT_EQ(missed[1].detail, "the did-not-attend session was not rebooked");
}

TEST(ComplianceTest, AnOldVersionIsNotJudgedWhenItsSuccessorWasNotLoaded) {
  const auto& p = BuiltInProfile("CALDERDALE");
  ComplianceInput in = YearInput(p);
  RegisterLine v1 = Held("CALDERDALE", "S-MOVED", {"P-1"}, "2026-03-01T10:00:00Z", 30);
  v1.superseded_by = 2;  // version 2 was rescheduled outside the range read
  in.lines = {v1};
  ComplianceReport r = BuildCompliance(in);
  EXPECT_TRUE(r.findings.empty()) << Describe(r);
}

TEST(ComplianceTest, RebookingWithinDaysComparesTheNewDate) {
  mappings::Profile p = BuiltInProfile("SGSCB");
  p.code = "OWN";
  p.rebook_immediately = false;
  p.rebook_within_days = 7;
  ComplianceInput in = YearInput(p);
  in.profiles = {{"OWN", &p}};
  in.lines = {NotHeld("OWN", "C-5", "P-1", "2026-03-10T10:00:00Z", "2026-03-15T10:00:00Z"),
              NotHeld("OWN", "C-10", "P-1", "2026-04-10T10:00:00Z", "2026-04-20T10:00:00Z"),
              NotHeld("OWN", "C-OLD", "P-1", "2026-05-10T10:00:00Z", std::nullopt),
              NotHeld("OWN", "C-NEW", "P-1", "2026-12-28T10:00:00Z", std::nullopt)};
  ComplianceReport r = BuildCompliance(in);
  auto met = Select(r, kRuleRebooking, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].session_id, "C-5");
  auto missed = Select(r, kRuleRebooking, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 2u) << Describe(r);  // C-NEW still has time
  EXPECT_EQ(missed[0].session_id, "C-10");
  EXPECT_EQ(missed[0].actual, 10);
  EXPECT_EQ(missed[1].session_id, "C-OLD");
}

TEST(ComplianceTest, SessionLengthAgainstTheProfileAndTheAgreement) {
  const auto& p = BuiltInProfile("EPUT");  // max 120, agreed in advance
  ComplianceInput in = YearInput(p);
  in.agreements = {MakeAgreement("EPUT", "P-1", "2025-06-01", "mental-health")};
  in.lines = {Held("EPUT", "S-OK", {"P-1"}, "2026-02-01T10:00:00Z", 120),
              Held("EPUT", "S-LONG", {"P-1"}, "2026-03-01T10:00:00Z", 121),
              Held("EPUT", "S-SHORT", {"P-1"}, "2026-04-01T10:00:00Z", 79),
              Held("EPUT", "S-NEARLY", {"P-1"}, "2026-05-01T10:00:00Z", 80),
              Held("EPUT", "S-NOAG", {"P-2"}, "2026-05-02T10:00:00Z", 60),
              Held("EPUT", "S-NOAG2", {"P-2"}, "2026-06-02T10:00:00Z", 60)};
  ComplianceReport r = BuildCompliance(in);
  auto longer = Select(r, kRuleLengthMax, Outcome::kMissed);
  ASSERT_EQ(longer.size(), 1u) << Describe(r);
  EXPECT_EQ(longer[0].session_id, "S-LONG");
  EXPECT_EQ(longer[0].actual, 121);
  EXPECT_NE(longer[0].cite.find("EPUT §3.2.2"), std::string::npos);
  auto max_met = Select(r, kRuleLengthMax, Outcome::kMet);
  ASSERT_EQ(max_met.size(), 1u);  // P-2: both within
  EXPECT_EQ(max_met[0].supervisee, "P-2");
  auto shorter = Select(r, kRuleLengthAgreed, Outcome::kMissed);
  ASSERT_EQ(shorter.size(), 1u) << Describe(r);
  EXPECT_EQ(shorter[0].session_id, "S-SHORT");
  auto unknown = Select(r, kRuleLengthAgreed, Outcome::kNotCheckable);
  ASSERT_EQ(unknown.size(), 1u) << Describe(r);  // once per supervisee, not per session
  EXPECT_EQ(unknown[0].supervisee, "P-2");
  EXPECT_TRUE(Select(r, kRuleLengthMin, Outcome::kMet).empty());  // EPUT has no minimum
}

TEST(ComplianceTest, GroupSessionFindingsReachEveryMember) {
  const auto& p = BuiltInProfile("CALDERDALE");  // at least 90 minutes
  ComplianceInput in = YearInput(p);
  in.lines = {
      Held("CALDERDALE", "G-1", {"P-1", "P-2", "P-3"}, "2026-02-01T10:00:00Z", 60, "group")};
  ComplianceReport r = BuildCompliance(in);
  auto missed = Select(r, kRuleLengthMin, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 3u) << Describe(r);
  EXPECT_EQ(missed[0].supervisee, "P-1");
  EXPECT_EQ(missed[2].supervisee, "P-3");
  EXPECT_EQ(missed[2].session_id, "G-1");
}

TEST(ComplianceTest, PlansNotAgreedAfterTheGracePeriod) {
  const auto& p = BuiltInProfile("CROYDON");
  ComplianceInput in = YearInput(p);
  RegisterLine old_one = Held("CROYDON", "S-OLD", {"P-1"}, "2026-11-01T10:00:00Z");
  old_one.state = "awaiting-signatures";
  old_one.agreed_at.reset();
  old_one.awaiting = {"P-1"};
  RegisterLine recent = Held("CROYDON", "S-RECENT", {"P-1"}, "2026-12-24T10:00:00Z");
  recent.state = "awaiting-signatures";
  recent.agreed_at.reset();
  RegisterLine late = Held("CROYDON", "S-LATE", {"P-2"}, "2026-06-01T10:00:00Z");
  late.agreed_at = "2026-07-01T10:00:00Z";
  RegisterLine prompt = Held("CROYDON", "S-PROMPT", {"P-3"}, "2026-06-01T10:00:00Z");
  in.lines = {old_one, recent, late, prompt};
  ComplianceReport r = BuildCompliance(in);
  auto missed = Select(r, kRulePlanNotAgreed, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 2u) << Describe(r);
  EXPECT_EQ(missed[0].session_id, "S-OLD");
  EXPECT_EQ(missed[0].actual, 60);
  EXPECT_EQ(missed[0].values["awaiting"], "P-1");
  EXPECT_EQ(missed[1].session_id, "S-LATE");
  EXPECT_EQ(missed[1].actual, 30);
  auto met = Select(r, kRulePlanNotAgreed, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].supervisee, "P-3");
  EXPECT_NE(met[0].cite.find("RS-8"), std::string::npos);
}

TEST(ComplianceTest, ActionsOverdueUnlessTheEhrClosedThem) {
  const auto& p = BuiltInProfile("EPUT");
  ComplianceInput in = YearInput(p);
  in.lines = {Held("EPUT", "S-1", {"P-1"}, "2026-10-01T10:00:00Z")};
  in.open_actions = {{"EPUT", "S-1", "A-OPEN", "P-1", "2026-12-01", "in-progress"},
                     {"EPUT", "S-1", "A-NEVER", "P-1", "2026-11-01", std::nullopt},
                     {"EPUT", "S-1", "A-DONE", "P-1", "2026-11-01", "completed"},
                     {"EPUT", "S-1", "A-CANC", "P-1", "2026-11-01", "cancelled"},
                     {"EPUT", "S-1", "A-EIE", "P-1", "2026-11-01", "entered-in-error"},
                     {"EPUT", "S-1", "A-TODAY", "P-1", "2026-12-31", "requested"},
                     {"EPUT", "S-GONE", "A-OWNER", "P-9", "2026-10-01", "requested"},
                     {"SGSCB", "S-X", "A-OTHER-ORG", "P-1", "2026-10-01", "requested"}};
  ComplianceReport r = BuildCompliance(in);
  auto missed = Select(r, kRuleActionOverdue, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 3u) << Describe(r);
  EXPECT_EQ(missed[0].action_id, "A-NEVER");
  EXPECT_EQ(missed[0].values["ehrStatus"], "none (never synced)");
  EXPECT_EQ(missed[0].actual, 60);
  EXPECT_EQ(missed[1].action_id, "A-OPEN");
  EXPECT_EQ(missed[2].action_id, "A-OWNER");
  EXPECT_EQ(missed[2].supervisee, "P-9");  // the session is not in the loaded register
}

TEST(ComplianceTest, NullProfileFieldsAreNoRules) {
  mappings::Profile p = BuiltInProfile("CROYDON");
  p.code = "SILENT";
  p.frequency.clear();
  p.min_minutes = p.max_minutes = std::nullopt;
  p.length_agreed_in_advance = false;
  p.urgent_within_hours.reset();
  p.rebook_immediately = false;
  p.rebook_within_days.reset();
  p.agreement_within_days.reset();
  p.agreement_review_months.reset();
  ComplianceInput in = YearInput(p);
  in.profiles = {{"SILENT", &p}};
  RegisterLine urgent = Held("SILENT", "U", {"P-1"}, "2026-03-05T10:00:00Z", 300, "urgent");
  urgent.requested_at = "2026-03-01T10:00:00Z";
  in.lines = {urgent, NotHeld("SILENT", "C", "P-1", "2026-04-01T10:00:00Z", std::nullopt)};
  in.agreements = {MakeAgreement("SILENT", "P-1", "2025-01-01")};
  ComplianceReport r = BuildCompliance(in);
  for (const auto& f : r.findings) EXPECT_EQ(f.rule, kRulePlanNotAgreed) << Describe(r);
  EXPECT_EQ(r.findings.size(), 1u) << Describe(r);
}

TEST(ComplianceTest, ProblemsAreReportedNotHidden) {
  const auto& p = BuiltInProfile("EPUT");
  ComplianceInput in = YearInput(p);
  RegisterLine bad = Held("EPUT", "S-BAD", {"P-1"}, "2026-03-01T10:00:00Z");
  bad.scheduled_for = "not a time";
  in.lines = {bad, Held("NOPROFILE", "S-X", {"P-1"}, "2026-03-01T10:00:00Z")};
  ComplianceReport r = BuildCompliance(in);
  ASSERT_EQ(r.problems.size(), 2u) << Describe(r);
  EXPECT_NE(r.problems[0].find("S-BAD"), std::string::npos);
  EXPECT_NE(r.problems[1].find("NOPROFILE"), std::string::npos);

  in.to = "2025-01-01";
  r = BuildCompliance(in);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.problems.size(), 1u);
}

TEST(ComplianceTest, JsonAndCsvShapes) {
  const auto& p = BuiltInProfile("SGSCB");
  ComplianceInput in = YearInput(p);
  RegisterLine slow = Held("SGSCB", "U-SLOW", {"P-1"}, "2026-04-02T16:00:00Z", 60, "urgent");
  slow.requested_at = "2026-04-01T10:00:00Z";
  in.lines = {slow};
  ComplianceReport r = BuildCompliance(in);
  json j = ComplianceToJson(r);
  EXPECT_EQ(j["from"], "2026-01-01");
  EXPECT_EQ(j["now"], "2026-12-31T12:00:00Z");
  ASSERT_TRUE(j["summary"].is_array());
  json urgent;
  for (const auto& f : j["findings"]) {
    if (f["rule"] == kRuleUrgentWithin) urgent = f;
  }
  ASSERT_TRUE(urgent.is_object()) << j.dump(2);
  EXPECT_EQ(urgent, json::parse(R"({
    "organisation": "SGSCB", "supervisee": "P-1", "rule": "urgent.within", "outcome": "missed",
    "sessionId": "U-SLOW", "actionId": null, "agreementId": null,
    "values": {"heldAt": "2026-04-02T16:00:00Z", "requestedAt": "2026-04-01T10:00:00Z",
               "status": "held"},
    "limit": 24, "actual": 30, "unit": "hours",
    "detail": "held 30 h (rounded up) after it was requested",
    "cite": "SGSCB §3.4: urgent supervision actioned within 24 hours"})"));
  bool summarised = false;
  for (const auto& s : j["summary"]) {
    if (s["rule"] == kRuleUrgentWithin) {
      summarised = true;
      EXPECT_EQ(s, json::parse(R"({"organisation": "SGSCB", "rule": "urgent.within", "met": 0,
                                   "missed": 1, "notCheckable": 0})"));
    }
  }
  EXPECT_TRUE(summarised);
  const std::string csv = ComplianceToCsv(r);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "organisation,supervisee,rule,outcome,sessionId,actionId,agreementId,limit,actual,"
            "unit,values,detail,cite");
  EXPECT_NE(csv.find("SGSCB,P-1,urgent.within,missed,U-SLOW,,,24,30,hours,"
                     "heldAt=2026-04-02T16:00:00Z; requestedAt=2026-04-01T10:00:00Z; status=held,"
                     "held 30 h (rounded up) after it was requested,"
                     "SGSCB §3.4: urgent supervision actioned within 24 hours\r\n"),
            std::string::npos)
      << csv;
}

}  // namespace
}  // namespace sa::adapter::reports
