// Rebooking of cancelled and missed sessions (profile "rebooking"):
// "immediately" (SGSCB §3.3, CALDERDALE app. A, HSCP std 2) means the record
// of the cancellation already names the new date, or a version received
// within kImmediateRebookToleranceHours of it does; "withinDays" means the new
// date is at most that many days after the one cancelled.
#include "adapter/reports/compliance_context.h"
#include "adapter/reports/dates.h"

namespace sa::adapter::reports::internal {

namespace {

bool NotHeld(const RegisterLine& l) {
  return l.status == "cancelled" || l.status == "did-not-attend";
}

}  // namespace

void CheckRebooking(Context& ctx, const mappings::Profile& profile) {
  if (!profile.rebook_immediately && !profile.rebook_within_days) return;
  for (const auto& s : ctx.Sessions(profile.code)) {
    if (!ctx.InPeriod(s) || !NotHeld(*s.line)) continue;
    Finding f = MakeFinding(profile.code, "", kRuleRebooking, Outcome::kMet, profile.rebook_cite);
    f.values = {{"status", s.line->status},
                {"scheduledFor", s.line->scheduled_for},
                {"rebookedTo", s.line->rebooked_to.value_or("")}};
    if (!s.rebooked) {
      if (!profile.rebook_immediately) {
        const std::int64_t deadline = DayOf(s.scheduled) + *profile.rebook_within_days;
        if (deadline >= ctx.now_day) continue;  // still time to rebook
        f.limit = *profile.rebook_within_days;
        f.unit = "days";
      }
      f.outcome = Outcome::kMissed;
      f.detail = "the " + s.line->status + " session was not rebooked";
      ctx.AddForSession(s, std::move(f));
      continue;
    }
    std::vector<std::string> late;
    if (profile.rebook_immediately) {
      // The first version that recorded it as not held, and the first that
      // named the new date.
      const SessionView* cancelled = nullptr;
      const SessionView* rebooked = nullptr;
      for (const auto& v : ctx.Versions(profile.code, s.line->session_id)) {
        if (!cancelled && NotHeld(*v.line)) cancelled = &v;
        if (cancelled && !rebooked && v.rebooked) rebooked = &v;
      }
      if (cancelled && rebooked) {
        const std::int64_t seconds =
            std::max<std::int64_t>(0, rebooked->received - cancelled->received);
        f.limit = kImmediateRebookToleranceHours;
        f.actual = (seconds + 3599) / 3600;
        f.unit = "hours";
        f.values["cancellationRecordedAt"] = cancelled->line->received_at;
        f.values["rebookingRecordedAt"] = rebooked->line->received_at;
        if (seconds > std::int64_t{kImmediateRebookToleranceHours} * 3600) {
          late.push_back("the new date was recorded " + std::to_string(*f.actual) +
                         " h after the cancellation, not immediately");
        }
      }
    }
    if (profile.rebook_within_days) {
      const std::int64_t days = DayOf(*s.rebooked) - DayOf(s.scheduled);
      f.limit = *profile.rebook_within_days;
      f.actual = days;
      f.unit = "days";
      if (days > *profile.rebook_within_days) {
        late.push_back("rebooked " + std::to_string(days) + " days after the date cancelled");
      }
    }
    f.outcome = late.empty() ? Outcome::kMet : Outcome::kMissed;
    f.detail = late.empty() ? "rebooked" : late.front();
    for (std::size_t i = 1; i < late.size(); ++i) f.detail += "; " + late[i];
    ctx.AddForSession(s, std::move(f));
  }
}

}  // namespace sa::adapter::reports::internal
