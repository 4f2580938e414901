// Session length (profile "sessionLength"): at most maxMinutes (EPUT §3.2.2:
// 2 hours), at least minMinutes (CALDERDALE app. A: 1.5 hours), and, where the
// length is agreed in advance (SGSCB §3.5, EPUT §3.2.2, CROYDON §3.3, HSCP
// std 2), not shorter than the agreement's sessionMinutes by more than
// kAgreedLengthToleranceMinutes.
#include "adapter/reports/compliance_context.h"

namespace sa::adapter::reports::internal {

namespace {

Finding Missed(const mappings::Profile& p, const char* rule, const SessionView& s,
               std::int64_t limit, const std::string& what) {
  Finding f = MakeFinding(p.code, "", rule, Outcome::kMissed, p.length_cite);
  f.limit = limit;
  f.actual = *s.line->duration_minutes;
  f.unit = "minutes";
  f.values = {{"heldAt", s.line->held_at.value_or("")}};
  f.detail = std::to_string(*f.actual) + " minutes; " + what + " " + std::to_string(limit);
  return f;
}

}  // namespace

void CheckSessionLength(Context& ctx, const mappings::Profile& p) {
  if (!p.max_minutes && !p.min_minutes && !p.length_agreed_in_advance) return;
  std::vector<const SessionView*> held;
  for (const auto& s : ctx.Sessions(p.code)) {
    if (ctx.InPeriod(s) && s.line->status == "held" && s.line->duration_minutes) held.push_back(&s);
  }
  if (p.max_minutes) {
    SessionTally tally(ctx, p.code, kRuleLengthMax, p.length_cite, "minutes", *p.max_minutes, true);
    for (const SessionView* s : held) {
      if (*s->line->duration_minutes > *p.max_minutes) {
        tally.Missed(*s, Missed(p, kRuleLengthMax, *s, *p.max_minutes, "the standard is at most"));
      } else {
        tally.Met(*s, *s->line->duration_minutes);
      }
    }
    tally.Flush();
  }
  if (p.min_minutes) {
    SessionTally tally(ctx, p.code, kRuleLengthMin, p.length_cite, "minutes", *p.min_minutes,
                       false);
    for (const SessionView* s : held) {
      if (*s->line->duration_minutes < *p.min_minutes) {
        tally.Missed(*s, Missed(p, kRuleLengthMin, *s, *p.min_minutes, "the standard is at least"));
      } else {
        tally.Met(*s, *s->line->duration_minutes);
      }
    }
    tally.Flush();
  }
  if (p.length_agreed_in_advance) {
    SessionTally tally(ctx, p.code, kRuleLengthAgreed, p.length_cite, "minutes", std::nullopt,
                       false);
    std::set<std::string> reported;  // supervisees already told "not checkable"
    for (const SessionView* s : held) {
      for (const auto& person : s->line->supervisees) {
        const Agreement* a = ctx.Current(p.code, person.id);
        if (!a || !a->session_minutes) {
          if (!reported.insert(person.id).second) continue;
          Finding f = MakeFinding(p.code, person.id, kRuleLengthAgreed, Outcome::kNotCheckable,
                                  p.length_cite);
          f.detail = a ? "agreement " + a->id + " records no session length"
                       : "no current supervision agreement records the agreed session length";
          ctx.Add(std::move(f));
          continue;
        }
        const std::int64_t agreed = *a->session_minutes;
        if (*s->line->duration_minutes < agreed - kAgreedLengthToleranceMinutes) {
          Finding f = Missed(p, kRuleLengthAgreed, *s, agreed, "the agreed length is");
          f.cite += "; supervision agreement " + a->id;
          f.agreement_id = a->id;
          tally.MissedFor(*s, person.id, std::move(f));
        } else {
          tally.MetFor(person.id, *s->line->duration_minutes);
        }
      }
    }
    tally.Flush();
  }
}

}  // namespace sa::adapter::reports::internal
