#include "adapter/service/disclosure.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "adapter/audit/audit_log.h"
#include "adapter/crypto/openssl_util.h"
#include "adapter/service/disclosure_internal.h"
#include "adapter/service/records.h"
#include "mappings/formats.h"

namespace sa::adapter::service {

using nlohmann::json;
using Clock = std::chrono::system_clock;
using namespace disclosure_internal;  // NOLINT(build/namespaces): this file's own vocabulary

namespace {

// ---- small helpers --------------------------------------------------------

StatusOr<std::string> NewDisclosureId() {
  uint8_t bytes[kIdHexDigits / 2];
  SA_RETURN_IF_ERROR(crypto::RandomBytes(bytes, sizeof bytes));
  return kIdPrefix + crypto::HexLower(bytes, sizeof bytes);
}

bool Blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::string ObjectOf(const std::string& id) { return "disclosure/" + id; }

Status Audit(store::DbSession& session, const auth::Principal& actor, const std::string& action,
             const std::string& object, const std::string& outcome, const std::string& detail,
             const std::string& at) {
  return audit::Append(session, {actor.AuditActor(), action, object, outcome, detail}, at).status();
}

// Audits a refusal in a transaction of its own (RS-12: refusals are logged).
Status AuditRefusal(store::DbSession& session, const auth::Principal& actor,
                    const std::string& action, const std::string& object, const std::string& detail,
                    const std::string& at) {
  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_RETURN_IF_ERROR(Audit(session, actor, action, object, "refused", detail, at));
  return tx.Commit();
}

// ---- the disclosures row --------------------------------------------------

constexpr char kSelectDisclosure[] =
    "SELECT id, org, session_id, requester, ground, reference, scope_json, state, urgent,"
    " created_at, notice_at, approved_by, approved_at, released_at, notice_gap_seconds, refusal"
    " FROM disclosures WHERE id = ?";

StatusOr<Disclosure> DecodeRow(const store::Row& r) {
  Disclosure d;
  SA_ASSIGN_OR_RETURN(d.id, store::AsText(r[0]));
  SA_ASSIGN_OR_RETURN(d.organisation, store::AsText(r[1]));
  SA_ASSIGN_OR_RETURN(d.session_id, store::AsText(r[2]));
  SA_ASSIGN_OR_RETURN(std::string requester, store::AsText(r[3]));
  SA_ASSIGN_OR_RETURN(d.ground, store::AsText(r[4]));
  SA_ASSIGN_OR_RETURN(d.reference, store::AsText(r[5]));
  SA_ASSIGN_OR_RETURN(std::string scope, store::AsText(r[6]));
  SA_ASSIGN_OR_RETURN(d.state, store::AsText(r[7]));
  SA_ASSIGN_OR_RETURN(int64_t urgent, store::AsInt(r[8]));
  d.urgent = urgent != 0;
  SA_ASSIGN_OR_RETURN(d.created_at, store::AsText(r[9]));
  SA_ASSIGN_OR_RETURN(d.notice_at, store::AsOptionalText(r[10]));
  SA_ASSIGN_OR_RETURN(d.approved_by, store::AsOptionalText(r[11]));
  SA_ASSIGN_OR_RETURN(d.approved_at, store::AsOptionalText(r[12]));
  SA_ASSIGN_OR_RETURN(d.released_at, store::AsOptionalText(r[13]));
  SA_ASSIGN_OR_RETURN(d.notice_gap_seconds, store::AsOptionalInt(r[14]));
  SA_ASSIGN_OR_RETURN(d.refusal, store::AsOptionalText(r[15]));
  try {
    json q = json::parse(requester);
    d.requester = {q.at("name").get<std::string>(), q.at("organisation").get<std::string>(),
                   q.at("role").get<std::string>()};
    json s = json::parse(scope);
    d.records = s.at("records").get<std::vector<std::string>>();
    d.case_refs = s.at("caseRefs").get<std::vector<std::string>>();
    d.version = s.at("version").get<int64_t>();
    d.requested_by = s.at("requestedBy").get<std::string>();
    d.approver_role = s.at("approverRole").get<std::string>();
  } catch (const json::exception&) {
    return Status::Internal("disclosure " + d.id + ": stored requester or scope is malformed");
  }
  return d;
}

StatusOr<Disclosure> Load(store::DbSession& session, const std::string& id) {
  if (!LooksLikeDisclosureId(id)) return Status::NotFound("no such disclosure");
  SA_ASSIGN_OR_RETURN(auto rows, session.Query(kSelectDisclosure, {id}));
  if (rows.empty()) return Status::NotFound("no such disclosure: " + id);
  return DecodeRow(rows[0]);
}

// Case refs of one session version, from its register line (ids only).
StatusOr<std::vector<std::string>> CaseRefsOf(store::DbSession& session, const std::string& org,
                                              const std::string& sid, int64_t version) {
  SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT entry_json FROM register WHERE org = ? AND"
                                               " session_id = ? AND version = ?",
                                               {org, sid, version}));
  if (rows.empty()) return Status::NotFound("session " + sid + " is not in the register");
  SA_ASSIGN_OR_RETURN(std::string entry, store::AsText(rows[0][0]));
  json doc = json::parse(entry, nullptr, false);
  std::vector<std::string> out;
  if (doc.is_object() && doc.contains("_adapter") && doc["_adapter"].is_object()) {
    for (const auto& c : doc["_adapter"].value("caseRefs", json::array())) {
      if (c.is_string()) out.push_back(c.get<std::string>());
    }
  }
  return out;
}

