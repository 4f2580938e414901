#include "adapter/reports/compliance.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "adapter/reports/compliance_context.h"
#include "adapter/reports/dates.h"

namespace sa::adapter::reports {

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kMet:
      return "met";
    case Outcome::kMissed:
      return "missed";
    case Outcome::kNotCheckable:
      return "not-checkable";
  }
  return "unknown";
}

ComplianceReport BuildCompliance(const ComplianceInput& in) {
  ComplianceReport report;
  report.from = in.from;
  report.to = in.to;
  report.now = SecondsToInstant(in.now);
  internal::Context ctx(in, &report);
  if (!ctx.ok()) return report;

  for (const auto& [code, profile] : in.profiles) {
    if (!profile || profile->code != code) {
      ctx.Problem("organisation " + code + ": no policy profile; not checked");
      continue;
    }
    for (const std::string& supervisee : ctx.ActiveSupervisees(code)) {
      internal::CheckFrequency(ctx, *profile, supervisee);
      internal::CheckAgreement(ctx, *profile, supervisee);
    }
    internal::CheckUrgent(ctx, *profile);
    internal::CheckRebooking(ctx, *profile);
    internal::CheckSessionLength(ctx, *profile);
    internal::CheckPlans(ctx, *profile);
    internal::CheckActions(ctx, *profile);
  }
  std::set<std::string> unprofiled;
  for (const auto& line : in.lines) {
    if (!in.profiles.count(line.organisation)) unprofiled.insert(line.organisation);
  }
  for (const auto& org : unprofiled) {
    ctx.Problem("organisation " + org + ": register lines but no policy profile; not checked");
  }

  std::stable_sort(
      report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.organisation, a.supervisee, a.rule, a.session_id, a.action_id) <
               std::tie(b.organisation, b.supervisee, b.rule, b.session_id, b.action_id);
      });
  std::map<std::pair<std::string, std::string>, RuleSummary> summary;
  for (const auto& f : report.findings) {
    RuleSummary& s = summary[{f.organisation, f.rule}];
    s.organisation = f.organisation;
    s.rule = f.rule;
    switch (f.outcome) {
      case Outcome::kMet:
        ++s.met;
        break;
      case Outcome::kMissed:
        ++s.missed;
        break;
      case Outcome::kNotCheckable:
        ++s.not_checkable;
        break;
    }
  }
  for (auto& [key, s] : summary) report.summary.push_back(std::move(s));
  return report;
}

}  // namespace sa::adapter::reports
