// "Compliance on a year of generated sessions per profile with known planted
// violations": for each built-in profile, a deterministic generator (seeded)
// writes a year of supervision for three supervisees that meets every rule
// of the profile, then plants one violation of each kind. The report must
// find exactly the planted violations the profile has a rule for, and no
// other miss, and nothing it cannot check.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "adapter/reports/compliance.h"
#include "adapter/reports/compliance_test_support.h"

namespace sa::adapter::reports {
namespace {

using namespace testing;  // NOLINT: the test builders

constexpr char kStart[] = "2025-12-01";  // every relationship began here
constexpr char kNow[] = "2026-12-31T12:00:00Z";
const std::string kS1 = "S1", kS2 = "S2", kS3 = "S3";

// SplitMix64: the same numbers on every platform (std distributions differ).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  int Uniform(int lo, int hi) { return lo + static_cast<int>(Next() % (hi - lo + 1)); }

 private:
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

using Expected = std::multiset<std::tuple<std::string, std::string>>;  // supervisee, rule

std::int64_t Seconds(const std::string& t) { return *InstantToSeconds(t); }
std::int64_t Day(const std::string& d) { return *DateToDays(d); }

// The profile's frequency rule for a staff group (the group's own, else "all").
const mappings::FrequencyRule* RuleFor(const mappings::Profile& p, const std::string& group) {
  for (const auto& r : p.frequency) {
    if (r.staff_group == group) return &r;
  }
  for (const auto& r : p.frequency) {
    if (r.staff_group == "all") return &r;
  }
  return nullptr;
}

// Staff groups the generator gives its supervisees: S1 and S3 the group whose
// rule limits the gap, S2 the group whose rule counts sessions (EPUT: mental
// health and community); "all" where the profile has one rule.
std::string GroupWith(const mappings::Profile& p, bool gap) {
  for (const auto& r : p.frequency) {
    if (r.per_agreement || (gap ? r.max_gap_days : r.min_sessions_per_12_months)) {
      return r.staff_group;
    }
  }
  return p.frequency.empty() ? "all" : p.frequency.front().staff_group;
}

class YearGenerator {
 public:
  YearGenerator(const mappings::Profile& p, std::uint64_t seed) : p_(p), rng_(seed) {}

  ComplianceInput Generate(Expected* expected) {
    in_ = YearInput(p_);
    in_.now = Seconds(kNow);
    const std::string group_gap = GroupWith(p_, true), group_count = GroupWith(p_, false);
    for (const auto& [sv, group] :
         {std::pair{kS1, group_gap}, std::pair{kS2, group_count}, std::pair{kS3, group_gap}}) {
      Agreement a = MakeAgreement(p_.code, sv, kStart, group);
      a.signed_at = "2025-12-10";
      a.review_date = "2027-06-01";
      a.created_at = "2025-12-10T09:00:00.000Z";
      if (const auto* rule = RuleFor(p_, group); rule && rule->per_agreement) {
        a.frequency = {42, 6};
      }
      in_.agreements.push_back(a);
      Regular(sv, sv == kS1);
      Urgent(sv);
    }
    Plant(expected);
    return in_;
  }

 private:
  const std::string& org() const { return p_.code; }

  std::string Id(const std::string& sv) { return sv + "-" + std::to_string(++count_); }

  RegisterLine& AddHeld(const std::string& sv, std::int64_t at, const std::string& type) {
    in_.lines.push_back(
        Held(org(), Id(sv), {sv}, SecondsToInstant(at), rng_.Uniform(90, 120), type));
    return in_.lines.back();
  }

  void AddAction(const RegisterLine& l, const std::string& id, std::int64_t due_day,
                 std::optional<std::string> status) {
    in_.open_actions.push_back(
        {org(), l.session_id, id, l.supervisees[0].id, DaysToDate(due_day), std::move(status)});
  }

  // Regular supervision every 28-35 days; one in seven cancelled (or missed)
  // and rebooked three days later, in the same record. S1 has one 65-day gap.
  void Regular(const std::string& sv, bool plant_gap) {
    const std::int64_t end = in_.now - kSecondsPerDay;
    const std::int64_t gap_after = Seconds("2026-05-01T00:00:00Z");
    std::int64_t t = (Day(kStart) + 10) * kSecondsPerDay + 10 * 3600;
    bool gap_planted = false;
    while (t < end) {
      bool jump = plant_gap && !gap_planted && t >= gap_after;
      if (!jump && rng_.Uniform(0, 6) == 0) {
        const std::int64_t rebooked = t + 3 * kSecondsPerDay;
        in_.lines.push_back(NotHeld(org(), Id(sv), sv, SecondsToInstant(t),
                                    SecondsToInstant(rebooked),
                                    rng_.Uniform(0, 1) ? "cancelled" : "did-not-attend"));
        t = rebooked;
        if (t >= end) break;
      }
      const RegisterLine& held = AddHeld(sv, t, "one-to-one");
      const std::int64_t due = DayOf(t) + 14;
      AddAction(held, "A1", due, due < DayOf(in_.now) ? "completed" : "requested");
      t += (jump ? 65 : rng_.Uniform(28, 35)) * kSecondsPerDay;
      gap_planted |= jump;
    }
  }