std::string GroundRefusal(const mappings::Profile& profile) {
  std::string allowed;
  for (const auto& g : profile.grounds) {
    allowed += (allowed.empty() ? "" : ", ") + g.ground + " [" + g.cite + "]";
  }
  return "ground not allowed by profile " + profile.code + " (allowed: " + allowed + ")";
}

// ---- release --------------------------------------------------------------

// The released content of `d`, built from the sealed records; `reads` gets one
// audit record per record opened.
StatusOr<json> BuildPackage(store::DbSession& session, const Vault& vault, const Disclosure& d,
                            const std::string& released_at, const auth::Principal& actor,
                            std::vector<audit::AuditRecord>* reads) {
  const json marking = {
      {"disclosureId", d.id},      {"reference", d.reference},       {"ground", d.ground},
      {"releasedAt", released_at}, {"organisation", d.organisation}, {"sessionId", d.session_id}};
  json out = marking;
  out["version"] = d.version;
  out["records"] = json::array();
  const std::string why = "disclosure=" + d.id;
  for (const auto& kind : d.records) {
    if (kind == kDiscussion) {
      SA_ASSIGN_OR_RETURN(auto forms,
                          ReadDiscussions(session, vault, d.organisation, d.session_id, d.version));
      for (auto& f : forms) {
        if (!d.case_refs.empty() && !Contains(d.case_refs, f.case_ref)) continue;
        reads->push_back(
            {actor.AuditActor(), "read-discussion", "confidential/" + f.record_id, "ok", why});
        out["records"].push_back({{"kind", kDiscussion},
                                  {"recordId", f.record_id},
                                  {"caseRef", f.case_ref},
                                  {"template", f.template_name},
                                  {"form", std::move(f.form)},
                                  {"marking", marking}});
      }
    } else if (kind == kPractitioner) {
      SA_ASSIGN_OR_RETURN(auto p, ReadSessionPractitionerRecord(session, vault, d.organisation,
                                                                d.session_id, d.version));
      if (!p) continue;
      reads->push_back({actor.AuditActor(), "read-practitioner-record",
                        "practitioner/" + p->record_id, "ok", why});
      out["records"].push_back({{"kind", kPractitioner},
                                {"recordId", p->record_id},
                                {"notes", std::move(p->notes)},
                                {"marking", marking}});
    }
  }
  return out;
}

std::string PackageRecordId(const Disclosure& d) {
  return d.organisation + "/" + d.session_id + "/disclosure/" + d.id + "/package";
}

}  // namespace

StatusOr<Disclosure> GetDisclosure(store::DbSession& session, const std::string& id) {
  return Load(session, id);
}

// ---- the workflow ---------------------------------------------------------

