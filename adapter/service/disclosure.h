// Disclosure of sealed records beyond their access list (RS-4, RS-5): a small
// state machine whose rules come from the organisation's policy profile (data:
// disclosure grounds, noticeBeforeRelease, urgentReleaseBeforeNotice,
// approverRole). There is no per-organisation code here.
//
//   request ──ground not in profile──► refused (recorded, audited, PermissionDenied)
//      │
//      ├── notice required first ───────────────► awaiting-notice
//      │                                              │ RecordNotice (RS-5)
//      └── urgent + profile allows this ground, ──► awaiting-approval
//          or the profile requires no notice first    │ Approve (profile's approverRole)
//                                                     ▼
//                                                  approved ── ReleasePackage ──► released
//
// On the urgent path the notice is still due: RecordNotice is accepted in any
// state but refused, and once the package was released it records
// notice_gap_seconds = notice time - first release time.
//
// What is stored: the disclosures row (ids, codes, the requester's name,
// organisation and role, times; never record text); the notice sealed in
// confidential_records (kind "disclosure-notice", one row per notified
// supervisee, about_hash = that supervisee); the released package sealed on
// first release (kind "disclosure-package"). The request's free-text purpose
// is NOT stored. Every step, every read of sealed content and every refusal is
// audited (RS-12), with ids and codes only.
//
// Each mutating function runs its own transaction (writes, then audit entries
// last): `session` must not be in one.
#ifndef SA_ADAPTER_SERVICE_DISCLOSURE_H_
#define SA_ADAPTER_SERVICE_DISCLOSURE_H_

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapter/auth/principal.h"
#include "adapter/core/vault.h"
#include "adapter/store/db.h"
#include "fhir/status.h"
#include "mappings/catalog.h"
#include "mappings/json_reader.h"

