#include "adapter/core/intake.h"

#include <algorithm>
#include <any>
#include <map>
#include <memory>
#include <set>

#include <openssl/evp.h>

#include "adapter/audit/audit_log.h"
#include "mappings/separation.h"
#include "mappings/session_parser.h"

namespace sa::adapter {

using nlohmann::json;
using Kind = IntakeResult::Kind;

namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string StateOf(const mappings::Session& s, const mappings::Separation& sep) {
  if (s.status != "held") return s.status;
  return sep.agreement.agreed ? "agreed" : "awaiting-signatures";
}

// An id-like string from a rejected record, for its register line; never free text.
std::string IdOrEmpty(const json& doc, const char* key) {
  if (!doc.is_object() || !doc.contains(key) || !doc[key].is_string()) return "";
  std::string v = doc[key].get<std::string>();
  return v.size() <= 64 && mappings::LooksLikeFieldName(v) ? v : "";
}

Status Audit(store::DbSession& s, const std::string& actor, const std::string& action, const std::string& object,
             const std::string& outcome, const std::string& detail = "") {
  return audit::Append(s, {actor, action, object, outcome, detail}, audit::NowRfc3339()).status();
}

struct PreviousPlan {
  int64_t seq = 0;
  json payload;
};

// The latest queued payload of every plan of this session, by plan key.
StatusOr<std::map<std::string, PreviousPlan>> PreviousPlans(store::DbSession& s, const std::string& org,
                                                            const std::string& sid) {
  std::map<std::string, PreviousPlan> out;
  SA_ASSIGN_OR_RETURN(auto rows, s.Query("SELECT plan_key, seq, payload FROM outbox WHERE org = ? AND session_id = ?"
                                         " ORDER BY seq",
                                         {org, sid}));
  for (const auto& r : rows) {
    SA_ASSIGN_OR_RETURN(std::string key, store::AsText(r[0]));
    SA_ASSIGN_OR_RETURN(int64_t seq, store::AsInt(r[1]));
    SA_ASSIGN_OR_RETURN(std::string payload, store::AsText(r[2]));
    out[key] = {seq, json::parse(payload, nullptr, false)};
  }
  return out;
}

// `first_queued`: no earlier version of this plan was ever queued, so until
// this row is first leased nothing of the plan can be in the EHR (the
// delivery then skips reading the plan's Tasks back).
json PlanPayload(const mappings::PlanInput& in, bool first_queued) {
  return {{"organisation", in.organisation}, {"sessionId", in.session_id}, {"version", in.version},
          {"created", in.created}, {"recorded", in.recorded},
          {"supervisor", {{"id", in.supervisor.id}, {"name", in.supervisor.name}, {"role", in.supervisor.role}}},
          {"ehr", in.ehr}, {"removedActions", in.removed_actions}, {"revoke", in.revoke},
          {"firstQueued", first_queued}};
}


// The latest stored version of a session and its content hash (0, "": none).
struct Head {
  int64_t version = 0;
  std::string hash;
};

StatusOr<Head> ReadHead(store::DbSession& s, const std::string& org, const std::string& sid) {
  SA_ASSIGN_OR_RETURN(auto latest, s.Query("SELECT version, content_hash FROM register WHERE org = ? AND"
                                           " session_id = ? ORDER BY version DESC LIMIT 1",
                                           {org, sid}));
  Head head;
  if (latest.empty()) return head;
  SA_ASSIGN_OR_RETURN(head.version, store::AsInt(latest[0][0]));
  SA_ASSIGN_OR_RETURN(head.hash, store::AsText(latest[0][1]));
  return head;
}

// Everything one new version writes, computed before its transaction opens:
// the statements in order (SQL literals only: store::Statement does not own
// its SQL) and the audit records to append last.
struct PreparedVersion {
  std::vector<store::Statement> writes;
  std::vector<audit::AuditRecord> audits;
  int outbox_rows = 0;
  int held_actions = 0;
};

// How often one intake starts again because another intake of the same
// session stored a version first; past this it gives up (Unavailable).
constexpr int kMaxIntakeAttempts = 8;

constexpr char kInsertConfidential[] =
    "INSERT INTO confidential_records (record_id, kind, org, session_id, version,"
    " case_ref, about_hash, subject_hash, kek_id, sealed) VALUES (?,?,?,?,?,?,?,?,?,?)";

// What version `version` of the session writes (see PreparedVersion).
StatusOr<PreparedVersion> PrepareVersion(const Vault& vault, const IntakeOptions& options,
                                         const mappings::Session& s, const mappings::Separation& sp,
                                         const std::string& document, const std::string& hash, int64_t version,
                                         const IntakeResult& result,
                                         const std::map<std::string, PreviousPlan>& previous_plans,
                                         const IntakeContext& context) {
  const std::string& actor = context.actor;
  const std::string org = s.organisation, sid = s.session_id;
  const std::string now = audit::NowRfc3339();
  PreparedVersion out;
  if (version > 1) {
    out.writes.push_back({"UPDATE register SET superseded_by = ? WHERE org = ? AND session_id = ? AND version = ?",
                          {version, org, sid, version - 1}});
  }

  // Register: the register home plus agreement, release and holds (no content).
  json entry = sp.register_entry;
  json holds = json::array();
  for (const auto& c : sp.cases) {
    for (const auto& h : c.held) holds.push_back({{"pointer", h.pointer}, {"reason", h.reason}});
  }
  out.held_actions = static_cast<int>(holds.size());
  entry["_adapter"] = {{"agreement", {{"agreed", sp.agreement.agreed}, {"awaiting", sp.agreement.awaiting}}},
                       {"release", {{"now", sp.release_to_ehr}, {"reason", sp.release_reason}}},
                       {"holds", holds},
                       {"note", context.register_note.is_object() ? context.register_note : json::object()},
                       {"caseRefs", [&] { json a = json::array(); for (const auto& c : s.cases) a.push_back(c.case_ref); return a; }()}};
  store::Value agreed_at = sp.agreement.agreed_at ? store::Value(*sp.agreement.agreed_at) : store::Value();
  store::Value held_at = s.held_at ? store::Value(*s.held_at) : store::Value();
  store::Value duration = s.duration_minutes ? store::Value(int64_t{*s.duration_minutes}) : store::Value();
  store::Value rebooked = s.rebooked_to ? store::Value(*s.rebooked_to) : store::Value();
  out.writes.push_back({"INSERT INTO register (org, session_id, version, content_hash, state, type, status,"
                        " scheduled_for, held_at, duration_minutes, rebooked_to, template, supervisor_id,"
                        " entry_json, agreed_at, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        {org, sid, version, hash, result.state, s.type, s.status, s.scheduled_for, held_at,
                         duration, rebooked, s.template_name, s.supervisor.id, entry.dump(), agreed_at, now}});

