// Builders for the compliance tests: register lines, agreements and inputs
// without a database, and the findings of one rule/outcome.
#ifndef SA_ADAPTER_REPORTS_COMPLIANCE_TEST_SUPPORT_H_
#define SA_ADAPTER_REPORTS_COMPLIANCE_TEST_SUPPORT_H_

#include <string>
#include <vector>

#include "adapter/reports/compliance.h"
#include "adapter/reports/dates.h"
#include "mappings/test_support.h"

namespace sa::adapter::reports::testing {

inline Staff Person(const std::string& id) { return {id, "Name " + id, "Practitioner"}; }

inline const mappings::Profile& BuiltInProfile(const std::string& code) {
  const mappings::Profile* p = mappings::testing::BuiltInCatalog().FindProfile(code);
  if (!p) ADD_FAILURE() << "no built-in profile " << code;
  return *p;
}

// A held, agreed session (signed an hour after it), received two hours after.
inline RegisterLine Held(const std::string& org, const std::string& sid,
                         const std::vector<std::string>& supervisees, const std::string& held_at,
                         int minutes = 90, const std::string& type = "one-to-one") {
  RegisterLine l;
  l.organisation = org;
  l.session_id = sid;
  l.version = 1;
  l.type = type;
  l.status = "held";
  l.state = "agreed";
  l.scheduled_for = held_at;
  l.held_at = held_at;
  l.duration_minutes = minutes;
  const std::int64_t at = *InstantToSeconds(held_at);
  l.agreed_at = SecondsToInstant(at + 3600);
  l.received_at = SecondsToInstant(at + 7200);
  l.supervisor = Person("SUP");
  for (const auto& id : supervisees) l.supervisees.push_back(Person(id));
  l.signatures = static_cast<int>(supervisees.size()) + 1;
  l.template_name = "free";
  return l;
}

// A cancelled (or did-not-attend) session, received the day before.
inline RegisterLine NotHeld(const std::string& org, const std::string& sid,
                            const std::string& supervisee, const std::string& scheduled,
                            std::optional<std::string> rebooked_to,
                            const std::string& status = "cancelled") {
  RegisterLine l;
  l.organisation = org;
  l.session_id = sid;
  l.version = 1;
  l.type = "one-to-one";
  l.status = status;
  l.state = status;
  l.scheduled_for = scheduled;
  l.rebooked_to = std::move(rebooked_to);
  l.received_at = SecondsToInstant(*InstantToSeconds(scheduled) - kSecondsPerDay);
  l.supervisor = Person("SUP");
  l.supervisees = {Person(supervisee)};
  l.template_name = "free";
  return l;
}

inline Agreement MakeAgreement(const std::string& org, const std::string& supervisee,
                               const std::string& start, const std::string& group = "all") {
  Agreement a;
  a.id = "AG-" + org + "-" + supervisee;
  a.organisation = org;
  a.supervisee = Person(supervisee);
  a.supervisor = Person("SUP");
  a.staff_group = group;
  a.start_date = start;
  a.signed_at = start;
  a.session_minutes = 90;
  a.created_at = start + "T09:00:00.000Z";
  a.created_by = "test";
  return a;
}

// A year's period (2026) judged on 31 December 2026 at noon.
inline ComplianceInput YearInput(const mappings::Profile& profile) {
  ComplianceInput in;
  in.from = "2026-01-01";
  in.to = "2027-01-01";
  in.now = *InstantToSeconds("2026-12-31T12:00:00Z");
  in.profiles[profile.code] = &profile;
  return in;
}

inline std::vector<Finding> Select(const ComplianceReport& r, const std::string& rule,
                                   Outcome outcome) {
  std::vector<Finding> out;
  for (const auto& f : r.findings) {
    if (f.rule == rule && f.outcome == outcome) out.push_back(f);
  }
  return out;
}

inline std::string Describe(const ComplianceReport& r) {
  std::string s;
  for (const auto& f : r.findings) {
    s += "\n  " + f.organisation + " " + f.supervisee + " " + f.rule + " " +
         OutcomeName(f.outcome) + " " + f.session_id + " " + f.detail;
  }
  for (const auto& p : r.problems) s += "\n  problem: " + p;
  return s;
}

}  // namespace sa::adapter::reports::testing

#endif  // SA_ADAPTER_REPORTS_COMPLIANCE_TEST_SUPPORT_H_