StatusOr<Disclosure> RequestDisclosure(store::DbSession& session, const mappings::Catalog& catalog,
                                       const DisclosureRequest& req, const auth::Principal& actor,
                                       Clock::time_point now) {
  const mappings::Profile* profile = catalog.FindProfile(req.organisation);
  if (!profile) return Status::InvalidArgument("/organisation: not a configured policy profile");
  const std::string at = audit::FormatRfc3339Millis(now);
  if (!actor.ActsFor(req.organisation)) {
    SA_RETURN_IF_ERROR(AuditRefusal(session, actor, "request-disclosure",
                                    "session/" + req.organisation + "/" + req.session_id,
                                    "org=" + req.organisation, at));
    return Status::PermissionDenied("the caller does not act for organisation " + req.organisation);
  }
  SA_ASSIGN_OR_RETURN(auto version, LatestVersion(session, req.organisation, req.session_id));
  if (!version) return Status::NotFound("session " + req.session_id + " is not in the register");
  SA_ASSIGN_OR_RETURN(auto case_refs,
                      CaseRefsOf(session, req.organisation, req.session_id, *version));
  for (std::size_t i = 0; i < req.case_refs.size(); ++i) {
    if (!Contains(case_refs, req.case_refs[i])) {
      return Status::InvalidArgument("/caseRefs/" + std::to_string(i) +
                                     ": not a case of this session");
    }
  }

  Disclosure d;
  SA_ASSIGN_OR_RETURN(d.id, NewDisclosureId());
  d.organisation = req.organisation;
  d.session_id = req.session_id;
  d.version = *version;
  d.ground = req.ground;
  d.reference = req.reference;
  d.requester = req.requester;
  d.urgent = req.urgent;
  d.records = req.records;
  d.case_refs = req.case_refs;
  d.requested_by = actor.AuditActor();
  d.approver_role = profile->approver_role;
  d.created_at = at;
  // RS-4: the ground must be one the profile allows. RS-5: notice first,
  // unless the profile lets this ground be released urgently before notice.
  if (!profile->FindGround(req.ground)) {
    d.state = kDisclosureRefused;
    d.refusal = GroundRefusal(*profile);
  } else {
    const bool urgent_first = req.urgent && profile->urgent_release_allowed &&
                              Contains(profile->urgent_release_grounds, req.ground);
    d.state = profile->notice_before_release && !urgent_first ? kDisclosureAwaitingNotice
                                                              : kDisclosureAwaitingApproval;
  }
  const json requester = {{"name", d.requester.name},
                          {"organisation", d.requester.organisation},
                          {"role", d.requester.role}};
  const json scope = {{"records", d.records},
                      {"caseRefs", d.case_refs},
                      {"version", d.version},
                      {"requestedBy", d.requested_by},
                      {"approverRole", d.approver_role}};

  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_RETURN_IF_ERROR(
      session
          .Exec("INSERT INTO disclosures (id, org, session_id, requester, ground, reference,"
                " scope_json, state, urgent, created_at, refusal) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                {d.id, d.organisation, d.session_id, requester.dump(), d.ground, d.reference,
                 scope.dump(), d.state, int64_t{d.urgent ? 1 : 0}, d.created_at,
                 d.refusal ? store::Value(*d.refusal) : store::Value()})
          .status());
  const bool refused = d.state == kDisclosureRefused;
  SA_RETURN_IF_ERROR(
      Audit(session, actor, "request-disclosure", ObjectOf(d.id), refused ? "refused" : "ok",
            "session=" + d.session_id + " ground=" + d.ground + " ref=" + d.reference +
                " urgent=" + (d.urgent ? "1" : "0") + " state=" + d.state,
            at));
  SA_RETURN_IF_ERROR(tx.Commit());
  if (refused) {
    return Status::PermissionDenied("disclosure " + d.id + " refused: ground '" + d.ground +
                                    "' is not allowed by profile " + profile->code);
  }
  return d;
}

