// The compliance report: supervision in a period checked against each
// organisation's policy profile and each supervisee's agreement.
//
// A pure engine. The standards are data: the profile's frequency rules (by
// staff group, or "per agreement"), session length, urgent.withinHours,
// rebooking and agreement deadlines (mappings/data/profiles/*.json), and the
// agreement's own figures. A profile field that is null is no rule, and
// produces no finding. Two checks hold for every profile because they come
// from the record-separation rules rather than a profile figure: a plan not
// yet agreed after a grace period (RS-8) and an action overdue in the EHR
// (RS-11; the due date is the record's own).
//
// It reads the register, agreements and Task status only: never a discussion
// or practitioner record. The interpretations of the policies it makes are
// listed in adapter/reports/INTERPRETATIONS.md.
#ifndef SA_ADAPTER_REPORTS_COMPLIANCE_H_
#define SA_ADAPTER_REPORTS_COMPLIANCE_H_

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/reports/agreement.h"
#include "adapter/reports/register_report.h"
#include "mappings/profile.h"

namespace sa::adapter::reports {

// Rule names, as findings and summaries print them.
inline constexpr char kRuleMaxGap[] = "frequency.maxGap";
inline constexpr char kRuleMinPer12Months[] = "frequency.minPer12Months";
inline constexpr char kRuleUrgentWithin[] = "urgent.within";
inline constexpr char kRuleRebooking[] = "rebooking";
inline constexpr char kRuleAgreementWritten[] = "agreement.writtenWithin";
inline constexpr char kRuleAgreementReview[] = "agreement.review";
inline constexpr char kRuleLengthMax[] = "sessionLength.max";
inline constexpr char kRuleLengthMin[] = "sessionLength.min";
inline constexpr char kRuleLengthAgreed[] = "sessionLength.agreed";
inline constexpr char kRulePlanNotAgreed[] = "plan.notAgreed";
inline constexpr char kRuleActionOverdue[] = "action.overdue";

// Named judgements the policies leave open (see INTERPRETATIONS.md).
// A held session's record should be signed by everyone within this many days
// of the session (RS-8; HSCP std 4 "records to attendees promptly").
inline constexpr int kPlanAgreementGraceDays = 14;
// "Rebooked immediately": the rebooked date is recorded with the cancellation,
// or in a version the adapter received at most this many hours later.
inline constexpr int kImmediateRebookToleranceHours = 24;
// A held session shorter than the agreed length by more than this is missed.
inline constexpr int kAgreedLengthToleranceMinutes = 10;
// Session types that do not count towards the regular frequency: they are
// extra to it (EPUT §3.2.4 "ad hoc ... between sessions"; SGSCB §3.4).
inline constexpr std::array<std::string_view, 2> kTypesOutsideFrequency = {"urgent", "ad-hoc"};
// EHR Task statuses after which an action is no longer outstanding.
inline constexpr std::array<std::string_view, 3> kClosedTaskStatuses = {"completed", "cancelled",
                                                                        "entered-in-error"};

// An action of a plan the adapter sent (or queued) and its EHR status.
struct ActionStatus {
  std::string organisation, session_id, action_id, owner_id;
  std::string due;                        // YYYY-MM-DD
  std::optional<std::string> ehr_status;  // task_status.status; nullopt: never synced
};

struct ComplianceInput {
  std::string from, to;  // YYYY-MM-DD: the period [from, to), UTC days
  std::int64_t now = 0;  // Unix seconds: what "late yet?" is judged against
  // Register lines, every version (the engine uses each session's latest and
  // dates rebookings from earlier ones); should reach back far enough to
  // show the session before the period and the 12 months before `to`.
  std::vector<RegisterLine> lines;
  std::vector<Agreement> agreements;                         // current and superseded
  std::map<std::string, const mappings::Profile*> profiles;  // by organisation code
  // Actions of the latest queued plan of each case (revoked plans left out).
  std::vector<ActionStatus> open_actions;
};

enum class Outcome { kMet, kMissed, kNotCheckable };

// "met", "missed", "not-checkable".
const char* OutcomeName(Outcome outcome);

struct Finding {
  std::string organisation, supervisee, rule;
  Outcome outcome = Outcome::kMet;
  std::string session_id, action_id, agreement_id;  // "" when not about one
  std::map<std::string, std::string> values;        // the dates and values involved
  std::optional<std::int64_t> limit, actual;        // the standard and what happened
  std::string unit;                                 // of limit/actual: days, hours, minutes...
  std::string detail;                               // one plain sentence; never record content
  std::string cite;                                 // where the rule comes from
};

struct RuleSummary {
  std::string organisation, rule;
  int met = 0, missed = 0, not_checkable = 0;
};

struct ComplianceReport {
  std::string from, to, now;
  std::vector<Finding> findings;      // by organisation, supervisee, rule
  std::vector<RuleSummary> summary;   // by organisation, rule
  std::vector<std::string> problems;  // data the engine could not use, and why
};

// Applies every rule of every profile in `in.profiles` to the period.
ComplianceReport BuildCompliance(const ComplianceInput& in);

// {"from", "to", "now", "summary": [...], "findings": [...], "problems": [...]}.
nlohmann::json ComplianceToJson(const ComplianceReport& report);
nlohmann::json FindingToJson(const Finding& finding);

// The finding columns, in order (stable).
const std::vector<std::string>& ComplianceCsvHeader();

// The findings as CSV (RFC 4180, injection-guarded); `values` as "k=v; k=v".
std::string ComplianceToCsv(const ComplianceReport& report);

}  // namespace sa::adapter::reports

#endif  // SA_ADAPTER_REPORTS_COMPLIANCE_H_
