#include "adapter/reports/compliance_loader.h"

#include <algorithm>
#include <map>

#include "adapter/reports/agreement_store.h"
#include "adapter/reports/dates.h"
#include "mappings/fhir_plan.h"

namespace sa::adapter::reports {

using nlohmann::json;

namespace {

std::string InList(std::size_t n) {
  std::string s = "(";
  for (std::size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s + ")";
}

std::string Text(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

StatusOr<std::vector<ActionStatus>> LoadActionStatuses(
    store::DbSession& session, const std::vector<std::string>& organisations) {
  std::vector<ActionStatus> out;
  if (organisations.empty()) return out;
  std::vector<store::Value> orgs(organisations.begin(), organisations.end());
  SA_ASSIGN_OR_RETURN(auto rows,
                      session.Query("SELECT plan_key, seq, payload FROM outbox WHERE org IN " +
                                        InList(orgs.size()) + " ORDER BY plan_key, seq",
                                    orgs));
  std::map<std::string, std::string> latest;  // plan key -> payload (rows come by seq)
  for (const auto& r : rows) {
    SA_ASSIGN_OR_RETURN(std::string key, store::AsText(r[0]));
    SA_ASSIGN_OR_RETURN(latest[key], store::AsText(r[2]));
  }
  SA_ASSIGN_OR_RETURN(auto tasks, session.Query("SELECT task_identifier, status FROM task_status"
                                                " WHERE org IN " +
                                                    InList(orgs.size()),
                                                orgs));
  std::map<std::string, std::optional<std::string>> status;  // identifier value -> status
  for (const auto& r : tasks) {
    SA_ASSIGN_OR_RETURN(std::string id, store::AsText(r[0]));
    SA_ASSIGN_OR_RETURN(status[id], store::AsOptionalText(r[1]));
  }
  const mappings::FhirMappingOptions mapping;  // the identifier's value ignores the system
  for (const auto& [key, text] : latest) {
    const json payload = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!payload.is_object()) return Status::Internal("outbox payload of " + key + " is not JSON");
    if (payload.value("revoke", false)) continue;  // the plan was withdrawn from the EHR
    const std::string org = Text(payload, "organisation"), sid = Text(payload, "sessionId");
    const json ehr = payload.value("ehr", json::object());
    if (!ehr.is_object() || !ehr.contains("actions") || !ehr["actions"].is_array()) continue;
    for (const auto& a : ehr["actions"]) {
      ActionStatus s;
      s.organisation = org;
      s.session_id = sid;
      s.action_id = Text(a, "id");
      s.owner_id = a.is_object() ? Text(a.value("owner", json::object()), "id") : "";
      s.due = Text(a, "due");
      const std::string task = mappings::TaskIdentifier(mapping, org, sid, s.action_id).value;
      if (auto it = status.find(task); it != status.end()) s.ehr_status = it->second;
      out.push_back(std::move(s));
    }
  }
  return out;
}

StatusOr<ComplianceInput> LoadComplianceInput(store::DbSession& session,
                                              const mappings::Catalog& catalog,
                                              const std::string& from, const std::string& to,
                                              std::int64_t now,
                                              const std::vector<std::string>& organisations) {
  SA_RETURN_IF_ERROR(ValidateRegisterQuery({from, to, {}}));
  ComplianceInput in;
  in.from = from;
  in.to = to;
  in.now = now;
  std::vector<std::string> orgs = organisations.empty() ? catalog.ProfileCodes() : organisations;
  for (const auto& org : orgs) {
    const mappings::Profile* p = catalog.FindProfile(org);
    if (!p)
      return Status::InvalidArgument("organisation " + org + ": not a configured policy profile");
    in.profiles[org] = p;
  }
  const std::int64_t from_day = *DateToDays(from), to_day = *DateToDays(to);
  const std::int64_t as_of = std::min(to_day, DayOf(now));
  // Reach back for context, but keep within one register query's span limit.
  const std::int64_t context_from = std::max(
      std::min(from_day, AddMonths(as_of, -12)) - kContextLookbackDays, to_day - kMaxReportDays);
  SA_ASSIGN_OR_RETURN(in.lines,
                      LoadRegisterVersions(session, {DaysToDate(context_from), to, orgs}));
  for (const auto& org : orgs) {
    SA_ASSIGN_OR_RETURN(auto list, ListAgreements(session, org, std::nullopt, true));
    for (auto& a : list) in.agreements.push_back(std::move(a));
  }
  SA_ASSIGN_OR_RETURN(in.open_actions, LoadActionStatuses(session, orgs));
  return in;
}

}  // namespace sa::adapter::reports