StatusOr<Disclosure> RecordNotice(store::DbSession& session, const Vault& vault,
                                  const std::string& id, const NoticeInput& notice,
                                  const auth::Principal& actor, Clock::time_point now) {
  for (auto [name, text] : {std::pair{"what", &notice.what}, std::pair{"why", &notice.why},
                            std::pair{"consequences", &notice.consequences}}) {
    if (Blank(*text)) return Status::InvalidArgument(std::string(name) + ": required");
    if (text->size() > kMaxNoticeFieldBytes) {
      return Status::InvalidArgument(std::string(name) + ": longer than " +
                                     std::to_string(kMaxNoticeFieldBytes) + " bytes");
    }
  }
  SA_ASSIGN_OR_RETURN(Disclosure d, Load(session, id));
  const std::string at = audit::FormatRfc3339Millis(now);
  if (!actor.ActsFor(d.organisation)) {
    SA_RETURN_IF_ERROR(
        AuditRefusal(session, actor, "record-notice", ObjectOf(d.id), "org=" + d.organisation, at));
    return Status::PermissionDenied("the caller does not act for organisation " + d.organisation);
  }
  if (d.state == kDisclosureRefused) {
    return Status::FailedPrecondition("disclosure " + d.id + " was refused; no notice is due");
  }
  if (d.notice_at) return Status::Conflict("disclosure " + d.id + " already has its notice");

  SA_ASSIGN_OR_RETURN(auto people, SessionPeople(session, d.organisation, d.session_id, d.version));
  json notified = json::array();
  for (const auto& p : people) {
    if (p.role == "supervisee") notified.push_back(p.staff_hash);
  }
  const std::string from_state = d.state;
  if (d.state == kDisclosureAwaitingNotice) d.state = kDisclosureAwaitingApproval;
  d.notice_at = at;
  if (d.released_at) {
    auto released = mappings::ParseRfc3339(*d.released_at);
    auto noticed = mappings::ParseRfc3339(at);
    if (released && noticed) d.notice_gap_seconds = *noticed - *released;
  }
  const json body = {{"disclosureId", d.id}, {"what", notice.what},
                     {"why", notice.why},    {"consequences", notice.consequences},
                     {"notified", notified}, {"at", at}};

  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_ASSIGN_OR_RETURN(
      int64_t changed,
      session.Exec(
          "UPDATE disclosures SET notice_at = ?, state = ?, notice_gap_seconds = ?"
          " WHERE id = ? AND state = ? AND notice_at IS NULL",
          {at, d.state, d.notice_gap_seconds ? store::Value(*d.notice_gap_seconds) : store::Value(),
           d.id, from_state}));
  if (changed != 1) return Status::Conflict("disclosure " + d.id + " changed concurrently");
  std::vector<audit::AuditRecord> audits;
  // One sealed copy per supervisee, so each finds their own notices by hash.
  for (std::size_t i = 0; i < notified.size(); ++i) {
    const std::string record_id = d.organisation + "/" + d.session_id + "/disclosure/" + d.id +
                                  "/notice/" + std::to_string(i + 1);
    SA_ASSIGN_OR_RETURN(std::string sealed,
                        vault.Seal(body.dump(), record_id, kDisclosureNoticeKind, d.version));
    SA_RETURN_IF_ERROR(
        session
            .Exec("INSERT INTO confidential_records (record_id, kind, org, session_id, version,"
                  " case_ref, about_hash, subject_hash, kek_id, sealed)"
                  " VALUES (?,?,?,?,?,NULL,?,NULL,?,?)",
                  {record_id, std::string(kDisclosureNoticeKind), d.organisation, d.session_id,
                   d.version, notified[i].get<std::string>(), vault.ring().active().id,
                   store::Blob{sealed}})
            .status());
    audits.push_back({actor.AuditActor(), "write-disclosure-notice", "confidential/" + record_id,
                      "ok", "disclosure=" + d.id});
  }
  std::string detail = "notified=" + std::to_string(notified.size()) + " state=" + d.state;
  if (d.notice_gap_seconds) detail += " gap-seconds=" + std::to_string(*d.notice_gap_seconds);
  audits.push_back({actor.AuditActor(), "record-notice", ObjectOf(d.id), "ok", detail});
  // Audit entries last: on PostgreSQL, Append holds the chain's lock until commit.
  for (const auto& a : audits) SA_RETURN_IF_ERROR(audit::Append(session, a, at).status());
  SA_RETURN_IF_ERROR(tx.Commit());
  return d;
}

