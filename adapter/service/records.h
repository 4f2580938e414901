// Readers of what intake stored: the register's current version of a session,
// the session's people (keyed hashes), and the sealed records opened with the
// vault (discussion forms, RS-3; practitioner records, RS-7).
//
// These functions only read. They decide nothing about access and append no
// audit entry: the caller knows who is reading and why, so the caller checks
// access and audits the read (RS-12) in its own transaction.
#ifndef SA_ADAPTER_SERVICE_RECORDS_H_
#define SA_ADAPTER_SERVICE_RECORDS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapter/core/vault.h"
#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::service {

// The current version of a session: its register row with superseded_by NULL.
// nullopt when the register holds no accepted version of it. Every service
// works from the current version so a corrected record replaces the old one.
StatusOr<std::optional<int64_t>> LatestVersion(store::DbSession& session, const std::string& org,
                                               const std::string& session_id);

// One register line, ids, codes and times only (the register home: no content,
// no names), for listings such as the personnel-file package.
struct RegisterLine {
  std::string organisation, session_id;
  int64_t version = 0;
  std::string type, status, state;  // one-to-one/group/...; held/cancelled/...; agreed/...
  std::string scheduled_for;
  std::optional<std::string> held_at;
  std::optional<int64_t> duration_minutes;
  std::string template_name;

  // True for group and peer sessions, whose notes belong to the group (RS-6).
  bool IsGroup() const { return type == "group" || type == "peer"; }
  // {"sessionId","version","type","status","state","scheduledFor","heldAt",
  //  "durationMinutes","template"}: what a listing may show.
  nlohmann::json ToJson() const;
};

// The register line of one version of a session; nullopt when there is none.
// Lets services check a session exists and what type it is without reading
// entry_json (which holds names).
StatusOr<std::optional<RegisterLine>> ReadRegisterLine(store::DbSession& session,
                                                       const std::string& org,
                                                       const std::string& session_id,
                                                       int64_t version);

// A person in one version of a session: keyed hash of the staff id, and
// "supervisor" or "supervisee" (intake writes one row per person).
struct SessionPerson {
  std::string staff_hash;
  std::string role;
};

// The people of one version of a session, supervisor first. Access checks
// and notices (RS-5) compare hashes, never staff ids in clear.
StatusOr<std::vector<SessionPerson>> SessionPeople(store::DbSession& session,
                                                   const std::string& org,
                                                   const std::string& session_id, int64_t version);

// One case's discussion form, opened: the body intake sealed,
// {"template","caseRef","form"}.
struct DiscussionForm {
  std::string record_id;  // "ORG/SID/vN/CASEREF/discussion"
  std::string case_ref;
  std::string template_name;
  nlohmann::json form;
};

// Opens every discussion form of one version of a session, in case order.
// PermissionDenied when a record does not authenticate (tampered, moved);
// errors name the record id, never its content.
StatusOr<std::vector<DiscussionForm>> ReadDiscussions(store::DbSession& session, const Vault& vault,
                                                      const std::string& org,
                                                      const std::string& session_id,
                                                      int64_t version);

// One practitioner record (RS-7), opened: the practitioner notes intake sealed.
struct PractitionerRecord {
  std::string record_id;  // "ORG/SID/vN/practitioner"
  std::string organisation, session_id;
  int64_t version = 0;
  nlohmann::json notes;
};

// The practitioner record of one version of a session, if it has one. Used
// where a whole session is in scope (disclosure), whoever the record is about.
StatusOr<std::optional<PractitionerRecord>> ReadSessionPractitionerRecord(
    store::DbSession& session, const Vault& vault, const std::string& org,
    const std::string& session_id, int64_t version);

// Every practitioner record about `staff_id` in `org` (matched by keyed hash),
// taken from each session's current version only: a corrected record replaces
// the one it corrects. Ordered by session id. For the personnel file (RS-10)
// and the practitioner's own view.
StatusOr<std::vector<PractitionerRecord>> ReadPractitionerRecords(store::DbSession& session,
                                                                  const Vault& vault,
                                                                  const std::string& org,
                                                                  const std::string& staff_id);

}  // namespace sa::adapter::service

#endif  // SA_ADAPTER_SERVICE_RECORDS_H_
