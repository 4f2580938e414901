// Gathers what the compliance engine needs from the store: register lines
// (every version), agreements (current and superseded), and the actions of
// the latest plan queued for each case with their EHR Task status.
//
// Reads only `register`, `agreements`, `outbox` (the EHR home of each plan:
// action id, owner, due) and `task_status`: never a sealed record.
#ifndef SA_ADAPTER_REPORTS_COMPLIANCE_LOADER_H_
#define SA_ADAPTER_REPORTS_COMPLIANCE_LOADER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "adapter/reports/compliance.h"
#include "adapter/store/db.h"
#include "fhir/status.h"
#include "mappings/catalog.h"

namespace sa::adapter::reports {

// How far before the period (and before the 12 months the frequency count
// looks at) register lines are read, so the session before the period is
// known and the first gap in it can be measured.
inline constexpr std::int64_t kContextLookbackDays = 366;

// Loads the input for BuildCompliance: the period [from, to) (YYYY-MM-DD),
// `now` (Unix seconds), and the organisations to check (empty: every profile
// in the catalog; an organisation without a profile is InvalidArgument).
StatusOr<ComplianceInput> LoadComplianceInput(store::DbSession& session,
                                              const mappings::Catalog& catalog,
                                              const std::string& from, const std::string& to,
                                              std::int64_t now,
                                              const std::vector<std::string>& organisations);

// The actions of the latest outbox payload of each plan of `organisations`
// (revoked plans have none), joined to task_status by the Task identifier
// (mappings::TaskIdentifier, "org/session/action").
StatusOr<std::vector<ActionStatus>> LoadActionStatuses(
    store::DbSession& session, const std::vector<std::string>& organisations);

}  // namespace sa::adapter::reports

#endif  // SA_ADAPTER_REPORTS_COMPLIANCE_LOADER_H_