  // The session's people, as keyed hashes (access checks look them up).
  std::vector<std::pair<std::string, std::string>> people = {{s.supervisor.id, "supervisor"}};
  for (const auto& p : s.supervisees) people.push_back({p.id, "supervisee"});
  for (const auto& [id, role] : people) {
    SA_ASSIGN_OR_RETURN(std::string h, vault.StaffHash(id));
    out.writes.push_back({"INSERT INTO session_people (org, session_id, version, staff_hash, role)"
                          " VALUES (?,?,?,?,?)",
                          {org, sid, version, h, role}});
  }

  // The whole record, sealed, so later signatures and cancellations can make
  // the next version from it (it holds confidential text: never in clear).
  {
    const std::string record_id = SessionRecordId(org, sid, version);
    SA_ASSIGN_OR_RETURN(std::string sealed, vault.Seal(document, record_id, kSessionRecordKind, version));
    out.writes.push_back({kInsertConfidential,
                          {record_id, std::string(kSessionRecordKind), org, sid, version, store::Value(),
                           store::Value(), store::Value(), vault.ring().active().id, store::Blob{sealed}}});
  }
  // Confidential store: one sealed record per case discussion (RS-3).
  const std::string base = org + "/" + sid + "/v" + std::to_string(version);
  for (std::size_t i = 0; i < sp.cases.size(); ++i) {
    const auto& c = sp.cases[i];
    if (c.confidential.is_null() || c.confidential.empty()) continue;
    const std::string record_id = base + "/" + c.case_ref + "/discussion";
    json body = {{"template", s.template_name}, {"caseRef", c.case_ref}, {"form", c.confidential}};
    SA_ASSIGN_OR_RETURN(std::string sealed, vault.Seal(body.dump(), record_id, "discussion", version));
    SA_ASSIGN_OR_RETURN(std::string subject, vault.NhsHash(s.cases[i].subject.nhs_number));
    out.writes.push_back({kInsertConfidential,
                          {record_id, std::string("discussion"), org, sid, version, c.case_ref, store::Value(),
                           subject, vault.ring().active().id, store::Blob{sealed}}});
    out.audits.push_back({actor, "write-discussion", "confidential/" + record_id, "ok", ""});
  }
  // Practitioner record (RS-7): about one supervisee, sealed apart.
  if (!s.practitioner.empty() && sp.practitioner_about) {
    const std::string record_id = base + "/practitioner";
    SA_ASSIGN_OR_RETURN(std::string sealed, vault.Seal(sp.practitioner.dump(), record_id, "practitioner", version));
    SA_ASSIGN_OR_RETURN(std::string about, vault.StaffHash(*sp.practitioner_about));
    out.writes.push_back({kInsertConfidential,
                          {record_id, std::string("practitioner"), org, sid, version, store::Value(), about,
                           store::Value(), vault.ring().active().id, store::Blob{sealed}}});
    out.audits.push_back({actor, "write-practitioner-record", "practitioner/" + record_id, "ok", ""});
  }

