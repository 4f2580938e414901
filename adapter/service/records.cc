#include "adapter/service/records.h"

#include <algorithm>

namespace sa::adapter::service {

using nlohmann::json;

namespace {

constexpr char kDiscussionKind[] = "discussion";
constexpr char kPractitionerKind[] = "practitioner";

// Opens one sealed body and parses it as JSON. Messages name the record id
// only: the plaintext never reaches a Status.
StatusOr<json> OpenJson(const Vault& vault, const store::Value& sealed,
                        const std::string& record_id, const std::string& kind, int64_t version) {
  SA_ASSIGN_OR_RETURN(std::string bytes, store::AsBlob(sealed));
  SA_ASSIGN_OR_RETURN(std::string plain, vault.Open(bytes, record_id, kind, version));
  json body = json::parse(plain, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Status::Internal("record " + record_id + " does not hold JSON");
  return body;
}

std::string StringMember(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

json RegisterLine::ToJson() const {
  return {{"sessionId", session_id},
          {"version", version},
          {"type", type},
          {"status", status},
          {"state", state},
          {"scheduledFor", scheduled_for},
          {"heldAt", held_at ? json(*held_at) : json(nullptr)},
          {"durationMinutes", duration_minutes ? json(*duration_minutes) : json(nullptr)},
          {"template", template_name}};
}

StatusOr<std::optional<int64_t>> LatestVersion(store::DbSession& session, const std::string& org,
                                               const std::string& session_id) {
  SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT version FROM register WHERE org = ? AND"
                                               " session_id = ? AND superseded_by IS NULL"
                                               " ORDER BY version DESC LIMIT 1",
                                               {org, session_id}));
  if (rows.empty()) return std::optional<int64_t>();
  SA_ASSIGN_OR_RETURN(int64_t version, store::AsInt(rows[0][0]));
  return std::optional<int64_t>(version);
}

StatusOr<std::optional<RegisterLine>> ReadRegisterLine(store::DbSession& session,
                                                       const std::string& org,
                                                       const std::string& session_id,
                                                       int64_t version) {
  SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT type, status, state, scheduled_for, held_at,"
                                               " duration_minutes, template FROM register"
                                               " WHERE org = ? AND session_id = ? AND version = ?",
                                               {org, session_id, version}));
  if (rows.empty()) return std::optional<RegisterLine>();
  const store::Row& r = rows[0];
  RegisterLine line;
  line.organisation = org;
  line.session_id = session_id;
  line.version = version;
  SA_ASSIGN_OR_RETURN(auto type, store::AsOptionalText(r[0]));
  SA_ASSIGN_OR_RETURN(auto status, store::AsOptionalText(r[1]));
  SA_ASSIGN_OR_RETURN(auto state, store::AsOptionalText(r[2]));
  SA_ASSIGN_OR_RETURN(auto scheduled, store::AsOptionalText(r[3]));
  SA_ASSIGN_OR_RETURN(line.held_at, store::AsOptionalText(r[4]));
  SA_ASSIGN_OR_RETURN(line.duration_minutes, store::AsOptionalInt(r[5]));
  SA_ASSIGN_OR_RETURN(auto tmpl, store::AsOptionalText(r[6]));
  line.type = type.value_or("");
  line.status = status.value_or("");
  line.state = state.value_or("");
  line.scheduled_for = scheduled.value_or("");
  line.template_name = tmpl.value_or("");
  return std::optional<RegisterLine>(std::move(line));
}

StatusOr<std::vector<SessionPerson>> SessionPeople(store::DbSession& session,
                                                   const std::string& org,
                                                   const std::string& session_id, int64_t version) {
  SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT staff_hash, role FROM session_people"
                                               " WHERE org = ? AND session_id = ? AND version = ?",
                                               {org, session_id, version}));
  std::vector<SessionPerson> out;
  for (const auto& r : rows) {
    SessionPerson p;
    SA_ASSIGN_OR_RETURN(p.staff_hash, store::AsText(r[0]));
    SA_ASSIGN_OR_RETURN(p.role, store::AsText(r[1]));
    out.push_back(std::move(p));
  }
  std::stable_partition(out.begin(), out.end(),
                        [](const SessionPerson& p) { return p.role == "supervisor"; });
  return out;
}

