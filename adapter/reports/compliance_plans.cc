// Records not agreed (RS-8): a held session's record counts as agreed once
// the supervisor and every supervisee have signed (SGSCB §4; CALDERDALE
// app. A); until then its plan does not reach the EHR in any built-in profile
// (ehr.sendBeforeAgreed). Every profile expects records signed, none names a
// deadline, so the engine allows kPlanAgreementGraceDays (HSCP std 4:
// records to attendees "promptly").
#include "adapter/reports/compliance_context.h"
#include "adapter/reports/dates.h"

namespace sa::adapter::reports::internal {

namespace {

constexpr char kRs8Cite[] = "RS-8 (SGSCB §4; CALDERDALE app. A); ";

}  // namespace

void CheckPlans(Context& ctx, const mappings::Profile& p) {
  const std::string cite = kRs8Cite + p.ehr_cite;
  SessionTally tally(ctx, p.code, kRulePlanNotAgreed, cite, "days", kPlanAgreementGraceDays, true);
  for (const auto& s : ctx.Sessions(p.code)) {
    if (!ctx.InPeriod(s) || s.line->status != "held" || !s.held) continue;
    const std::int64_t held_day = DayOf(*s.held);
    Finding f = MakeFinding(p.code, "", kRulePlanNotAgreed, Outcome::kMissed, cite);
    f.limit = kPlanAgreementGraceDays;
    f.unit = "days";
    f.values = {{"heldAt", *s.line->held_at}, {"state", s.line->state}};
    if (s.line->state == "agreed") {
      auto agreed = s.line->agreed_at ? InstantToSeconds(*s.line->agreed_at) : std::nullopt;
      if (!agreed) {
        ctx.Problem("register line " + p.code + "/" + s.line->session_id +
                    ": agreed without a readable agreedAt; not checked");
        continue;
      }
      const std::int64_t days = DayOf(*agreed) - held_day;
      if (days <= kPlanAgreementGraceDays) {
        tally.Met(s, days);
        continue;
      }
      f.actual = days;
      f.values["agreedAt"] = *s.line->agreed_at;
      f.detail = "agreed " + std::to_string(days) + " days after the session";
      tally.Missed(s, std::move(f));
      continue;
    }
    const std::int64_t days = ctx.now_day - held_day;
    if (days <= kPlanAgreementGraceDays) continue;  // still within the grace period
    std::string awaiting;
    for (const auto& id : s.line->awaiting) awaiting += (awaiting.empty() ? "" : ", ") + id;
    f.actual = days;
    f.values["awaiting"] = awaiting;
    f.detail = "not signed by everyone " + std::to_string(days) + " days after the session";
    tally.Missed(s, std::move(f));
  }
  tally.Flush();
}

}  // namespace sa::adapter::reports::internal
