// Actions overdue in the EHR (RS-11: previous actions and their EHR status,
// EPUT §3.3.3, HSCP std 4): an action of the latest plan sent for a case whose
// due date (the record's own, RS-1) has passed and whose Task the EHR does
// not show as completed, cancelled or entered-in-error. An action never
// synced back counts as open: nothing shows it done.
#include <algorithm>

#include "adapter/reports/compliance_context.h"
#include "adapter/reports/dates.h"

namespace sa::adapter::reports::internal {

namespace {

constexpr char kActionCite[] =
    "RS-11 (EPUT §3.3.3; HSCP std 4: actions agreed at the previous supervision are reviewed); "
    "due date set in the record (RS-1, SGSCB §4)";

bool Closed(const std::optional<std::string>& status) {
  return status && std::find(kClosedTaskStatuses.begin(), kClosedTaskStatuses.end(), *status) !=
                       kClosedTaskStatuses.end();
}

}  // namespace

void CheckActions(Context& ctx, const mappings::Profile& p) {
  for (const auto& a : ctx.input().open_actions) {
    if (a.organisation != p.code || Closed(a.ehr_status)) continue;
    auto due = DateToDays(a.due);
    if (!due) {
      ctx.Problem("action " + p.code + "/" + a.session_id + "/" + a.action_id +
                  ": due is not a date; not checked");
      continue;
    }
    if (*due >= ctx.now_day || *due >= ctx.to_day) continue;
    Finding f = MakeFinding(p.code, "", kRuleActionOverdue, Outcome::kMissed, kActionCite);
    f.session_id = a.session_id;
    f.action_id = a.action_id;
    f.actual = ctx.now_day - *due;
    f.unit = "days overdue";
    f.values = {{"due", a.due},
                {"ehrStatus", a.ehr_status.value_or("none (never synced)")},
                {"ownerId", a.owner_id}};
    f.detail = "due " + a.due + ", " + std::to_string(*f.actual) + " days ago; EHR status " +
               a.ehr_status.value_or("unknown (never synced)");
    const SessionView* s = ctx.Latest(p.code, a.session_id);
    if (s && !s->line->supervisees.empty()) {
      ctx.AddForSession(*s, std::move(f));
    } else {
      f.supervisee = a.owner_id;  // the session is outside the loaded register
      ctx.Add(std::move(f));
    }
  }
}

}  // namespace sa::adapter::reports::internal