  // Two urgent sessions, each held 2-20 hours after it was asked for.
  void Urgent(const std::string& sv) {
    for (int offset : {100, 250}) {
      const std::int64_t requested =
          (Day("2026-01-01") + offset + rng_.Uniform(0, 20)) * kSecondsPerDay + 9 * 3600;
      RegisterLine& l = AddHeld(sv, requested + rng_.Uniform(2, 20) * 3600, "urgent");
      l.requested_at = SecondsToInstant(requested);
    }
  }

  RegisterLine* FirstHeldOf(const std::string& sv, const std::string& type, std::int64_t after) {
    RegisterLine* best = nullptr;
    for (auto& l : in_.lines) {
      if (l.status != "held" || l.type != type || l.supervisees[0].id != sv) continue;
      const std::int64_t at = Seconds(*l.held_at);
      if (at >= after && (!best || at < Seconds(*best->held_at))) best = &l;
    }
    return best;
  }

  void Plant(Expected* expected) {
    const std::string group_gap = GroupWith(p_, true);
    const auto* gap_rule = RuleFor(p_, group_gap);
    // (1) S1's 65-day gap (generated above).
    if (gap_rule && (gap_rule->max_gap_days || gap_rule->per_agreement)) {
      expected->insert({kS1, kRuleMaxGap});
    }
    // (2) S2: urgent supervision held 30 hours after it was asked for.
    RegisterLine& urgent = AddHeld(kS2, Seconds("2026-07-02T15:00:00Z"), "urgent");
    urgent.requested_at = "2026-07-01T09:00:00Z";
    urgent.duration_minutes = 90;
    if (p_.urgent_within_hours) expected->insert({kS2, kRuleUrgentWithin});
    // (3) S3: a cancelled session never rebooked.
    in_.lines.push_back(NotHeld(org(), Id(kS3), kS3, "2026-07-15T14:00:00Z", std::nullopt));
    if (p_.rebook_immediately || p_.rebook_within_days) expected->insert({kS3, kRuleRebooking});
    // (4) S2's agreement signed six weeks after the relationship began.
    in_.agreements[1].signed_at = "2026-01-12";
    if (p_.agreement_within_days && 42 > *p_.agreement_within_days) {
      expected->insert({kS2, kRuleAgreementWritten});
    }
    // (5) S1: one session of 150 minutes.
    FirstHeldOf(kS1, "one-to-one", Seconds("2026-09-01T00:00:00Z"))->duration_minutes = 150;
    if (p_.max_minutes && 150 > *p_.max_minutes) expected->insert({kS1, kRuleLengthMax});
    // (6) S3: a record still awaiting signatures 30 days after the session.
    RegisterLine& pending = AddHeld(kS3, in_.now - 30 * kSecondsPerDay, "one-to-one");
    pending.state = "awaiting-signatures";
    pending.agreed_at.reset();
    pending.awaiting = {kS3};
    pending.signatures = 1;
    expected->insert({kS3, kRulePlanNotAgreed});
    // (7) S1: an action due ten days ago, still in progress in the EHR.
    const RegisterLine* late = FirstHeldOf(kS1, "one-to-one", in_.now - 45 * kSecondsPerDay);
    AddAction(*late, "A-LATE", DayOf(in_.now) - 10, "in-progress");
    expected->insert({kS1, kRuleActionOverdue});
  }

