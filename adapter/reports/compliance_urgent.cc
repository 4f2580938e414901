// Urgent supervision (profile "urgent.withinHours", e.g. SGSCB §3.4: within
// 24 hours): measured from the record's requestedAt to its heldAt. Without
// requestedAt the rule cannot be checked, and the report says so rather than
// count it as met.
#include "adapter/reports/compliance_context.h"

namespace sa::adapter::reports::internal {

namespace {

constexpr char kUrgentType[] = "urgent";

}  // namespace

void CheckUrgent(Context& ctx, const mappings::Profile& profile) {
  if (!profile.urgent_within_hours) return;
  const std::int64_t limit_hours = *profile.urgent_within_hours;
  for (const auto& s : ctx.Sessions(profile.code)) {
    if (!ctx.InPeriod(s) || s.line->type != kUrgentType) continue;
    Finding f =
        MakeFinding(profile.code, "", kRuleUrgentWithin, Outcome::kMet, profile.urgent_cite);
    f.limit = limit_hours;
    f.unit = "hours";
    f.values = {{"status", s.line->status},
                {"requestedAt", s.line->requested_at.value_or("")},
                {"heldAt", s.line->held_at.value_or("")}};
    if (!s.requested) {
      f.outcome = Outcome::kNotCheckable;
      f.detail = "cannot be checked: requestedAt not recorded";
    } else if (s.line->status != "held" || !s.held) {
      f.outcome = Outcome::kMissed;
      f.detail = "the urgent session was not held (" + s.line->status + ")";
    } else {
      const std::int64_t seconds = std::max<std::int64_t>(0, *s.held - *s.requested);
      f.actual = (seconds + 3599) / 3600;
      f.outcome = seconds <= limit_hours * 3600 ? Outcome::kMet : Outcome::kMissed;
      f.detail = "held " + std::to_string(*f.actual) + " h (rounded up) after it was requested";
    }
    ctx.AddForSession(s, std::move(f));
  }
}

}  // namespace sa::adapter::reports::internal
