#include "adapter/service/custody.h"

#include <cstdint>
#include <vector>

#include "adapter/audit/audit_log.h"
#include "adapter/crypto/openssl_util.h"
#include "adapter/service/records.h"
#include "mappings/json_reader.h"

namespace sa::adapter::service {

using nlohmann::json;

namespace {

// Serialises custody changes across PostgreSQL instances (transaction-scoped
// advisory lock, "sa-custd"); SQLite's BEGIN IMMEDIATE already does. Without
// it two first transfers of one supervisee could both open a row.
constexpr int64_t kCustodyLockKey = 0x73612D6375737464;

// Reason recorded for the closed row a first transfer reconstructs.
constexpr char kFromSessionsReason[] = "from-session-records";

StatusOr<std::string> NewPackageId() {
  uint8_t bytes[8];
  SA_RETURN_IF_ERROR(crypto::RandomBytes(bytes, sizeof bytes));
  return "PKG-" + crypto::HexLower(bytes, sizeof bytes);
}

Status LockCustody(store::DbSession& session) {
  if (session.dialect() != store::Dialect::kPostgres) return Status::Ok();
  return session.Query("SELECT 1 FROM pg_advisory_xact_lock(?)", {kCustodyLockKey}).status();
}

// Audits a refusal in a transaction of its own (RS-12: refusals are logged).
Status AuditRefusal(store::DbSession& session, const auth::Principal& actor,
                    const std::string& action, const std::string& object,
                    const std::string& detail) {
  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_RETURN_IF_ERROR(audit::Append(session, {actor.AuditActor(), action, object, "refused", detail},
                                   audit::NowRfc3339())
                         .status());
  return tx.Commit();
}

// The current version of each session `staff_hash` is in, with their role,
// oldest first.
struct Attendance {
  std::string session_id;
  int64_t version = 0;
  std::string role;
};
StatusOr<std::vector<Attendance>> SessionsOf(store::DbSession& session, const std::string& org,
                                             const std::string& staff_hash) {
  SA_ASSIGN_OR_RETURN(auto rows,
                      session.Query("SELECT r.session_id, r.version, p.role FROM session_people p"
                                    " JOIN register r ON r.org = p.org AND"
                                    " r.session_id = p.session_id AND r.version = p.version"
                                    " WHERE p.org = ? AND p.staff_hash = ? AND"
                                    " r.superseded_by IS NULL"
                                    " ORDER BY COALESCE(r.held_at, r.scheduled_for), r.session_id",
                                    {org, staff_hash}));
  std::vector<Attendance> out;
  for (const auto& r : rows) {
    Attendance a;
    SA_ASSIGN_OR_RETURN(a.session_id, store::AsText(r[0]));
    SA_ASSIGN_OR_RETURN(a.version, store::AsInt(r[1]));
    SA_ASSIGN_OR_RETURN(a.role, store::AsText(r[2]));
    out.push_back(std::move(a));
  }
  return out;
}

// The supervisor of the supervisee's latest session (current versions), and
// the time of the earliest session that supervisor held with them.
struct SessionSupervisor {
  std::string hash;
  std::string since;
};
StatusOr<std::optional<SessionSupervisor>> LatestSessionSupervisor(
    store::DbSession& session, const std::string& org, const std::string& supervisee_hash) {
  constexpr char kJoin[] =
      " FROM session_people e JOIN register r ON r.org = e.org AND"
      " r.session_id = e.session_id AND r.version = e.version"
      " JOIN session_people s ON s.org = e.org AND s.session_id = e.session_id AND"
      " s.version = e.version AND s.role = 'supervisor'"
      " WHERE e.org = ? AND e.staff_hash = ? AND e.role = 'supervisee' AND"
      " r.superseded_by IS NULL";
  SA_ASSIGN_OR_RETURN(auto latest,
                      session.Query(std::string("SELECT s.staff_hash") + kJoin +
                                        " ORDER BY COALESCE(r.held_at, r.scheduled_for) DESC,"
                                        " r.received_at DESC LIMIT 1",
                                    {org, supervisee_hash}));
  if (latest.empty()) return std::optional<SessionSupervisor>();
  SessionSupervisor out;
  SA_ASSIGN_OR_RETURN(out.hash, store::AsText(latest[0][0]));
  SA_ASSIGN_OR_RETURN(
      auto first, session.Query(std::string("SELECT COALESCE(r.held_at, r.scheduled_for)") + kJoin +
                                    " AND s.staff_hash = ?" +
                                    " ORDER BY COALESCE(r.held_at, r.scheduled_for) LIMIT 1",
                                {org, supervisee_hash, out.hash}));
  if (!first.empty()) {
    SA_ASSIGN_OR_RETURN(out.since, store::AsText(first[0][0]));
  }
  return std::optional<SessionSupervisor>(std::move(out));
}

struct OpenCustody {
  int64_t id = 0;
  std::string supervisor_hash;
};
StatusOr<std::optional<OpenCustody>> FindOpenCustody(store::DbSession& session,
                                                     const std::string& org,
                                                     const std::string& supervisee_hash) {
  SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT id, supervisor_hash FROM custody"
                                               " WHERE org = ? AND supervisee_hash = ? AND"
                                               " to_at IS NULL ORDER BY id DESC LIMIT 1",
                                               {org, supervisee_hash}));
  if (rows.empty()) return std::optional<OpenCustody>();
  OpenCustody c;
  SA_ASSIGN_OR_RETURN(c.id, store::AsInt(rows[0][0]));
  SA_ASSIGN_OR_RETURN(c.supervisor_hash, store::AsText(rows[0][1]));
  return std::optional<OpenCustody>(std::move(c));
}

}  // namespace