StatusOr<Disclosure> Approve(store::DbSession& session, const mappings::Catalog& catalog,
                             const std::string& id, const auth::Principal& actor,
                             Clock::time_point now) {
  SA_ASSIGN_OR_RETURN(Disclosure d, Load(session, id));
  const std::string at = audit::FormatRfc3339Millis(now);
  const mappings::Profile* profile = catalog.FindProfile(d.organisation);
  if (!profile) {
    return Status::FailedPrecondition("profile " + d.organisation + " is not configured");
  }
  if (!actor.HasRole(profile->approver_role) || !actor.ActsFor(d.organisation)) {
    SA_RETURN_IF_ERROR(AuditRefusal(session, actor, "approve-disclosure", ObjectOf(d.id),
                                    "needs-role=" + profile->approver_role, at));
    return Status::PermissionDenied("approving needs role " + profile->approver_role + " in " +
                                    d.organisation + " (" + profile->approver_cite + ")");
  }
  // Separation of duties: whoever recorded the request does not approve it.
  if (d.requested_by == actor.AuditActor()) {
    SA_RETURN_IF_ERROR(AuditRefusal(session, actor, "approve-disclosure", ObjectOf(d.id),
                                    "requester-cannot-approve", at));
    return Status::PermissionDenied("the person who recorded a disclosure request cannot approve it");
  }
  if (d.state != kDisclosureAwaitingApproval) {
    SA_RETURN_IF_ERROR(
        AuditRefusal(session, actor, "approve-disclosure", ObjectOf(d.id), "state=" + d.state, at));
    return Status::Conflict("disclosure " + d.id + " is " + d.state + ", not awaiting approval");
  }
  d.state = kDisclosureApproved;
  d.approved_by = actor.subject;
  d.approved_at = at;

  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_ASSIGN_OR_RETURN(
      int64_t changed,
      session.Exec("UPDATE disclosures SET state = ?, approved_by = ?,"
                   " approved_at = ? WHERE id = ? AND state = ?",
                   {d.state, *d.approved_by, at, d.id, std::string(kDisclosureAwaitingApproval)}));
  if (changed != 1) return Status::Conflict("disclosure " + d.id + " changed concurrently");
  SA_RETURN_IF_ERROR(Audit(session, actor, "approve-disclosure", ObjectOf(d.id), "ok",
                           "ground=" + d.ground + " ref=" + d.reference, at));
  SA_RETURN_IF_ERROR(tx.Commit());
  return d;
}

