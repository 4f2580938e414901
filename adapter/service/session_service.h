// What the API does with sessions: submit (intake), sign (RS-8), cancel,
// the register view, and the three audited reads — a case's discussion form
// (RS-3, RS-6), a practitioner's record (RS-7) and a supervisee's previous
// actions with their live EHR status (RS-11).
//
// Signatures and cancellations make the next version of the stored record
// (sealed copy, see intake.h) and feed it through the same intake, so there
// is one path for agreement, release to the EHR and superseding plans. The
// version read is the version expected: a concurrent change is a Conflict,
// retried a few times here.
#ifndef SA_ADAPTER_SERVICE_SESSION_SERVICE_H_
#define SA_ADAPTER_SERVICE_SESSION_SERVICE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "adapter/auth/principal.h"
#include "adapter/core/intake.h"
#include "adapter/service/access.h"
#include "adapter/core/vault.h"
#include "adapter/store/db.h"
#include "mappings/catalog.h"

namespace sa::adapter::service {

// A cancellation's reason: a code, never free text (it goes to the register).
const std::vector<std::string>& CancellationReasons();

struct CancelRequest {
  std::string reason;                     // one of CancellationReasons()
  std::optional<std::string> rebooked_to;  // RFC 3339
};

// The latest stored whole record of a session, opened.
struct StoredRecord {
  int64_t version = 0;
  nlohmann::json document;
};
StatusOr<std::optional<StoredRecord>> LoadLatestRecord(store::DbSession& db, const Vault& vault,
                                                       const std::string& org,
                                                       const std::string& session_id);

class SessionService {
 public:
  // None owned; all outlive the service.
  SessionService(store::Database* db, const mappings::Catalog* catalog, const Vault* vault,
                 IntakeService* intake)
      : db_(db), catalog_(catalog), vault_(vault), intake_(intake) {}

  // Intake of an office system's record. The caller must act for the
  // record's organisation. `expected_version` (If-Match) makes a changed
  // record a Conflict unless it supersedes exactly that version. A record
  // equal to the stored one except for signatures collected through the API
  // is unchanged, not a new version that would drop them.
  StatusOr<IntakeResult> Submit(std::string_view body, const auth::Principal& caller,
                                std::optional<int64_t> expected_version);

  // The caller signs the session's latest version (RS-8); when everyone has
  // signed, intake queues the plan as the profile says. Signing twice is
  // unchanged.
  StatusOr<IntakeResult> Sign(const std::string& org, const std::string& session_id,
                              const auth::Principal& caller, const std::string& at);

  // Cancels the session (a new version with status "cancelled"); plans
  // already queued or delivered are revoked in the EHR.
  StatusOr<IntakeResult> Cancel(const std::string& org, const std::string& session_id,
                                const auth::Principal& caller, const CancelRequest& request);

  // Who, when, type, length, state, signatures: no content.
  StatusOr<nlohmann::json> RegisterView(const std::string& org, const std::string& session_id,
                                        const auth::Principal& caller);

  // The discussion forms of the session's latest version, for its access
  // list only (profile readers). Every read and refusal audited.
  StatusOr<nlohmann::json> Discussion(const std::string& org, const std::string& session_id,
                                      const auth::Principal& caller);

  // The practitioner records about `staff_id` (support, development,
  // competence), for the profile's readers only; audited.
  StatusOr<nlohmann::json> PractitionerRecord(const std::string& org, const std::string& staff_id,
                                              const auth::Principal& caller);

  // The supervisee's actions from earlier sessions with their EHR status as
  // last synced: open ones, and closed ones changed in the last
  // kRecentDays days.
  StatusOr<nlohmann::json> PreviousActions(const std::string& org, const std::string& staff_id,
                                           const auth::Principal& caller);

  static constexpr int kRecentDays = 42;
  static constexpr int kConflictRetries = 5;

 private:
  // Edits the latest record in place and sets the register note (codes only).
  using RecordEdit = std::function<Status(nlohmann::json& record, nlohmann::json* note)>;
  // Loads the latest record (checking `op`), applies `edit`, and takes the
  // result in as the next version; retried on a concurrent change.
  StatusOr<IntakeResult> ChangeRecord(const std::string& org, const std::string& session_id,
                                      Operation op, const auth::Principal& caller,
                                      const RecordEdit& edit);
  // Loads the latest record and checks `op` for the caller on it.
  StatusOr<StoredRecord> LoadForChange(store::DbSession& db, Operation op, const std::string& org,
                                       const std::string& session_id,
                                       const auth::Principal& caller);

  store::Database* db_;
  const mappings::Catalog* catalog_;
  const Vault* vault_;
  IntakeService* intake_;
};

}  // namespace sa::adapter::service

#endif  // SA_ADAPTER_SERVICE_SESSION_SERVICE_H_
