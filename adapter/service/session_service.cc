#include "adapter/service/session_service.h"

#include <algorithm>
#include <chrono>

#include "adapter/audit/audit_log.h"
#include "adapter/service/guard.h"
#include "adapter/service/records.h"
#include "adapter/service/relations.h"
#include "adapter/sync/task_sync.h"

namespace sa::adapter::service {

using nlohmann::json;

namespace {

std::string SessionObject(const std::string& org, const std::string& sid) {
  return "session/" + org + "/" + sid;
}

// A parsed body's organisation, if it names one as a string.
std::optional<std::string> OrganisationOf(const json& doc) {
  if (doc.is_object() && doc.contains("organisation") && doc["organisation"].is_string()) {
    return doc["organisation"].get<std::string>();
  }
  return std::nullopt;
}

json WithoutSignatures(json doc) {
  if (doc.is_object()) doc.erase("signatures");
  return doc;
}

bool SignaturesIncluded(const json& submitted, const json& stored) {
  const json none = json::array();
  const json& sub = submitted.is_object() && submitted.contains("signatures") ? submitted["signatures"] : none;
  const json& have = stored.is_object() && stored.contains("signatures") ? stored["signatures"] : none;
  if (!sub.is_array() || !have.is_array()) return sub == have;
  return std::all_of(sub.begin(), sub.end(), [&](const json& s) {
    return std::find(have.begin(), have.end(), s) != have.end();
  });
}

// A nullable TEXT column as a string ("" for NULL or a non-text value).
std::string TextOrEmpty(const store::Value& v) {
  auto t = store::AsOptionalText(v);
  return t.ok() && *t ? **t : std::string();
}

bool ClosedStatus(const std::string& status) {
  return status == "completed" || status == "cancelled" || status == "entered-in-error" ||
         status == "rejected" || status == "failed";
}

}  // namespace

const std::vector<std::string>& CancellationReasons() {
  static const std::vector<std::string>* const kReasons = new std::vector<std::string>{
      "supervisor-unavailable", "supervisee-unavailable", "sickness", "operational-pressure",
      "rearranged", "other"};
  return *kReasons;
}

StatusOr<std::optional<StoredRecord>> LoadLatestRecord(store::DbSession& db, const Vault& vault,
                                                       const std::string& org,
                                                       const std::string& session_id) {
  SA_ASSIGN_OR_RETURN(std::optional<int64_t> version, LatestVersion(db, org, session_id));
  if (!version) return std::optional<StoredRecord>();
  const std::string id = SessionRecordId(org, session_id, *version);
  SA_ASSIGN_OR_RETURN(auto rows, db.Query("SELECT sealed FROM confidential_records WHERE record_id = ?"
                                          " AND kind = ?",
                                          {id, std::string(kSessionRecordKind)}));
  if (rows.empty()) {
    return Status::FailedPrecondition("session " + org + "/" + session_id + " v" +
                                      std::to_string(*version) +
                                      " has no stored record (taken in before the service kept one)");
  }
  SA_ASSIGN_OR_RETURN(std::string sealed, store::AsBlob(rows[0][0]));
  SA_ASSIGN_OR_RETURN(std::string plain, vault.Open(sealed, id, kSessionRecordKind, *version));
  json doc = json::parse(plain, nullptr, false);
  if (!doc.is_object()) return Status::Internal("stored record " + id + " is not a JSON object");
  return std::optional<StoredRecord>(StoredRecord{*version, std::move(doc)});
}

StatusOr<IntakeResult> SessionService::Submit(std::string_view body, const auth::Principal& caller,
                                              std::optional<int64_t> expected_version) {
  json doc = json::parse(body, nullptr, false);
  SA_ASSIGN_OR_RETURN(auto db, db_->Connect());
  std::optional<std::string> org = OrganisationOf(doc);
  if (org) {
    Relations rel = caller.ActsFor(*org) ? kSameOrg : kNone;
    SA_RETURN_IF_ERROR(Authorize(*db, Operation::kSubmitSession, caller, rel, nullptr,
                                 "session/" + *org));
    if (doc.contains("sessionId") && doc["sessionId"].is_string()) {
      const std::string sid = doc["sessionId"].get<std::string>();
      auto loaded = LoadLatestRecord(*db, *vault_, *org, sid);
      // A session taken in before whole records were kept has none to
      // compare with: intake decides (by content hash) as it always did.
      if (!loaded.ok() && loaded.status().code() != StatusCode::kFailedPrecondition) {
        return loaded.status();
      }
      std::optional<StoredRecord> stored = loaded.ok() ? std::move(*loaded) : std::nullopt;
      if (stored && WithoutSignatures(doc) == WithoutSignatures(stored->document) &&
          SignaturesIncluded(doc, stored->document)) {
        SA_ASSIGN_OR_RETURN(auto rows, db->Query("SELECT state FROM register WHERE org = ? AND"
                                                 " session_id = ? AND version = ?",
                                                 {*org, sid, stored->version}));
        SA_RETURN_IF_ERROR(AuditEvent(*db, caller, "compare-session-record",
                                      SessionObject(*org, sid) + "/v" + std::to_string(stored->version),
                                      "ok", "unchanged"));
        IntakeResult same;
        same.kind = IntakeResult::Kind::kUnchanged;
        same.organisation = *org;
        same.session_id = sid;
        same.version = stored->version;
        if (!rows.empty()) same.state = TextOrEmpty(rows[0][0]);
        return same;
      }
    }
  } else {
    // No organisation to check against: only an office system may send
    // records at all; the record is rejected by intake below.
    SA_RETURN_IF_ERROR(Authorize(*db, Operation::kSubmitSession, caller,
                                 caller.organisations.empty() ? kNone : kSameOrg, nullptr,
                                 "session/unknown"));
  }
  db.reset();
  return intake_->Intake(body, IntakeContext{caller.AuditActor(), expected_version, nullptr});
}

StatusOr<StoredRecord> SessionService::LoadForChange(store::DbSession& db, Operation op,
                                                     const std::string& org,
                                                     const std::string& session_id,
                                                     const auth::Principal& caller) {
  SA_ASSIGN_OR_RETURN(auto facts, LoadSessionFacts(db, org, session_id));
  if (!facts || !caller.ActsFor(org)) return Status::NotFound("no session " + session_id);
  SA_ASSIGN_OR_RETURN(Relations rel, RelationsToSession(db, *vault_, caller, *facts));
  SA_RETURN_IF_ERROR(Authorize(db, op, caller, rel, nullptr, SessionObject(org, session_id)));
  SA_ASSIGN_OR_RETURN(auto stored, LoadLatestRecord(db, *vault_, org, session_id));
  if (!stored) return Status::NotFound("no session " + session_id);
  return std::move(*stored);
}

StatusOr<IntakeResult> SessionService::ChangeRecord(const std::string& org,
                                                    const std::string& session_id, Operation op,
                                                    const auth::Principal& caller,
                                                    const RecordEdit& edit) {
  for (int attempt = 0;; ++attempt) {
    SA_ASSIGN_OR_RETURN(auto db, db_->Connect());
    SA_ASSIGN_OR_RETURN(StoredRecord stored, LoadForChange(*db, op, org, session_id, caller));
    db.reset();
    json note;
    SA_RETURN_IF_ERROR(edit(stored.document, &note));
    auto result = intake_->Intake(stored.document.dump(),
                                  IntakeContext{caller.AuditActor(), stored.version, note});
    // Someone else made a version in between: read it again and redo the edit.
    if (result.ok() || result.status().code() != StatusCode::kConflict ||
        attempt + 1 >= kConflictRetries) {
      return result;
    }
  }
}

StatusOr<IntakeResult> SessionService::Sign(const std::string& org, const std::string& session_id,
                                            const auth::Principal& caller, const std::string& at) {
  return ChangeRecord(org, session_id, Operation::kSignSession, caller, [&](json& doc, json* note) {
    if (doc.value("status", "") != "held") {
      return Status::FailedPrecondition("only a held session is signed; this one is " +
                                        doc.value("status", std::string("unknown")));
    }
    if (!doc.contains("signatures") || !doc["signatures"].is_array()) doc["signatures"] = json::array();
    const bool signed_already = std::any_of(
        doc["signatures"].begin(), doc["signatures"].end(),
        [&](const json& s) { return s.is_object() && s.value("by", "") == caller.subject; });
    if (signed_already) return Status::Ok();  // the same content: intake answers "unchanged"
    std::string role = "supervisee";
    if (doc["supervisor"].value("id", "") == caller.subject) {
      role = "supervisor";
    } else if (doc.value("type", "") == "group" || doc.value("type", "") == "peer") {
      role = "attendee";
    }
    doc["signatures"].push_back({{"by", caller.subject}, {"role", role}, {"at", at}});
    *note = {{"event", "signature"}, {"role", role}};
    return Status::Ok();
  });
}

StatusOr<IntakeResult> SessionService::Cancel(const std::string& org, const std::string& session_id,
                                              const auth::Principal& caller,
                                              const CancelRequest& request) {
  return ChangeRecord(org, session_id, Operation::kCancelSession, caller, [&](json& doc, json* note) {
    if (doc.value("status", "") == "cancelled") {
      return Status::Conflict("session " + session_id + " is already cancelled");
    }
    doc["status"] = "cancelled";
    doc["cases"] = json::array();
    doc.erase("heldAt");
    doc.erase("durationMinutes");
    doc.erase("practitioner");
    doc["rebookedTo"] = request.rebooked_to ? json(*request.rebooked_to) : json(nullptr);
    *note = {{"event", "cancellation"}, {"reason", request.reason}};
    return Status::Ok();
  });
}

StatusOr<json> SessionService::RegisterView(const std::string& org, const std::string& session_id,
                                            const auth::Principal& caller) {
  SA_ASSIGN_OR_RETURN(auto db, db_->Connect());
  SA_ASSIGN_OR_RETURN(auto facts, LoadSessionFacts(*db, org, session_id));
  if (!facts || !caller.ActsFor(org)) return Status::NotFound("no session " + session_id);
  SA_ASSIGN_OR_RETURN(Relations rel, RelationsToSession(*db, *vault_, caller, *facts));
  SA_RETURN_IF_ERROR(Authorize(*db, Operation::kReadSession, caller, rel, nullptr,
                               SessionObject(org, session_id)));
  SA_ASSIGN_OR_RETURN(auto rows,
                      db->Query("SELECT version, state, entry_json, agreed_at, received_at FROM register"
                                " WHERE org = ? AND session_id = ? AND version = ?",
                                {org, session_id, facts->version}));
  if (rows.empty()) return Status::NotFound("no session " + session_id);
  SA_ASSIGN_OR_RETURN(std::string entry_text, store::AsText(rows[0][2]));
  json entry = json::parse(entry_text, nullptr, false);
  if (!entry.is_object()) return Status::Internal("register entry is not JSON");
  json adapter = entry.value("_adapter", json::object());
  entry.erase("_adapter");
  entry["version"] = facts->version;
  entry["state"] = TextOrEmpty(rows[0][1]);
  entry["agreement"] = adapter.value("agreement", json::object());
  entry["agreedAt"] = TextOrEmpty(rows[0][3]);
  entry["receivedAt"] = TextOrEmpty(rows[0][4]);
  entry["release"] = adapter.value("release", json::object());
  entry["heldActions"] = adapter.value("holds", json::array()).size();
  if (adapter.contains("note") && !adapter["note"].empty()) entry["lastChange"] = adapter["note"];
  return entry;
}

StatusOr<json> SessionService::Discussion(const std::string& org, const std::string& session_id,
                                          const auth::Principal& caller) {
  SA_ASSIGN_OR_RETURN(auto db, db_->Connect());
  SA_ASSIGN_OR_RETURN(auto facts, LoadSessionFacts(*db, org, session_id));
  if (!facts || !caller.ActsFor(org)) return Status::NotFound("no session " + session_id);
  SA_ASSIGN_OR_RETURN(Relations rel, RelationsToSession(*db, *vault_, caller, *facts));
  const std::string object = "confidential/" + org + "/" + session_id;
  SA_RETURN_IF_ERROR(Authorize(*db, Operation::kReadDiscussion, caller, rel,
                               catalog_->FindProfile(org), object));
  SA_ASSIGN_OR_RETURN(auto forms, ReadDiscussions(*db, *vault_, org, session_id, facts->version));
  json out = {{"organisation", org}, {"sessionId", session_id}, {"version", facts->version},
              {"cases", json::array()}};
  std::string ids;
  for (const auto& f : forms) {
    out["cases"].push_back({{"caseRef", f.case_ref}, {"template", f.template_name}, {"form", f.form}});
    ids += (ids.empty() ? "" : ",") + f.case_ref;
  }
  SA_RETURN_IF_ERROR(AuditEvent(*db, caller, "read-discussion", object + "/v" + std::to_string(facts->version),
                                "ok", "cases=" + std::to_string(forms.size())));
  return out;
}

StatusOr<json> SessionService::PractitionerRecord(const std::string& org, const std::string& staff_id,
                                                  const auth::Principal& caller) {
  SA_ASSIGN_OR_RETURN(auto db, db_->Connect());
  if (!caller.ActsFor(org)) return Status::NotFound("no practitioner record");
  SA_ASSIGN_OR_RETURN(Relations rel, RelationsToPerson(*db, *vault_, caller, org, staff_id));
  SA_ASSIGN_OR_RETURN(std::string who, vault_->StaffHash(staff_id));
  const std::string object = "practitioner/" + org + "/" + who.substr(0, 16);
  SA_RETURN_IF_ERROR(Authorize(*db, Operation::kReadPractitionerRecord, caller, rel,
                               catalog_->FindProfile(org), object));
  SA_ASSIGN_OR_RETURN(auto records, ReadPractitionerRecords(*db, *vault_, org, staff_id));
  json out = {{"organisation", org}, {"practitioner", staff_id}, {"records", json::array()}};
  for (const auto& r : records) {
    out["records"].push_back({{"sessionId", r.session_id}, {"version", r.version}, {"notes", r.notes}});
  }
  SA_RETURN_IF_ERROR(AuditEvent(*db, caller, "read-practitioner-record", object, "ok",
                                "records=" + std::to_string(records.size())));
  return out;
}

StatusOr<json> SessionService::PreviousActions(const std::string& org, const std::string& staff_id,
                                               const auth::Principal& caller) {
  SA_ASSIGN_OR_RETURN(auto db, db_->Connect());
  if (!caller.ActsFor(org)) return Status::NotFound("no supervisee " + staff_id);
  SA_ASSIGN_OR_RETURN(Relations rel, RelationsToPerson(*db, *vault_, caller, org, staff_id));
  SA_ASSIGN_OR_RETURN(std::string who, vault_->StaffHash(staff_id));
  SA_RETURN_IF_ERROR(Authorize(*db, Operation::kReadPreviousActions, caller, rel, nullptr,
                               "supervisee/" + org + "/" + who.substr(0, 16)));
  // The supervisee's sessions (latest versions), newest first.
  SA_ASSIGN_OR_RETURN(
      auto sessions,
      db->Query("SELECT r.session_id, r.scheduled_for, r.state FROM register r JOIN session_people p"
                " ON p.org = r.org AND p.session_id = r.session_id AND p.version = r.version"
                " WHERE r.org = ? AND p.staff_hash = ? AND p.role = 'supervisee'"
                " AND r.superseded_by IS NULL"
                " ORDER BY r.scheduled_for DESC",
                {org, who}));
  const auto now = std::chrono::system_clock::now();
  const int64_t recent_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                (now - std::chrono::hours(24 * kRecentDays)).time_since_epoch())
                                .count();
  json out = {{"organisation", org}, {"supervisee", staff_id}, {"actions", json::array()}};
  for (const auto& s : sessions) {
    SA_ASSIGN_OR_RETURN(std::string sid, store::AsText(s[0]));
    SA_ASSIGN_OR_RETURN(std::string scheduled, store::AsText(s[1]));
    // The plans as last queued (what, owner, due), by case.
    SA_ASSIGN_OR_RETURN(auto plans, db->Query("SELECT case_ref, payload FROM outbox WHERE org = ? AND"
                                              " session_id = ? ORDER BY seq",
                                              {org, sid}));
    std::map<std::string, json> latest_plan;
    for (const auto& p : plans) {
      SA_ASSIGN_OR_RETURN(std::string case_ref, store::AsText(p[0]));
      SA_ASSIGN_OR_RETURN(std::string payload, store::AsText(p[1]));
      latest_plan[case_ref] = json::parse(payload, nullptr, false);
    }
    SA_ASSIGN_OR_RETURN(auto synced, ::sa::adapter::PreviousActions(*db, org, sid));
    std::map<std::string, const PreviousAction*> by_action;
    for (const auto& a : synced) by_action[a.action_id] = &a;
    for (const auto& [case_ref, plan] : latest_plan) {
      if (!plan.is_object() || plan.value("revoke", false)) continue;
      for (const auto& a : plan["ehr"].value("actions", json::array())) {
        const std::string id = a.value("id", "");
        json item = {{"sessionId", sid}, {"scheduledFor", scheduled}, {"caseRef", case_ref},
                     {"actionId", id}, {"what", a.value("what", "")}, {"due", a.value("due", "")},
                     {"owner", a.value("owner", json::object())}};
        auto it = by_action.find(id);
        std::string status;
        if (it != by_action.end()) {
          status = it->second->status;
          item["ehr"] = {{"status", status},
                         {"businessStatus", it->second->business_status_text.empty()
                                                ? it->second->business_status_code
                                                : it->second->business_status_text},
                         {"lastUpdated", it->second->last_updated}};
        } else {
          item["ehr"] = nullptr;  // not yet seen by sync
        }
        const bool open = !ClosedStatus(status);
        bool recent = false;
        if (!open && it != by_action.end()) {
          auto t = ParseInstantMicros(it->second->last_updated);
          recent = t && *t >= recent_us;
        }
        if (!open && !recent) continue;
        item["open"] = open;
        out["actions"].push_back(std::move(item));
      }
    }
  }
  SA_RETURN_IF_ERROR(AuditEvent(*db, caller, "read-previous-actions",
                                "supervisee/" + org + "/" + who.substr(0, 16), "ok",
                                "actions=" + std::to_string(out["actions"].size())));
  return out;
}

}  // namespace sa::adapter::service