namespace sa::adapter::service {

// Kinds of the sealed rows this workflow writes in confidential_records.
inline constexpr char kDisclosureNoticeKind[] = "disclosure-notice";
inline constexpr char kDisclosurePackageKind[] = "disclosure-package";

// The states of a disclosure.
inline constexpr char kDisclosureRefused[] = "refused";
inline constexpr char kDisclosureAwaitingNotice[] = "awaiting-notice";
inline constexpr char kDisclosureAwaitingApproval[] = "awaiting-approval";
inline constexpr char kDisclosureApproved[] = "approved";
inline constexpr char kDisclosureReleased[] = "released";

// Longest notice field (what, why, consequences), in bytes: a notice is a few
// paragraphs; anything longer is a mistake (or a pasted record).
inline constexpr std::size_t kMaxNoticeFieldBytes = 16 * 1024;
// Longest requester name, organisation or role, and purpose, in bytes.
inline constexpr std::size_t kMaxRequesterFieldBytes = 200;
inline constexpr std::size_t kMaxPurposeBytes = 4096;

// The external person or agency asking (RS-4: an authorised requester).
struct Requester {
  std::string name, organisation, role;
};

// A request to disclose records of one session.
struct DisclosureRequest {
  std::string organisation, session_id;
  std::vector<std::string> records;    // non-empty subset of {"discussion", "practitioner"}
  std::vector<std::string> case_refs;  // discussion cases to release; empty: every case
  Requester requester;
  std::string ground;     // a code; allowed or not by the profile, decided by RequestDisclosure
  std::string reference;  // court order no., review no.: [A-Za-z0-9._/:-], 1-64
  std::string purpose;    // free text; validated, never stored
  bool urgent = false;
};

// Parses the API body {organisation, sessionId, records[], caseRefs[],
// requester{name,organisation,role}, ground, reference, purpose, urgent}.
// Every problem goes to `errors` (JSON Pointer and reason, never the value);
// InvalidArgument with them all when there is any.
StatusOr<DisclosureRequest> ParseDisclosureRequest(const nlohmann::json& body,
                                                   mappings::FieldErrors* errors);

// A disclosure's status (no record content).
struct Disclosure {
  std::string id;  // "D-" + 16 hex
  std::string organisation, session_id;
  int64_t version = 0;  // the session version it covers: the current one when requested
  std::string state, ground, reference;
  Requester requester;
  bool urgent = false;
  std::vector<std::string> records, case_refs;
  std::string requested_by;   // audit actor of the request, "api:<subject>"
  std::string approver_role;  // the profile's approverRole when requested
  std::string created_at;
  std::optional<std::string> notice_at, approved_by, approved_at, released_at;
  std::optional<int64_t> notice_gap_seconds;
  std::optional<std::string> refusal;
};

// {"id","organisation","sessionId","version","state","ground","reference","urgent",
//  "records","caseRefs","requester":{"name","organisation","role"},"requestedBy",
//  "approverRole","createdAt","noticeAt","approvedBy","approvedAt","releasedAt",
//  "noticeGapSeconds","refusal"}: absent values are null. For the status view.
nlohmann::json DisclosureToJson(const Disclosure& disclosure);

// Records a request (RS-4). Ground not among the profile's grounds: the request
// is recorded as "refused" with the reason and the profile's cites, audited,
// and PermissionDenied "disclosure <id> refused: ..." is returned (read the id
// back with RefusedDisclosureId). Otherwise the new disclosure, in
// "awaiting-notice" or "awaiting-approval" (see the diagram above).
// InvalidArgument for an unconfigured organisation or a case ref the session
// lacks; PermissionDenied (audited, nothing recorded) when `actor` does not act
// for the organisation; NotFound when the session is not in the register.
StatusOr<Disclosure> RequestDisclosure(store::DbSession& session, const mappings::Catalog& catalog,
                                       const DisclosureRequest& request,
                                       const auth::Principal& actor,
                                       std::chrono::system_clock::time_point now);

// The disclosure id in a refusal returned by RequestDisclosure; nullopt for
// any other Status. Lets the HTTP layer answer 403 with the recorded id.
std::optional<std::string> RefusedDisclosureId(const Status& status);

// What the supervisee is told (RS-5; SGSCB §5: "what will be disclosed, the
// reasons for disclosure and the likely consequences"). All required.
struct NoticeInput {
  std::string what, why, consequences;
};

// Records the notice to the supervisees of the disclosed session version,
// sealed, one row per supervisee. awaiting-notice → awaiting-approval; in
// other states the state stays, and after a release notice_gap_seconds is
// recorded. InvalidArgument for a missing or oversized field; NotFound;
// PermissionDenied (audited) when `actor` does not act for the organisation;
// FailedPrecondition for a refused disclosure; Conflict when a notice exists.
StatusOr<Disclosure> RecordNotice(store::DbSession& session, const Vault& vault,
                                  const std::string& id, const NoticeInput& notice,
                                  const auth::Principal& actor,
                                  std::chrono::system_clock::time_point now);

// Approves a disclosure: only a caller holding the profile's approverRole and
// acting for the organisation (else PermissionDenied, audited), only from
// awaiting-approval (else Conflict). NotFound for an unknown id.
StatusOr<Disclosure> Approve(store::DbSession& session, const mappings::Catalog& catalog,
                             const std::string& id, const auth::Principal& actor,
                             std::chrono::system_clock::time_point now);

// Returns exactly what is disclosed, and releases it:
//   {"disclosureId","reference","ground","releasedAt","organisation","sessionId","version",
//    "records":[{"kind":"discussion","recordId","caseRef","template","form","marking":{..}},
//               {"kind":"practitioner","recordId","notes","marking":{..}}]}
// where "marking" is {"disclosureId","reference","ground","releasedAt",
// "organisation","sessionId"}. Discussion forms of the listed cases (every
// case when none listed) and/or the session's practitioner record, of the
// version the disclosure covers. The first release seals the package, sets
// released_at and state "released"; a later release returns the same sealed
// package. Each release audits its reads and "disclose". Only a caller holding
// the approver role recorded on the disclosure and acting for the organisation
// (else PermissionDenied, audited); only when approved or released (else
// FailedPrecondition, audited). NotFound for an unknown id.
StatusOr<nlohmann::json> ReleasePackage(store::DbSession& session, const Vault& vault,
                                        const std::string& id, const auth::Principal& actor,
                                        std::chrono::system_clock::time_point now);

// The status of one disclosure (no content); NotFound for an unknown id.
StatusOr<Disclosure> GetDisclosure(store::DbSession& session, const std::string& id);

// One notice as the supervisee received it.
struct NoticeView {
  std::string disclosure_id, organisation, session_id;
  std::string what, why, consequences;
  std::string notice_at;
  // {"disclosureId","organisation","sessionId","what","why","consequences","noticeAt"}
  nlohmann::json ToJson() const;
};

// The notices `staff_id` received in `org`, oldest first: the supervisee's
// own view (RS-5). Opens sealed notices and appends no audit entry: the
// caller checks the reader is that supervisee and audits the read.
StatusOr<std::vector<NoticeView>> NoticesFor(store::DbSession& session, const Vault& vault,
                                             const std::string& org, const std::string& staff_id);

}  // namespace sa::adapter::service

#endif  // SA_ADAPTER_SERVICE_DISCLOSURE_H_