json TransferResult::ToJson() const {
  return {{"organisation", organisation},
          {"superviseeHash", supervisee_hash},
          {"previousSupervisorHash", previous_supervisor_hash},
          {"newSupervisorHash", new_supervisor_hash},
          {"at", at}};
}

StatusOr<std::optional<std::string>> CurrentSupervisorHash(store::DbSession& session,
                                                           const std::string& org,
                                                           const std::string& supervisee_hash) {
  SA_ASSIGN_OR_RETURN(auto open, FindOpenCustody(session, org, supervisee_hash));
  if (!open) return std::optional<std::string>();
  return std::optional<std::string>(open->supervisor_hash);
}

StatusOr<bool> IsDeparted(store::DbSession& session, const std::string& org,
                          const std::string& staff_hash) {
  SA_ASSIGN_OR_RETURN(auto rows,
                      session.Query("SELECT 1 FROM departures WHERE org = ? AND staff_hash = ?",
                                    {org, staff_hash}));
  return !rows.empty();
}

StatusOr<TransferResult> TransferSupervisee(store::DbSession& session, const Vault& vault,
                                            const std::string& org,
                                            const std::string& supervisee_id,
                                            const std::string& new_supervisor_id,
                                            const std::string& reason,
                                            const auth::Principal& actor) {
  if (supervisee_id.empty()) return Status::InvalidArgument("supervisee id: required");
  if (new_supervisor_id.empty()) return Status::InvalidArgument("new supervisor id: required");
  if (supervisee_id == new_supervisor_id) {
    return Status::InvalidArgument("a supervisee cannot supervise themselves");
  }
  if (!mappings::LooksLikeFieldName(reason)) {
    return Status::InvalidArgument(
        "reason: must be a short code of letters, digits, '-' or '_' (1-64 characters)");
  }
  TransferResult result;
  result.organisation = org;
  SA_ASSIGN_OR_RETURN(result.supervisee_hash, vault.StaffHash(supervisee_id));
  SA_ASSIGN_OR_RETURN(result.new_supervisor_hash, vault.StaffHash(new_supervisor_id));
  const std::string object = "supervisee/" + result.supervisee_hash;
  if (!actor.ActsFor(org)) {
    SA_RETURN_IF_ERROR(AuditRefusal(session, actor, "transfer", object, "org=" + org));
    return Status::PermissionDenied("the caller does not act for organisation " + org);
  }
  result.at = audit::NowRfc3339();

  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_RETURN_IF_ERROR(LockCustody(session));
  SA_ASSIGN_OR_RETURN(bool departed, IsDeparted(session, org, result.supervisee_hash));
  if (departed) {
    return Status::FailedPrecondition(
        "the supervisee has departed; their records are in the personnel file (RS-10)");
  }
  SA_ASSIGN_OR_RETURN(auto latest, LatestSessionSupervisor(session, org, result.supervisee_hash));
  if (!latest) return Status::NotFound("the supervisee has no session in " + org);
  SA_ASSIGN_OR_RETURN(auto open, FindOpenCustody(session, org, result.supervisee_hash));
  result.previous_supervisor_hash = open ? open->supervisor_hash : latest->hash;
  if (result.previous_supervisor_hash == result.new_supervisor_hash) {
    return Status::Conflict("the new supervisor already supervises this supervisee");
  }
  if (open) {
    SA_ASSIGN_OR_RETURN(int64_t closed,
                        session.Exec("UPDATE custody SET to_at = ? WHERE id = ? AND to_at IS NULL",
                                     {result.at, open->id}));
    if (closed != 1) return Status::Conflict("custody changed concurrently; try again");
  } else {
    // First transfer: the relationship the sessions show becomes the closed row.
    std::string since = latest->since.empty() ? result.at : latest->since;
    SA_RETURN_IF_ERROR(session
                           .Exec("INSERT INTO custody (org, supervisee_hash, supervisor_hash,"
                                 " from_at, to_at, reason, recorded_by) VALUES (?,?,?,?,?,?,?)",
                                 {org, result.supervisee_hash, latest->hash, since, result.at,
                                  std::string(kFromSessionsReason), actor.AuditActor()})
                           .status());
  }
  SA_RETURN_IF_ERROR(session
                         .Exec("INSERT INTO custody (org, supervisee_hash, supervisor_hash,"
                               " from_at, to_at, reason, recorded_by) VALUES (?,?,?,?,NULL,?,?)",
                               {org, result.supervisee_hash, result.new_supervisor_hash, result.at,
                                reason, actor.AuditActor()})
                         .status());
  // Audit last: on PostgreSQL, Append holds the chain's lock until commit.
  SA_RETURN_IF_ERROR(audit::Append(session,
                                   {actor.AuditActor(), "transfer", object, "ok",
                                    "from=" + result.previous_supervisor_hash +
                                        " to=" + result.new_supervisor_hash + " reason=" + reason},
                                   result.at)
                         .status());
  SA_RETURN_IF_ERROR(tx.Commit());
  return result;
}