StatusOr<std::vector<DiscussionForm>> ReadDiscussions(store::DbSession& session, const Vault& vault,
                                                      const std::string& org,
                                                      const std::string& session_id,
                                                      int64_t version) {
  SA_ASSIGN_OR_RETURN(auto rows,
                      session.Query("SELECT record_id, case_ref, sealed"
                                    " FROM confidential_records WHERE kind = ? AND"
                                    " org = ? AND session_id = ? AND version = ?"
                                    " ORDER BY case_ref",
                                    {std::string(kDiscussionKind), org, session_id, version}));
  std::vector<DiscussionForm> out;
  for (const auto& r : rows) {
    DiscussionForm d;
    SA_ASSIGN_OR_RETURN(d.record_id, store::AsText(r[0]));
    SA_ASSIGN_OR_RETURN(auto case_ref, store::AsOptionalText(r[1]));
    SA_ASSIGN_OR_RETURN(json body, OpenJson(vault, r[2], d.record_id, kDiscussionKind, version));
    d.case_ref = case_ref.value_or(StringMember(body, "caseRef"));
    d.template_name = StringMember(body, "template");
    auto form = body.find("form");
    d.form = form != body.end() ? *form : json::object();
    out.push_back(std::move(d));
  }
  return out;
}

StatusOr<std::optional<PractitionerRecord>> ReadSessionPractitionerRecord(
    store::DbSession& session, const Vault& vault, const std::string& org,
    const std::string& session_id, int64_t version) {
  SA_ASSIGN_OR_RETURN(auto rows,
                      session.Query("SELECT record_id, sealed FROM confidential_records"
                                    " WHERE kind = ? AND org = ? AND session_id = ?"
                                    " AND version = ?",
                                    {std::string(kPractitionerKind), org, session_id, version}));
  if (rows.empty()) return std::optional<PractitionerRecord>();
  PractitionerRecord p;
  p.organisation = org;
  p.session_id = session_id;
  p.version = version;
  SA_ASSIGN_OR_RETURN(p.record_id, store::AsText(rows[0][0]));
  SA_ASSIGN_OR_RETURN(p.notes,
                      OpenJson(vault, rows[0][1], p.record_id, kPractitionerKind, version));
  return std::optional<PractitionerRecord>(std::move(p));
}

StatusOr<std::vector<PractitionerRecord>> ReadPractitionerRecords(store::DbSession& session,
                                                                  const Vault& vault,
                                                                  const std::string& org,
                                                                  const std::string& staff_id) {
  SA_ASSIGN_OR_RETURN(std::string about, vault.StaffHash(staff_id));
  SA_ASSIGN_OR_RETURN(auto rows,
                      session.Query("SELECT c.record_id, c.session_id, c.version, c.sealed"
                                    " FROM confidential_records c JOIN register r"
                                    " ON r.org = c.org AND r.session_id = c.session_id"
                                    " AND r.version = c.version"
                                    " WHERE c.kind = ? AND c.org = ? AND c.about_hash = ?"
                                    " AND r.superseded_by IS NULL ORDER BY c.session_id",
                                    {std::string(kPractitionerKind), org, about}));
  std::vector<PractitionerRecord> out;
  for (const auto& r : rows) {
    PractitionerRecord p;
    p.organisation = org;
    SA_ASSIGN_OR_RETURN(p.record_id, store::AsText(r[0]));
    SA_ASSIGN_OR_RETURN(p.session_id, store::AsText(r[1]));
    SA_ASSIGN_OR_RETURN(p.version, store::AsInt(r[2]));
    SA_ASSIGN_OR_RETURN(p.notes, OpenJson(vault, r[3], p.record_id, kPractitionerKind, p.version));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace sa::adapter::service