  // Outbox: the plans to deliver, superseding what earlier versions queued.
  std::vector<mappings::PlanInput> inputs;
  std::set<std::string> current_keys;
  if (sp.release_to_ehr) {
    for (const auto& c : sp.cases) {
      if (!c.HasActionsToSend()) continue;
      mappings::PlanInput in;
      in.organisation = org;
      in.session_id = sid;
      in.version = static_cast<int>(version);
      in.created = s.held_at.value_or(s.scheduled_for);
      in.recorded = now;
      in.supervisor = s.supervisor;
      in.ehr = c.ehr;
      inputs.push_back(std::move(in));
    }
  }
  auto plan_key = [&](const json& ehr) {
    return mappings::CarePlanIdentifier(options.mapping, org, sid, ehr["caseRef"].get<std::string>()).value;
  };
  for (auto& in : inputs) {
    std::string key = plan_key(in.ehr);
    current_keys.insert(key);
    auto prev = previous_plans.find(key);
    if (prev == previous_plans.end() || !prev->second.payload.is_object()) continue;
    // Actions an earlier version sent and this one no longer has: cancel their Tasks.
    std::set<std::string> now_ids;
    for (const auto& a : in.ehr["actions"]) now_ids.insert(a["id"].get<std::string>());
    for (const auto& a : prev->second.payload["ehr"].value("actions", json::array())) {
      if (!now_ids.count(a["id"].get<std::string>())) in.removed_actions.push_back(a);
    }
    for (const auto& a : prev->second.payload.value("removedActions", json::array())) {
      if (!now_ids.count(a["id"].get<std::string>())) in.removed_actions.push_back(a);
    }
  }
  // Plans an earlier version queued that this version no longer sends
  // (session cancelled, case removed, agreement withdrawn): revoke them.
  for (const auto& [key, prev] : previous_plans) {
    if (current_keys.count(key) || !prev.payload.is_object() || prev.payload.value("revoke", false)) continue;
    mappings::PlanInput in;
    in.organisation = org;
    in.session_id = sid;
    in.version = static_cast<int>(version);
    in.created = prev.payload.value("created", now);
    in.recorded = now;
    in.supervisor = s.supervisor;
    in.ehr = prev.payload["ehr"];
    in.revoke = true;
    inputs.push_back(std::move(in));
  }
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  // Every Bundle these rows will become passes the leak guard now, with the
  // patient still unknown; a leak here is a mapping bug: fail closed, store nothing.
  std::shared_ptr<const mappings::LeakGuard> guard_owner = sp.leak_guard;
  if (!guard_owner) guard_owner = std::make_shared<const mappings::LeakGuard>(mappings::ConfidentialSources(sp));
  const mappings::LeakGuard& guard = *guard_owner;
  for (const auto& in : inputs) {
    mappings::PlanInput probe = in;
    probe.patient_id = "leak-guard-check";
    SA_RETURN_IF_ERROR(mappings::BuildPlanBundle(probe, options.mapping, guard).status());
  }
  for (const auto& in : inputs) {
    std::string key = plan_key(in.ehr);
    SA_ASSIGN_OR_RETURN(std::string nhs, vault.NhsHash(in.ehr["subject"]["nhsNumber"].get<std::string>()));
    out.writes.push_back({"INSERT INTO outbox (plan_key, seq, org, session_id, version, case_ref, nhs_hash,"
                          " payload, state, attempts, next_attempt_at, created_at)"
                          " VALUES (?,?,?,?,?,?,?,?,'pending',0,?,?)",
                          {key, version, org, sid, version, in.ehr["caseRef"].get<std::string>(), nhs,
                           PlanPayload(in, !in.revoke && !previous_plans.count(key)).dump(), now_ms, now_ms}});
    ++out.outbox_rows;
  }
  out.audits.push_back({actor, "intake", "session/" + base, "ok",
                        std::string(IntakeKindName(result.kind)) + " outbox=" + std::to_string(out.outbox_rows)});
  return out;
}