StatusOr<json> RecordDeparture(store::DbSession& session, const Vault& vault,
                               const std::string& org, const std::string& staff_id,
                               const auth::Principal& actor) {
  if (staff_id.empty()) return Status::InvalidArgument("staff id: required");
  SA_ASSIGN_OR_RETURN(std::string staff_hash, vault.StaffHash(staff_id));
  const std::string object = "staff/" + staff_hash;
  if (!actor.ActsFor(org)) {
    SA_RETURN_IF_ERROR(AuditRefusal(session, actor, "depart", object, "org=" + org));
    return Status::PermissionDenied("the caller does not act for organisation " + org);
  }
  const std::string now = audit::NowRfc3339();
  SA_ASSIGN_OR_RETURN(std::string package_id, NewPackageId());
  const std::string package_record = org + "/personnel/" + package_id;
  const std::string purpose = "purpose=departure package=" + package_id;

  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_RETURN_IF_ERROR(LockCustody(session));
  SA_ASSIGN_OR_RETURN(bool departed, IsDeparted(session, org, staff_hash));
  if (departed) return Status::Conflict("this departure is already recorded");
  SA_ASSIGN_OR_RETURN(auto attended, SessionsOf(session, org, staff_hash));
  if (attended.empty()) return Status::NotFound("the staff member has no session in " + org);

  std::vector<audit::AuditRecord> audits;
  json sessions = json::array(), discussions = json::array(), withheld = json::array();
  for (const auto& a : attended) {
    SA_ASSIGN_OR_RETURN(auto line, ReadRegisterLine(session, org, a.session_id, a.version));
    if (!line) return Status::Internal("register line vanished for session " + a.session_id);
    json entry = line->ToJson();
    entry["role"] = a.role;
    sessions.push_back(std::move(entry));
    if (a.role != "supervisee") continue;
    if (line->IsGroup()) {
      // RS-6: group and peer notes belong to the group, not to one member's file.
      withheld.push_back({{"sessionId", a.session_id},
                          {"version", a.version},
                          {"type", line->type},
                          {"rule", "RS-6"}});
      continue;
    }
    SA_ASSIGN_OR_RETURN(auto forms, ReadDiscussions(session, vault, org, a.session_id, a.version));
    for (auto& f : forms) {
      audits.push_back(
          {actor.AuditActor(), "read-discussion", "confidential/" + f.record_id, "ok", purpose});
      discussions.push_back({{"recordId", f.record_id},
                             {"sessionId", a.session_id},
                             {"version", a.version},
                             {"caseRef", f.case_ref},
                             {"template", f.template_name},
                             {"form", std::move(f.form)}});
    }
  }
  SA_ASSIGN_OR_RETURN(auto records, ReadPractitionerRecords(session, vault, org, staff_id));
  json practitioner = json::array();
  for (auto& p : records) {
    audits.push_back({actor.AuditActor(), "read-practitioner-record", "practitioner/" + p.record_id,
                      "ok", purpose});
    practitioner.push_back({{"recordId", p.record_id},
                            {"sessionId", p.session_id},
                            {"version", p.version},
                            {"notes", std::move(p.notes)}});
  }
  json package = {{"packageId", package_id},
                  {"organisation", org},
                  {"staffId", staff_id},
                  {"generatedAt", now},
                  {"sessions", std::move(sessions)},
                  {"practitionerRecords", std::move(practitioner)},
                  {"discussions", std::move(discussions)},
                  {"groupSessionsWithheld", std::move(withheld)}};

  // The package is confidential (it holds the notes): sealed, never in clear.
  SA_ASSIGN_OR_RETURN(std::string sealed,
                      vault.Seal(package.dump(), package_record, kPersonnelPackageKind, 1));
  SA_RETURN_IF_ERROR(session
                         .Exec("INSERT INTO confidential_records (record_id, kind, org, session_id,"
                               " version, case_ref, about_hash, subject_hash, kek_id, sealed)"
                               " VALUES (?,?,?,NULL,1,NULL,?,NULL,?,?)",
                               {package_record, std::string(kPersonnelPackageKind), org, staff_hash,
                                vault.ring().active().id, store::Blob{sealed}})
                         .status());
  SA_RETURN_IF_ERROR(session
                         .Exec("INSERT INTO departures (org, staff_hash, departed_at, package_id,"
                               " recorded_by) VALUES (?,?,?,?,?)",
                               {org, staff_hash, now, package_id, actor.AuditActor()})
                         .status());
  audits.push_back({actor.AuditActor(), "write-personnel-package", "confidential/" + package_record,
                    "ok", "package=" + package_id});
  audits.push_back({actor.AuditActor(), "depart", object, "ok",
                    "package=" + package_id +
                        " sessions=" + std::to_string(package["sessions"].size()) +
                        " discussions=" + std::to_string(package["discussions"].size()) +
                        " practitioner=" + std::to_string(package["practitionerRecords"].size()) +
                        " withheld=" + std::to_string(package["groupSessionsWithheld"].size())});
  // Audit entries last: on PostgreSQL, Append holds the chain's lock until commit.
  for (const auto& a : audits) SA_RETURN_IF_ERROR(audit::Append(session, a, now).status());
  SA_RETURN_IF_ERROR(tx.Commit());
  return package;
}

}  // namespace sa::adapter::service