  const mappings::Profile& p_;
  Rng rng_;
  ComplianceInput in_;
  int count_ = 0;
};

// What each profile must find, written out by hand as a check on the
// generic expectation above (which derives it from the profile's fields).
const std::map<std::string, Expected>& HandWritten() {
  static const auto* const kTable = new std::map<std::string, Expected>{
      {"EPUT",
       {{kS1, kRuleMaxGap},
        {kS1, kRuleLengthMax},
        {kS3, kRulePlanNotAgreed},
        {kS1, kRuleActionOverdue}}},
      {"SGSCB",
       {{kS2, kRuleUrgentWithin},
        {kS3, kRuleRebooking},
        {kS3, kRulePlanNotAgreed},
        {kS1, kRuleActionOverdue}}},
      {"CALDERDALE",
       {{kS1, kRuleMaxGap},
        {kS3, kRuleRebooking},
        {kS3, kRulePlanNotAgreed},
        {kS1, kRuleActionOverdue}}},
      {"CROYDON", {{kS1, kRuleMaxGap}, {kS3, kRulePlanNotAgreed}, {kS1, kRuleActionOverdue}}},
      {"HSCP",
       {{kS1, kRuleMaxGap},
        {kS3, kRuleRebooking},
        {kS2, kRuleAgreementWritten},
        {kS3, kRulePlanNotAgreed},
        {kS1, kRuleActionOverdue}}},
  };
  return *kTable;
}

struct Case {
  std::string profile;
  std::uint64_t seed;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.profile << "/" << c.seed; }

class YearTest : public ::testing::TestWithParam<Case> {};

TEST_P(YearTest, FindsExactlyThePlantedViolations) {
  const mappings::Profile& p = BuiltInProfile(GetParam().profile);
  Expected expected;
  ComplianceInput in = YearGenerator(p, GetParam().seed).Generate(&expected);
  EXPECT_EQ(expected, HandWritten().at(p.code));
  ASSERT_GT(in.lines.size(), 40u);

  ComplianceReport r = BuildCompliance(in);
  EXPECT_TRUE(r.problems.empty()) << Describe(r);
  Expected found;
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.organisation, p.code);
    EXPECT_FALSE(f.cite.empty()) << f.rule;
    EXPECT_NE(f.outcome, Outcome::kNotCheckable) << Describe(r);
    if (f.outcome == Outcome::kMissed) found.insert({f.supervisee, f.rule});
  }
  EXPECT_EQ(found, expected) << Describe(r);

  // Every rule the profile has was applied (a met finding somewhere).
  std::set<std::string> met;
  for (const auto& f : r.findings) {
    if (f.outcome == Outcome::kMet) met.insert(f.rule);
  }
  auto expect_met = [&](bool has_rule, const char* rule) {
    EXPECT_EQ(met.count(rule) > 0, has_rule) << rule << Describe(r);
  };
  bool gap = false, count = false;
  for (const auto& rule : p.frequency) {
    gap |= rule.max_gap_days.has_value() || rule.per_agreement;
    count |= rule.min_sessions_per_12_months.has_value() || rule.per_agreement;
  }
  expect_met(gap, kRuleMaxGap);
  expect_met(count, kRuleMinPer12Months);
  expect_met(p.urgent_within_hours.has_value(), kRuleUrgentWithin);
  expect_met(p.rebook_immediately || p.rebook_within_days, kRuleRebooking);
  expect_met(p.agreement_within_days.has_value(), kRuleAgreementWritten);
  expect_met(p.max_minutes.has_value(), kRuleLengthMax);
  expect_met(p.min_minutes.has_value(), kRuleLengthMin);
  expect_met(p.length_agreed_in_advance, kRuleLengthAgreed);
  expect_met(true, kRulePlanNotAgreed);

  // The findings name the planted values.
  for (const auto& f : r.findings) {
    if (f.outcome != Outcome::kMissed) continue;
    const std::map<std::string, std::int64_t> planted = {
        {kRuleMaxGap, 65},     {kRuleUrgentWithin, 30},  {kRuleAgreementWritten, 42},
        {kRuleLengthMax, 150}, {kRulePlanNotAgreed, 30}, {kRuleActionOverdue, 10}};
    if (auto it = planted.find(f.rule); it != planted.end()) {
      EXPECT_EQ(f.actual, it->second) << f.rule;
    } else {
      EXPECT_EQ(f.rule, kRuleRebooking);
      EXPECT_FALSE(f.actual);  // never rebooked: no figure
    }
    if (f.rule == kRuleActionOverdue) {
      EXPECT_EQ(f.action_id, "A-LATE");
    }
  }
}

TEST_P(YearTest, TheGeneratorIsDeterministic) {
  const mappings::Profile& p = BuiltInProfile(GetParam().profile);
  Expected e1, e2;
  auto a = BuildCompliance(YearGenerator(p, GetParam().seed).Generate(&e1));
  auto b = BuildCompliance(YearGenerator(p, GetParam().seed).Generate(&e2));
  EXPECT_EQ(ComplianceToJson(a), ComplianceToJson(b));
}

std::vector<Case> Cases() {
  std::vector<Case> out;
  for (const char* code : {"EPUT", "SGSCB", "CALDERDALE", "CROYDON", "HSCP"}) {
    for (std::uint64_t seed : {7ull, 2026ull, 424242ull}) out.push_back({code, seed});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Profiles, YearTest, ::testing::ValuesIn(Cases()), [](const auto& info) {
  return info.param.profile + "_seed" + std::to_string(info.param.seed);
});

}  // namespace
}  // namespace sa::adapter::reports
