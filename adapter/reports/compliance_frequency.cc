// Frequency (profile "frequency.rules"): the longest gap between held
// sessions, and the number of held sessions in the rolling 12 months.
//
// The rule is the profile's rule for the supervisee's staff group (from the
// current agreement), else its "all" rule. The agreement's own figures apply
// too when the rule matches (always, for a rule that is "perAgreement"): the
// stricter figure wins, so an agreement can tighten the profile's standard
// (EPUT §3.2.3) but never loosen it.
#include <algorithm>

#include "adapter/reports/compliance_context.h"
#include "adapter/reports/dates.h"

namespace sa::adapter::reports::internal {

namespace {

constexpr char kAllStaff[] = "all";

bool CountsTowardsFrequency(const RegisterLine& l) {
  if (l.status != "held") return false;
  return std::find(kTypesOutsideFrequency.begin(), kTypesOutsideFrequency.end(), l.type) ==
         kTypesOutsideFrequency.end();
}

bool Attends(const RegisterLine& l, const std::string& supervisee) {
  for (const auto& p : l.supervisees) {
    if (p.id == supervisee) return true;
  }
  return false;
}

struct Limit {
  int value = 0;
  std::string cite;
  const Agreement* from_agreement = nullptr;  // set when the agreement's figure binds
};

struct HeldDay {
  std::int64_t day;
  const SessionView* session;
};

std::vector<HeldDay> HeldSessions(const Context& ctx, const std::string& org,
                                  const std::string& supervisee) {
  std::vector<HeldDay> out;
  for (const auto& s : ctx.Sessions(org)) {
    if (!s.held || !CountsTowardsFrequency(*s.line) || !Attends(*s.line, supervisee)) continue;
    out.push_back({DayOf(*s.held), &s});
  }
  std::sort(out.begin(), out.end(),
            [](const HeldDay& a, const HeldDay& b) { return a.day < b.day; });
  return out;
}

Finding Base(const std::string& org, const std::string& supervisee, const char* rule,
             Outcome outcome, const Limit& limit, const char* unit) {
  Finding f = MakeFinding(org, supervisee, rule, outcome, limit.cite);
  f.limit = limit.value;
  f.unit = unit;
  if (limit.from_agreement) f.agreement_id = limit.from_agreement->id;
  return f;
}

void CheckGaps(Context& ctx, const std::string& org, const std::string& sv,
               const Agreement* agreement, const Limit& limit) {
  const std::vector<HeldDay> held = HeldSessions(ctx, org, sv);
  std::optional<std::int64_t> previous;
  std::string previous_kind = "session";
  // The agreement's start opens the first gap only when the register can be
  // expected to hold every session since: the relationship began in the
  // period, or no session is on the register at all. (A relationship older
  // than the adapter's register would otherwise show one spurious gap.)
  if (agreement) {
    auto start = DateToDays(agreement->start_date);
    if (start && (held.empty() || (*start >= ctx.from_day && *start <= held.front().day))) {
      previous = *start;
      previous_kind = "startDate";
    }
  }
  int checked = 0, missed = 0;
  std::int64_t longest = 0;
  for (const auto& h : held) {
    if (previous && ctx.DayInPeriod(h.day)) {
      const std::int64_t gap = h.day - *previous;
      ++checked;
      longest = std::max(longest, gap);
      if (gap > limit.value) {
        ++missed;
        Finding f = Base(org, sv, kRuleMaxGap, Outcome::kMissed, limit, "days");
        f.session_id = h.session->line->session_id;
        f.actual = gap;
        f.values = {{"from", DaysToDate(*previous)},
                    {"fromKind", previous_kind},
                    {"to", DaysToDate(h.day)}};
        f.detail = std::to_string(gap) + " days between held sessions; the standard is at most " +
                   std::to_string(limit.value);
        ctx.Add(std::move(f));
      }
    }
    previous = h.day;
    previous_kind = "session";
  }
  if (!previous) {
    Finding f = Base(org, sv, kRuleMaxGap, Outcome::kNotCheckable, limit, "days");
    f.detail = "no held session on the register and no agreement start date to measure from";
    ctx.Add(std::move(f));
    return;
  }
  // The gap still open at the end of the period (or today).
  if (ctx.as_of_day > *previous && ctx.as_of_day > ctx.from_day) {
    const std::int64_t open = ctx.as_of_day - *previous;
    ++checked;
    longest = std::max(longest, open);
    if (open > limit.value) {
      ++missed;
      Finding f = Base(org, sv, kRuleMaxGap, Outcome::kMissed, limit, "days");
      f.actual = open;
      f.values = {{"from", DaysToDate(*previous)},
                  {"fromKind", previous_kind},
                  {"asOf", DaysToDate(ctx.as_of_day)}};
      f.detail = "no held session for " + std::to_string(open) + " days up to " +
                 DaysToDate(ctx.as_of_day) + "; the standard is at most " +
                 std::to_string(limit.value);
      ctx.Add(std::move(f));
    }
  }
  if (!missed && checked) {
    Finding f = Base(org, sv, kRuleMaxGap, Outcome::kMet, limit, "days");
    f.actual = longest;
    f.values = {{"gapsChecked", std::to_string(checked)}};
    f.detail = "longest gap " + std::to_string(longest) + " days";
    ctx.Add(std::move(f));
  }
}

void CheckCount(Context& ctx, const std::string& org, const std::string& sv,
                const Agreement* agreement, const Limit& limit) {
  const std::int64_t window_end = ctx.as_of_day;
  const std::int64_t window_start = AddMonths(window_end, -12);
  std::optional<std::int64_t> start =
      agreement ? DateToDays(agreement->start_date) : ctx.FirstSeenDay(org, sv);
  Finding f = Base(org, sv, kRuleMinPer12Months, Outcome::kMet, limit, "sessions");
  f.values = {{"windowFrom", DaysToDate(window_start)}, {"windowTo", DaysToDate(window_end)}};
  if (!start || *start > window_start) {
    f.outcome = Outcome::kNotCheckable;
    f.values["relationshipStart"] = start ? DaysToDate(*start) : "unknown";
    f.detail = "the supervision began less than 12 months before " + DaysToDate(window_end) +
               "; a 12-month count cannot be judged yet";
    ctx.Add(std::move(f));
    return;
  }
  std::int64_t count = 0;
  for (const auto& h : HeldSessions(ctx, org, sv)) {
    if (h.day >= window_start && h.day < window_end) ++count;
  }
  f.actual = count;
  f.outcome = count >= limit.value ? Outcome::kMet : Outcome::kMissed;
  f.detail = std::to_string(count) + " held session(s) in the 12 months before " +
             DaysToDate(window_end) + "; the standard is at least " + std::to_string(limit.value);
  ctx.Add(std::move(f));
}

void NotCheckable(Context& ctx, const std::string& org, const std::string& sv, bool gap, bool count,
                  const std::string& cite, const std::string& why) {
  std::vector<const char*> rules;
  if (gap) rules.push_back(kRuleMaxGap);
  if (count) rules.push_back(kRuleMinPer12Months);
  for (const char* rule : rules) {
    Finding f = MakeFinding(org, sv, rule, Outcome::kNotCheckable, cite);
    f.detail = why;
    ctx.Add(std::move(f));
  }
}

}  // namespace

void CheckFrequency(Context& ctx, const mappings::Profile& profile, const std::string& sv) {
  if (profile.frequency.empty()) return;
  const std::string& org = profile.code;
  const Agreement* agreement = ctx.Current(org, sv);
  const mappings::FrequencyRule* rule = nullptr;
  for (const auto& r : profile.frequency) {
    if (agreement && r.staff_group == agreement->staff_group) rule = &r;
  }
  for (const auto& r : profile.frequency) {
    if (!rule && r.staff_group == kAllStaff) rule = &r;
  }
  if (!rule) {
    bool gap = false, count = false;
    std::string groups, cites;
    for (const auto& r : profile.frequency) {
      gap |= r.max_gap_days.has_value() || r.per_agreement;
      count |= r.min_sessions_per_12_months.has_value() || r.per_agreement;
      groups += (groups.empty() ? "" : ", ") + r.staff_group;
      cites += (cites.empty() ? "" : "; ") + r.cite;
    }
    NotCheckable(ctx, org, sv, gap, count, cites,
                 agreement ? "the agreement's staff group '" + agreement->staff_group +
                                 "' matches none of the profile's frequency rules (" + groups + ")"
                           : "the frequency depends on the staff group (" + groups +
                                 ") and no current agreement names it");
    return;
  }
  std::optional<Limit> gap, count;
  if (rule->max_gap_days) gap = Limit{*rule->max_gap_days, rule->cite, nullptr};
  if (rule->min_sessions_per_12_months) {
    count = Limit{*rule->min_sessions_per_12_months, rule->cite, nullptr};
  }
  if (agreement) {
    const std::string cite = rule->cite + "; supervision agreement " + agreement->id;
    if (auto v = agreement->frequency.max_gap_days; v && (!gap || *v < gap->value)) {
      gap = Limit{*v, cite, agreement};
    }
    if (auto v = agreement->frequency.min_sessions_per_12_months;
        v && (!count || *v > count->value)) {
      count = Limit{*v, cite, agreement};
    }
  }
  if (rule->per_agreement && !gap && !count) {
    NotCheckable(ctx, org, sv, true, true, rule->cite,
                 agreement ? "the profile leaves the frequency to the supervision agreement, and "
                             "agreement " +
                                 agreement->id + " sets no frequency figure"
                           : "the profile leaves the frequency to the supervision agreement, and "
                             "no current agreement is recorded");
    return;
  }
  if (gap) CheckGaps(ctx, org, sv, agreement, *gap);
  if (count) CheckCount(ctx, org, sv, agreement, *count);
}

}  // namespace sa::adapter::reports::internal
