// Supervision agreements: who supervises whom, under which staff group and
// frequency, for how long a session, and the agreement's own dates.
//
// The policies make the written agreement the place where the frequency, the
// session length and the managers who may read discussion forms are set
// (SGSCB app. 1; CROYDON §4; HSCP std 3; EPUT §3.2.3), and the compliance
// report checks sessions against it. An agreement holds parties, dates and
// figures only: no case content, so it lives beside the register.
#ifndef SA_ADAPTER_REPORTS_AGREEMENT_H_
#define SA_ADAPTER_REPORTS_AGREEMENT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapter/reports/staff.h"
#include "fhir/status.h"
#include "mappings/json_reader.h"

namespace sa::adapter::reports {

// Named limits on an agreement body.
inline constexpr int kMaxAgreementGapDays = 366;          // frequency.maxGapDays
inline constexpr int kMaxAgreementSessionsPerYear = 366;  // frequency.minSessionsPer12Months
inline constexpr int kMaxAgreementSessionMinutes = 1440;  // sessionMinutes (as durationMinutes)
inline constexpr std::size_t kMaxAgreementManagers = 20;  // lineManagers, namedManagers each

struct AgreementFrequency {
  std::optional<int> max_gap_days;                // longest allowed gap between sessions
  std::optional<int> min_sessions_per_12_months;  // in the rolling 12 months
  bool operator==(const AgreementFrequency&) const = default;
};

struct Agreement {
  std::string id;  // "AG-" + 16 hex digits, made by the store
  std::string organisation;
  Staff supervisee, supervisor;
  std::vector<Staff> line_managers;
  std::vector<Staff> named_managers;  // may read discussion forms where the profile allows
  std::string staff_group = "all";    // matched against the profile's frequency rules
  AgreementFrequency frequency;
  std::optional<int> session_minutes;
  std::string start_date;                    // YYYY-MM-DD: the supervisory relationship began
  std::optional<std::string> signed_at;      // YYYY-MM-DD: the written agreement was signed
  std::optional<std::string> review_date;    // YYYY-MM-DD: due for review
  std::string created_at, created_by;        // set by the store
  std::optional<std::string> superseded_by;  // the newer agreement's id (store column)
  bool operator==(const Agreement&) const = default;
};

// Reads a POST /v1/agreements body. Every problem goes to `errors` with its
// JSON Pointer (unknown keys included; server-set keys such as "id" are
// unknown here); then the result is InvalidArgument listing them all.
// `known_orgs` are the enabled profile codes.
StatusOr<Agreement> ParseAgreement(const nlohmann::json& body,
                                   const std::set<std::string>& known_orgs,
                                   mappings::FieldErrors* errors);

// The full JSON of an agreement: the body keys plus id, createdAt, createdBy
// and supersededBy. What the store keeps as body_json and the API returns.
nlohmann::json AgreementToJson(const Agreement& agreement);

// Reads back what AgreementToJson wrote (the store's body_json). The
// organisation is not checked against the profiles: one may have been
// disabled since. Internal when the stored JSON is not an agreement.
StatusOr<Agreement> AgreementFromStoredJson(const nlohmann::json& stored);

}  // namespace sa::adapter::reports

#endif  // SA_ADAPTER_REPORTS_AGREEMENT_H_
