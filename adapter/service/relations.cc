#include "adapter/service/relations.h"

#include <algorithm>

#include "adapter/reports/agreement_store.h"
#include "adapter/service/custody.h"

namespace sa::adapter::service {

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

StatusOr<std::optional<SessionFacts>> LoadSessionFacts(store::DbSession& db, const std::string& org,
                                                       const std::string& session_id) {
  SA_ASSIGN_OR_RETURN(auto rows, db.Query("SELECT version, type FROM register WHERE org = ? AND"
                                          " session_id = ? AND superseded_by IS NULL",
                                          {org, session_id}));
  if (rows.empty()) return std::optional<SessionFacts>();
  SessionFacts f;
  f.org = org;
  f.session_id = session_id;
  SA_ASSIGN_OR_RETURN(f.version, store::AsInt(rows[0][0]));
  SA_ASSIGN_OR_RETURN(auto type, store::AsOptionalText(rows[0][1]));
  f.type = type.value_or("");
  SA_ASSIGN_OR_RETURN(auto people,
                      db.Query("SELECT staff_hash, role FROM session_people WHERE org = ?"
                               " AND session_id = ? AND version = ?",
                               {org, session_id, f.version}));
  for (const auto& p : people) {
    SA_ASSIGN_OR_RETURN(std::string hash, store::AsText(p[0]));
    SA_ASSIGN_OR_RETURN(std::string role, store::AsText(p[1]));
    if (role == "supervisor") {
      f.supervisor_hash = hash;
    } else {
      f.supervisee_hashes.push_back(hash);
    }
  }
  return std::optional<SessionFacts>(std::move(f));
}

StatusOr<std::optional<std::string>> ResponsibleSupervisorHash(store::DbSession& db,
                                                               const std::string& org,
                                                               const std::string& supervisee_hash) {
  SA_ASSIGN_OR_RETURN(std::optional<std::string> custody,
                      CurrentSupervisorHash(db, org, supervisee_hash));
  if (custody) return custody;
  SA_ASSIGN_OR_RETURN(
      auto rows,
      db.Query(
          "SELECT sup.staff_hash FROM session_people me JOIN register r ON r.org = me.org AND"
          " r.session_id = me.session_id AND r.version = me.version AND r.superseded_by IS NULL"
          " JOIN session_people sup ON sup.org = me.org AND sup.session_id = me.session_id AND"
          " sup.version = me.version AND sup.role = 'supervisor'"
          " WHERE me.org = ? AND me.staff_hash = ? AND me.role = 'supervisee'"
          " ORDER BY r.scheduled_for DESC LIMIT 1",
          {org, supervisee_hash}));
  if (rows.empty()) return std::optional<std::string>();
  SA_ASSIGN_OR_RETURN(std::string hash, store::AsText(rows[0][0]));
  return std::optional<std::string>(hash);
}

StatusOr<Relations> RelationsToSession(store::DbSession& db, const Vault& vault,
                                       const auth::Principal& caller, const SessionFacts& session) {
  if (!caller.ActsFor(session.org)) return Relations{kNone};
  Relations out = kSameOrg;
  SA_ASSIGN_OR_RETURN(std::string me, vault.StaffHash(caller.subject));
  SA_ASSIGN_OR_RETURN(bool departed, IsDeparted(db, session.org, me));
  if (departed) return out;
  if (Contains(session.supervisee_hashes, me))
    out |= session.group() ? kGroupMember : kSessionSupervisee;
  // The session's supervisor is responsible only for supervisees who have not
  // moved to another supervisor since (RS-10).
  for (const auto& supervisee : session.supervisee_hashes) {
    SA_ASSIGN_OR_RETURN(std::optional<std::string> current,
                        CurrentSupervisorHash(db, session.org, supervisee));
    if (current.value_or(session.supervisor_hash) == me) {
      out |= kSessionSupervisor;
      break;
    }
  }
  SA_ASSIGN_OR_RETURN(auto agreements,
                      reports::CurrentAgreementsNaming(db, session.org, caller.subject));
  for (const auto& a : agreements) {
    bool named = std::any_of(a.named_managers.begin(), a.named_managers.end(),
                             [&](const auto& s) { return s.id == caller.subject; });
    if (!named) continue;
    SA_ASSIGN_OR_RETURN(std::string supervisee, vault.StaffHash(a.supervisee.id));
    if (Contains(session.supervisee_hashes, supervisee)) out |= kNamedManager;
  }
  return out;
}

StatusOr<Relations> RelationsToPerson(store::DbSession& db, const Vault& vault,
                                      const auth::Principal& caller, const std::string& org,
                                      const std::string& staff_id) {
  if (!caller.ActsFor(org)) return Relations{kNone};
  Relations out = kSameOrg;
  SA_ASSIGN_OR_RETURN(std::string me, vault.StaffHash(caller.subject));
  SA_ASSIGN_OR_RETURN(bool departed, IsDeparted(db, org, me));
  if (departed) return out;
  if (caller.subject == staff_id) out |= kSelf;
  SA_ASSIGN_OR_RETURN(std::string target, vault.StaffHash(staff_id));
  SA_ASSIGN_OR_RETURN(std::optional<std::string> current,
                      ResponsibleSupervisorHash(db, org, target));
  if (current && *current == me) out |= kCurrentSupervisor;
  SA_ASSIGN_OR_RETURN(auto agreements, reports::CurrentAgreementsNaming(db, org, caller.subject));
  for (const auto& a : agreements) {
    if (a.supervisee.id != staff_id) continue;
    if (std::any_of(a.line_managers.begin(), a.line_managers.end(),
                    [&](const auto& s) { return s.id == caller.subject; })) {
      out |= kNamedLineManager;
    }
  }
  return out;
}

}  // namespace sa::adapter::service
