// The written agreement (profile "agreement"): signed within
// writtenWithinDays of the relationship's start (HSCP std 3: 4 weeks), and
// reviewed by its review date: the agreement's own reviewDate (CROYDON §4:
// the agreement states its review interval), or signedAt/startDate plus the
// profile's reviewIntervalMonths. A review is evidenced by a newer agreement
// for the supervisee, recorded on or before the date due.
#include "adapter/reports/compliance_context.h"
#include "adapter/reports/dates.h"

namespace sa::adapter::reports::internal {

namespace {

void CheckWritten(Context& ctx, const mappings::Profile& p, const std::string& sv) {
  const int within = *p.agreement_within_days;
  const Agreement* a = ctx.Current(p.code, sv);
  Finding f = MakeFinding(p.code, sv, kRuleAgreementWritten, Outcome::kMissed, p.agreement_cite);
  f.limit = within;
  f.unit = "days";
  if (!a) {
    auto first = ctx.FirstSeenDay(p.code, sv);
    if (!first || *first + within >= ctx.as_of_day) return;
    f.values = {{"firstSession", DaysToDate(*first)}, {"due", DaysToDate(*first + within)}};
    f.detail = "no supervision agreement recorded; supervision began by " + DaysToDate(*first);
    ctx.Add(std::move(f));
    return;
  }
  auto start = DateToDays(a->start_date);
  if (!start || *start >= ctx.to_day) return;
  // The relationship's first signature: any agreement with the same
  // supervisor and start date (a re-issued agreement keeps both).
  std::optional<std::int64_t> signed_day;
  for (const Agreement* other : ctx.AgreementsOf(p.code, sv)) {
    if (other->supervisor.id != a->supervisor.id || other->start_date != a->start_date) continue;
    auto d = other->signed_at ? DateToDays(*other->signed_at) : std::nullopt;
    if (d && (!signed_day || *d < *signed_day)) signed_day = d;
  }
  f.agreement_id = a->id;
  f.values = {{"startDate", a->start_date}, {"due", DaysToDate(*start + within)}};
  if (signed_day) {
    f.actual = *signed_day - *start;
    f.values["signedAt"] = DaysToDate(*signed_day);
    f.outcome = *f.actual <= within ? Outcome::kMet : Outcome::kMissed;
    f.detail = "signed " + std::to_string(*f.actual) + " days after the supervision began";
  } else {
    if (*start + within >= ctx.as_of_day) return;  // not due yet
    f.actual = ctx.as_of_day - *start;
    f.detail = "not signed " + std::to_string(*f.actual) + " days after the supervision began";
  }
  ctx.Add(std::move(f));
}

void CheckReview(Context& ctx, const mappings::Profile& p, const std::string& sv) {
  for (const Agreement* a : ctx.AgreementsOf(p.code, sv)) {
    std::optional<std::int64_t> due;
    std::string cite = p.agreement_cite;
    if (a->review_date) {
      due = DateToDays(*a->review_date);
      cite += "; the reviewDate of supervision agreement " + a->id;
    } else if (p.agreement_review_months) {
      auto base = DateToDays(a->signed_at.value_or(a->start_date));
      if (base) due = AddMonths(*base, *p.agreement_review_months);
    }
    if (!due) continue;
    Finding f = MakeFinding(p.code, sv, kRuleAgreementReview, Outcome::kMissed, cite);
    f.agreement_id = a->id;
    f.values = {{"reviewDue", DaysToDate(*due)}};
    if (a->superseded_by) {
      const Agreement* next = ctx.AgreementById(*a->superseded_by);
      auto at = next ? InstantToSeconds(next->created_at) : std::nullopt;
      if (!at || !ctx.DayInPeriod(*due)) continue;
      const std::int64_t reviewed = DayOf(*at);
      f.values["reviewedOn"] = DaysToDate(reviewed);
      f.values["newAgreement"] = next->id;
      f.actual = reviewed - *due;
      f.unit = "days after due";
      f.outcome = reviewed <= *due ? Outcome::kMet : Outcome::kMissed;
      f.detail = reviewed <= *due ? "reviewed by the date due"
                                  : "reviewed " + std::to_string(*f.actual) + " days late";
    } else {
      if (*due >= ctx.as_of_day) continue;  // not due yet
      f.actual = ctx.as_of_day - *due;
      f.unit = "days after due";
      f.detail = "review due " + DaysToDate(*due) + "; no newer agreement recorded";
    }
    ctx.Add(std::move(f));
  }
}

}  // namespace

void CheckAgreement(Context& ctx, const mappings::Profile& p, const std::string& sv) {
  if (p.agreement_within_days) CheckWritten(ctx, p, sv);
  CheckReview(ctx, p, sv);
}

}  // namespace sa::adapter::reports::internal