// The audit entries of every session a group stored, appended in one go as
// the group's last statements: on PostgreSQL the chain's lock is taken once
// per group, and the last INSERT goes with the commit (GroupCommit::Finish),
// so the lock is held for two round trips.
StatusOr<std::vector<store::Statement>> AppendGroupAudits(store::DbSession& tx,
                                                          const std::vector<const std::any*>& tails) {
  std::vector<audit::AuditRecord> all;
  for (const std::any* tail : tails) {
    const auto& records = std::any_cast<const std::vector<audit::AuditRecord>&>(*tail);
    all.insert(all.end(), records.begin(), records.end());
  }
  const std::string at = audit::NowRfc3339();
  std::vector<store::Statement> last;
  for (std::size_t from = 0; from < all.size(); from += audit::kMaxAppendAll) {
    const std::size_t to = std::min(all.size(), from + audit::kMaxAppendAll);
    std::vector<audit::AuditRecord> chunk(all.begin() + static_cast<std::ptrdiff_t>(from),
                                          all.begin() + static_cast<std::ptrdiff_t>(to));
    if (to < all.size()) {
      SA_RETURN_IF_ERROR(audit::AppendAll(tx, chunk, at).status());
    } else {
      SA_ASSIGN_OR_RETURN(audit::PreparedAppend append, audit::PrepareAppend(tx, chunk, at));
      last.push_back(std::move(append.insert));
    }
  }
  return last;
}

}  // namespace

IntakeService::IntakeService(store::Database* db, const mappings::Catalog* catalog, const Vault* vault,
                             IntakeOptions options)
    : db_(db),
      catalog_(catalog),
      vault_(vault),
      options_(std::move(options)),
      group_(std::make_unique<store::GroupCommit>(db, options_.max_group, AppendGroupAudits,
                                                  options_.groups_in_flight)) {}

const char* IntakeKindName(Kind kind) {
  switch (kind) {
    case Kind::kCreated: return "created";
    case Kind::kNewVersion: return "new-version";
    case Kind::kUnchanged: return "unchanged";
    case Kind::kRejected: return "rejected";
  }
  return "unknown";
}

json IntakeResult::ToJson() const {
  json j = {{"result", IntakeKindName(kind)}, {"organisation", organisation}, {"sessionId", session_id}};
  if (kind == Kind::kRejected) {
    json errs = json::array();
    for (const auto& e : errors) errs.push_back({{"pointer", e.pointer}, {"reason", e.reason}});
    j["errors"] = errs;
  } else {
    j["version"] = version;
    j["state"] = state;
    j["outboxRows"] = outbox_rows;
    j["heldActions"] = held_actions;
  }
  return j;
}

std::string SessionRecordId(const std::string& org, const std::string& session_id, int64_t version) {
  return org + "/" + session_id + "/v" + std::to_string(version) + "/record";
}

