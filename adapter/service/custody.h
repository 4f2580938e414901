// Supervisee custody (RS-10, CALDERDALE app. A): "supervision records will
// move with them in the event of transfer of Supervisor" and "following their
// departure, their supervision record will be held in their personnel file".
//
// Records never move and are never copied: a transfer changes who supervises
// the supervisee now (table custody), and access checks follow custody. A
// departure seals one personnel-file package (kind "personnel-package" in
// confidential_records) and marks the person departed (table departures).
// Nothing here touches the outbox: no record goes to the EHR on the way.
//
// Staff ids are stored only as keyed hashes. Every write commits with its
// audit entries in one transaction; a refusal is audited in its own.
// Each function runs its own transaction: `session` must not be in one.
#ifndef SA_ADAPTER_SERVICE_CUSTODY_H_
#define SA_ADAPTER_SERVICE_CUSTODY_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "adapter/auth/principal.h"
#include "adapter/core/vault.h"
#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::service {

// Kind of the sealed personnel-file package in confidential_records.
inline constexpr char kPersonnelPackageKind[] = "personnel-package";

// Who supervises `supervisee_hash` now: the supervisor of the open custody
// row. nullopt when the supervisee was never transferred; each session's own
// supervisor is then current for that session.
StatusOr<std::optional<std::string>> CurrentSupervisorHash(store::DbSession& session,
                                                           const std::string& org,
                                                           const std::string& supervisee_hash);

// What a transfer did, as hashes (no staff ids, no names).
struct TransferResult {
  std::string organisation;
  std::string supervisee_hash;
  std::string previous_supervisor_hash;
  std::string new_supervisor_hash;
  std::string at;  // RFC 3339 UTC, ms
  // {"organisation","superviseeHash","previousSupervisorHash","newSupervisorHash","at"}
  nlohmann::json ToJson() const;
};

// Moves `supervisee_id` to `new_supervisor_id` (RS-10), in one transaction:
// closes the open custody row (on the first transfer, records the supervisor
// of the supervisee's latest session as a closed row first), opens the new
// one and audits "transfer supervisee/<hash>". `reason` is a short code such
// as "supervisor-left" (letters, digits, '-', '_'; stored in clear, so never
// prose). InvalidArgument for a bad id or reason; PermissionDenied (audited)
// when `actor` does not act for `org`; NotFound when the supervisee has no
// session in `org`; FailedPrecondition when they have departed; Conflict when
// `new_supervisor_id` already supervises them.
StatusOr<TransferResult> TransferSupervisee(store::DbSession& session, const Vault& vault,
                                            const std::string& org,
                                            const std::string& supervisee_id,
                                            const std::string& new_supervisor_id,
                                            const std::string& reason,
                                            const auth::Principal& actor);

// True once a departure was recorded for `staff_hash` in `org`; access checks
// use it (after departure the records are held in the personnel file).
StatusOr<bool> IsDeparted(store::DbSession& session, const std::string& org,
                          const std::string& staff_hash);

// Records that `staff_id` left `org` (RS-10) and returns the personnel-file
// package, which it also seals in confidential_records (kind
// "personnel-package", id "ORG/personnel/<packageId>", about the person):
//   {"packageId","organisation","staffId","generatedAt",
//    "sessions":[register line + "role", per session they attended, current version],
//    "practitionerRecords":[{"recordId","sessionId","version","notes"}],
//    "discussions":[{"recordId","sessionId","version","caseRef","template","form"}]
//        (only sessions that are not group or peer where they were the supervisee),
//    "groupSessionsWithheld":[{"sessionId","version","type","rule":"RS-6"}]}
// Every sealed record read for it is audited, then "write-personnel-package"
// and "depart staff/<hash>", all in the one transaction that writes the
// departures row. Nothing goes to the outbox. PermissionDenied (audited) when
// `actor` does not act for `org`; NotFound when the person has no session in
// `org`; Conflict when their departure is already recorded.
StatusOr<nlohmann::json> RecordDeparture(store::DbSession& session, const Vault& vault,
                                         const std::string& org, const std::string& staff_id,
                                         const auth::Principal& actor);

}  // namespace sa::adapter::service

#endif  // SA_ADAPTER_SERVICE_CUSTODY_H_