StatusOr<json> ReleasePackage(store::DbSession& session, const Vault& vault, const std::string& id,
                              const auth::Principal& actor, Clock::time_point now) {
  SA_ASSIGN_OR_RETURN(Disclosure d, Load(session, id));
  const std::string at = audit::FormatRfc3339Millis(now);
  if (!actor.HasRole(d.approver_role) || !actor.ActsFor(d.organisation)) {
    SA_RETURN_IF_ERROR(AuditRefusal(session, actor, "disclose", ObjectOf(d.id),
                                    "needs-role=" + d.approver_role, at));
    return Status::PermissionDenied("releasing needs role " + d.approver_role + " in " +
                                    d.organisation);
  }
  if (d.state != kDisclosureApproved && d.state != kDisclosureReleased) {
    SA_RETURN_IF_ERROR(
        AuditRefusal(session, actor, "disclose", ObjectOf(d.id), "state=" + d.state, at));
    return Status::FailedPrecondition("disclosure " + d.id + " is " + d.state +
                                      "; only an approved disclosure is released");
  }
  const std::string record_id = PackageRecordId(d);
  const bool first = !d.released_at;
  std::vector<audit::AuditRecord> audits;
  json package;

  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  if (first) {
    SA_ASSIGN_OR_RETURN(package, BuildPackage(session, vault, d, at, actor, &audits));
    SA_ASSIGN_OR_RETURN(int64_t changed,
                        session.Exec("UPDATE disclosures SET state = ?, released_at = ?"
                                     " WHERE id = ? AND state = ? AND released_at IS NULL",
                                     {std::string(kDisclosureReleased), at, d.id,
                                      std::string(kDisclosureApproved)}));
    if (changed != 1) return Status::Conflict("disclosure " + d.id + " changed concurrently");
    // What left the store is kept, sealed, so the disclosure can be proven later.
    SA_ASSIGN_OR_RETURN(std::string sealed,
                        vault.Seal(package.dump(), record_id, kDisclosurePackageKind, d.version));
    SA_RETURN_IF_ERROR(
        session
            .Exec("INSERT INTO confidential_records (record_id, kind, org, session_id, version,"
                  " case_ref, about_hash, subject_hash, kek_id, sealed)"
                  " VALUES (?,?,?,?,?,NULL,NULL,NULL,?,?)",
                  {record_id, std::string(kDisclosurePackageKind), d.organisation, d.session_id,
                   d.version, vault.ring().active().id, store::Blob{sealed}})
            .status());
    audits.push_back({actor.AuditActor(), "write-disclosure-package", "confidential/" + record_id,
                      "ok", "disclosure=" + d.id});
  } else {
    SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT sealed FROM confidential_records"
                                                 " WHERE record_id = ? AND kind = ?",
                                                 {record_id, std::string(kDisclosurePackageKind)}));
    if (rows.empty()) return Status::Internal("disclosure " + d.id + ": released package missing");
    SA_ASSIGN_OR_RETURN(std::string sealed, store::AsBlob(rows[0][0]));
    SA_ASSIGN_OR_RETURN(std::string plain,
                        vault.Open(sealed, record_id, kDisclosurePackageKind, d.version));
    package = json::parse(plain, nullptr, false);
    if (package.is_discarded()) return Status::Internal("record " + record_id + " is not JSON");
    audits.push_back({actor.AuditActor(), "read-disclosure-package", "confidential/" + record_id,
                      "ok", "disclosure=" + d.id});
  }
  audits.push_back({actor.AuditActor(), "disclose", ObjectOf(d.id), "ok",
                    "records=" + std::to_string(package["records"].size()) + " first=" +
                        (first ? "1" : "0") + " ground=" + d.ground + " ref=" + d.reference});
  // Audit entries last: on PostgreSQL, Append holds the chain's lock until commit.
  for (const auto& a : audits) SA_RETURN_IF_ERROR(audit::Append(session, a, at).status());
  SA_RETURN_IF_ERROR(tx.Commit());
  return package;
}

StatusOr<std::vector<NoticeView>> NoticesFor(store::DbSession& session, const Vault& vault,
                                             const std::string& org, const std::string& staff_id) {
  SA_ASSIGN_OR_RETURN(std::string about, vault.StaffHash(staff_id));
  SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT record_id, session_id, version, sealed"
                                               " FROM confidential_records WHERE kind = ? AND"
                                               " org = ? AND about_hash = ?",
                                               {std::string(kDisclosureNoticeKind), org, about}));
  std::vector<NoticeView> out;
  for (const auto& r : rows) {
    NoticeView v;
    v.organisation = org;
    SA_ASSIGN_OR_RETURN(std::string record_id, store::AsText(r[0]));
    SA_ASSIGN_OR_RETURN(v.session_id, store::AsText(r[1]));
    SA_ASSIGN_OR_RETURN(int64_t version, store::AsInt(r[2]));
    SA_ASSIGN_OR_RETURN(std::string sealed, store::AsBlob(r[3]));
    SA_ASSIGN_OR_RETURN(std::string plain,
                        vault.Open(sealed, record_id, kDisclosureNoticeKind, version));
    try {
      json body = json::parse(plain);
      v.disclosure_id = body.at("disclosureId").get<std::string>();
      v.what = body.at("what").get<std::string>();
      v.why = body.at("why").get<std::string>();
      v.consequences = body.at("consequences").get<std::string>();
      v.notice_at = body.at("at").get<std::string>();
    } catch (const json::exception&) {
      return Status::Internal("record " + record_id + " is not a notice");
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const NoticeView& a, const NoticeView& b) {
    return std::tie(a.notice_at, a.disclosure_id) < std::tie(b.notice_at, b.disclosure_id);
  });
  return out;
}

}  // namespace sa::adapter::service