StatusOr<IntakeResult> IntakeService::Intake(std::string_view record, const IntakeContext& context) {
  const std::string& actor = context.actor;
  IntakeResult result;
  mappings::JsonLimits limits;
  limits.max_bytes = options_.max_record_bytes;
  mappings::SessionParse parse = mappings::ParseSession(record, *catalog_, limits);
  StatusOr<mappings::Separation> sep = Status::Internal("not separated");
  if (parse.ok) {
    sep = mappings::Separate(parse.session, parse.document, *catalog_);
    if (!sep.ok()) parse.errors.push_back({"", sep.status().message()});
  }
  SA_ASSIGN_OR_RETURN(auto session, db_->Connect());

  if (!parse.ok || !sep.ok()) {
    // Only a register line saying it was rejected and why: no content.
    result.kind = Kind::kRejected;
    result.organisation = IdOrEmpty(parse.document, "organisation");
    result.session_id = IdOrEmpty(parse.document, "sessionId");
    result.errors = parse.errors;
    json reasons = json::array();
    for (const auto& e : parse.errors) reasons.push_back(e.ToString());
    store::Transaction tx(*session);
    SA_RETURN_IF_ERROR(tx.Begin());
    SA_RETURN_IF_ERROR(session
                           ->Exec("INSERT INTO register_rejections (org, session_id, received_at, reasons)"
                                  " VALUES (?, ?, ?, ?)",
                                  {result.organisation, result.session_id, audit::NowRfc3339(), reasons.dump()})
                           .status());
    SA_RETURN_IF_ERROR(Audit(*session, actor, "intake", "session/" + result.organisation + "/" + result.session_id,
                             "rejected", std::to_string(parse.errors.size()) + " problem(s)"));
    SA_RETURN_IF_ERROR(tx.Commit());
    return result;
  }

  const mappings::Session& s = parse.session;
  const std::string org = s.organisation, sid = s.session_id;
  const std::string document = parse.document.dump();
  const std::string hash = Sha256Hex(document);
  result.organisation = org;
  result.session_id = sid;
  result.state = StateOf(s, *sep);

  // Optimistic: everything the new version writes (seals, keyed hashes, plan
  // payloads, the leak check) is computed from a snapshot of the session's
  // head, outside the transaction, so the write lock is held only for the
  // statements and the commit; concurrent intakes then overlap their work
  // with each other's commits, and share them. The transaction checks that
  // the head has not moved; if another intake of the session got in first,
  // start again.
  for (int attempt = 1;; ++attempt) {
    if (!session) {
      SA_ASSIGN_OR_RETURN(session, db_->Connect());
    }
    SA_ASSIGN_OR_RETURN(Head head, ReadHead(*session, org, sid));
    if (head.version > 0 && head.hash == hash) {
      result.kind = Kind::kUnchanged;
      result.version = head.version;
      return result;
    }
    if (context.expected_version && *context.expected_version != head.version) {
      return Status::Conflict("session " + org + "/" + sid + " is at version " + std::to_string(head.version) +
                              ", not the expected version " + std::to_string(*context.expected_version));
    }
    // Outbox rows are only ever written with a register version (here, in
    // one transaction): a session with no version has no plans queued, and
    // a version stored since the head was read is caught by the register's key.
    std::map<std::string, PreviousPlan> previous_plans;
    if (head.version > 0) {
      SA_ASSIGN_OR_RETURN(previous_plans, PreviousPlans(*session, org, sid));
    }
    // Back to the pool while this version waits for its group: the group's
    // leader writes on a connection of its own.
    session.reset();
    const int64_t version = head.version + 1;
    result.version = version;
    result.kind = head.version ? Kind::kNewVersion : Kind::kCreated;
    SA_ASSIGN_OR_RETURN(PreparedVersion prepared,
                        PrepareVersion(*vault_, options_, parse.session, *sep, document, hash, version, result,
                                       previous_plans, context));

    // The writes, in a transaction shared with intakes committing at the
    // same moment (group_commit.h); the group's audit entries are appended
    // once, last (AppendGroupAudits).
    StatusOr<bool> stored = group_->Run(
        [&](store::DbSession& tx) -> StatusOr<bool> {
          // One round trip on PostgreSQL. If another intake of this session
          // stored a version since the snapshot, this version's number is
          // taken: the register's key refuses it (Conflict).
          SA_RETURN_IF_ERROR(tx.ExecAll(prepared.writes));
          return true;
        },
        std::any(std::move(prepared.audits)));
    // Another intake of this session stored a version first (in this
    // process or another): start again from the new head.
    if (stored.status().code() == StatusCode::kConflict) {
      if (attempt < kMaxIntakeAttempts) continue;
      return Status::Unavailable("session " + org + "/" + sid +
                                 " kept changing while this version was stored; send it again");
    }
    SA_RETURN_IF_ERROR(stored.status());
    result.outbox_rows = prepared.outbox_rows;
    result.held_actions = prepared.held_actions;
    return result;
  }
}

}  // namespace sa::adapter
