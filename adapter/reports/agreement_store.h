// Supervision agreements in the store (table `agreements`, schema v2).
//
// body_json holds the agreement's full JSON (AgreementToJson); the columns
// repeat what look-ups filter on. One agreement is current per organisation
// and supervisee: saving a new one marks the previous current one
// superseded_by the new id, so history is kept and nothing is overwritten.
//
// These functions write no audit entries (the caller does, in the same
// transaction) and open no transaction of their own: SaveAgreement's insert
// and supersede must run inside the caller's transaction.
#ifndef SA_ADAPTER_REPORTS_AGREEMENT_STORE_H_
#define SA_ADAPTER_REPORTS_AGREEMENT_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "adapter/reports/agreement.h"
#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::reports {

inline constexpr char kAgreementIdPrefix[] = "AG-";

// A new agreement id: "AG-" + 16 hex digits from OpenSSL's RAND_bytes.
StatusOr<std::string> NewAgreementId();

// Stores `agreement` under a new id, with created_at = now (UTC) and
// created_by = `actor` (whatever the argument held), and marks the previous
// current agreement of the same organisation and supervisee superseded.
// Returns the agreement as stored. Run it inside the caller's transaction.
StatusOr<Agreement> SaveAgreement(store::DbSession& session, Agreement agreement,
                                  const std::string& actor);

// One agreement by id, current or superseded; nullopt when there is none.
StatusOr<std::optional<Agreement>> GetAgreement(store::DbSession& session, const std::string& id);

// Agreements, oldest first, optionally of one organisation and/or one
// supervisee; superseded ones only when `include_superseded`.
StatusOr<std::vector<Agreement>> ListAgreements(store::DbSession& session,
                                                const std::optional<std::string>& organisation,
                                                const std::optional<std::string>& supervisee_id,
                                                bool include_superseded);

// Current agreements of `organisation` naming `staff_id` as a line manager or
// a named manager: what the access engine asks before letting a manager read
// a supervisee's records (SGSCB §5, app. 1(5); EPUT §3.1.2).
StatusOr<std::vector<Agreement>> CurrentAgreementsNaming(store::DbSession& session,
                                                         const std::string& organisation,
                                                         const std::string& staff_id);

}  // namespace sa::adapter::reports

#endif  // SA_ADAPTER_REPORTS_AGREEMENT_STORE_H_
