#include "mappings/fhir_plan.h"

#include <set>

#include "fhir/bundle.h"
#include "fhir/url.h"

namespace sa::mappings {

using nlohmann::json;

namespace {

json PatientReference(const FhirMappingOptions& o, const PlanInput& in) {
  // Literal reference to the patient found or, when none was looked up, the
  // conditional reference the server resolves; the NHS number beside it.
  const std::string nhs = in.ehr["subject"]["nhsNumber"].get<std::string>();
  json ref = in.patient_id.empty() ? json{{"reference", PatientConditionalReference(o, nhs)}}
                                   : fhir::LiteralReference("Patient", in.patient_id);
  ref["identifier"] = fhir::ToJson(fhir::Identifier{o.nhs_number_system, nhs});
  return ref;
}

json StaffReference(const FhirMappingOptions& o, const json& staff) {
  // Logical reference: the EHR need not hold a Practitioner for every owner.
  return fhir::LogicalReference("Practitioner",
                                {o.staff_identifier_system, staff["id"].get<std::string>()},
                                staff.value("name", ""));
}

json TaskFor(const FhirMappingOptions& o, const PlanInput& in, const json& action,
             const std::string& care_plan_url, bool cancelled) {
  fhir::Identifier id = TaskIdentifier(o, in.organisation, in.session_id, action["id"].get<std::string>());
  std::string status = cancelled ? "cancelled" : "requested";
  json business_status;
  if (in.existing_tasks.contains(id.value)) {
    const json& now = in.existing_tasks[id.value];
    if (auto keep = EhrOwnedStatus(now.value("status", ""), cancelled)) {
      status = *keep;
      if (now.contains("businessStatus")) business_status = now["businessStatus"];
    }
  }
  json task = {{"resourceType", "Task"},
               {"identifier", json::array({fhir::ToJson(id)})},
               {"status", status},
               {"intent", "plan"},
               {"basedOn", json::array({fhir::BundleReference(care_plan_url)})},
               {"for", PatientReference(o, in)},
               {"owner", StaffReference(o, action["owner"])},
               {"description", action["what"]},
               {"restriction", {{"period", {{"end", action["due"]}}}}},
               {"authoredOn", in.created}};
  if (!business_status.is_null()) task["businessStatus"] = business_status;
  fhir::AddProfile(task, o.task_profile);
  return task;
}

}  // namespace

std::optional<std::string> EhrOwnedStatus(const std::string& current, bool adapter_cancels) {
  static const std::set<std::string> kTerminal = {"completed", "cancelled", "failed", "rejected", "entered-in-error"};
  if (current.empty() || current == "requested" || current == "draft") return std::nullopt;
  if (kTerminal.count(current)) return current;
  if (adapter_cancels) return std::nullopt;
  return current;
}

fhir::Identifier CarePlanIdentifier(const FhirMappingOptions& o, const std::string& organisation,
                                    const std::string& session_id, const std::string& case_ref) {
  // Ids never contain '/', so the value is unambiguous.
  return {o.care_plan_identifier_system, organisation + "/" + session_id + "/" + case_ref};
}

fhir::Identifier TaskIdentifier(const FhirMappingOptions& o, const std::string& organisation,
                                const std::string& session_id, const std::string& action_id) {
  return {o.task_identifier_system, organisation + "/" + session_id + "/" + action_id};
}

std::string PatientQuery(const FhirMappingOptions& o, const std::string& nhs_number) {
  return fhir::IdentifierQuery(o.nhs_number_system, nhs_number);
}

std::string PatientConditionalReference(const FhirMappingOptions& o,
                                        const std::string& nhs_number) {
  return fhir::ConditionalUrl("Patient", {o.nhs_number_system, nhs_number});
}

StatusOr<json> BuildPlanBundle(const PlanInput& in, const FhirMappingOptions& o, const LeakGuard& guard) {
  if (!in.ehr.is_object() || !in.ehr.contains("caseRef") || !in.ehr.contains("subject")) {
    return Status::InvalidArgument("plan input is not a case's EHR home");
  }
  if (!in.patient_id.empty() && !fhir::IsValidId(in.patient_id)) {
    return Status::InvalidArgument("patient id is not a FHIR id");
  }
  const std::string case_ref = in.ehr["caseRef"].get<std::string>();
  fhir::Identifier plan_id = CarePlanIdentifier(o, in.organisation, in.session_id, case_ref);

  fhir::BundleBuilder bundle(fhir::BundleType::kTransaction);
  std::string plan_url = fhir::NewUuidUrn();
  const json actions = in.ehr.value("actions", json::array());

  json categories = json::array({fhir::CodeableConcept({o.category})});
  if (in.ehr.value("onChildProtectionPlan", false)) {
    categories.push_back(fhir::CodeableConcept({o.child_protection}));
  }
  json care_plan = {{"resourceType", "CarePlan"},
                    {"identifier", json::array({fhir::ToJson(plan_id)})},
                    {"status", in.revoke ? "revoked" : "active"},
                    {"intent", "plan"},
                    {"title", o.title},
                    {"category", categories},
                    {"subject", PatientReference(o, in)},
                    {"author", StaffReference(o, json{{"id", in.supervisor.id}, {"name", in.supervisor.name}})},
                    {"created", in.created},
                    {"activity", json::array()}};
  fhir::AddProfile(care_plan, o.care_plan_profile);

  // Tasks first get their fullUrls so the CarePlan can list them.
  struct PendingTask { json task; std::string url; };
  std::vector<PendingTask> tasks;
  for (const auto& a : actions) {
    std::string url = fhir::NewUuidUrn();
    tasks.push_back({TaskFor(o, in, a, plan_url, in.revoke), url});
  }
  for (const auto& a : in.removed_actions) {
    tasks.push_back({TaskFor(o, in, a, plan_url, true), fhir::NewUuidUrn()});
  }
  for (const auto& t : tasks) {
    if (t.task["status"] != "cancelled" || in.revoke) {
      care_plan["activity"].push_back({{"reference", fhir::BundleReference(t.url)}});
    }
  }
  if (care_plan["activity"].empty()) care_plan.erase("activity");

  SA_ASSIGN_OR_RETURN(std::string written_plan_url, bundle.AddConditionalUpdate(care_plan, plan_id, plan_url));
  std::vector<std::string> targets = {written_plan_url};
  for (auto& t : tasks) {
    fhir::Identifier tid = *fhir::ReadIdentifier(t.task["identifier"][0]);
    SA_ASSIGN_OR_RETURN(std::string u, bundle.AddConditionalUpdate(t.task, tid, t.url));
    targets.push_back(u);
  }

  // Provenance: the adapter wrote this plan version. Idempotent through a tag.
  std::string version_key = plan_id.value + "/v" + std::to_string(in.version) + (in.revoke ? "/revoked" : "");
  json provenance = {{"resourceType", "Provenance"},
                     {"meta", {{"tag", json::array({{{"system", o.provenance_tag_system}, {"code", version_key}}})}}},
                     {"target", json::array()},
                     {"recorded", in.recorded},
                     {"agent", json::array({{{"type", fhir::CodeableConcept({{"http://terminology.hl7.org/CodeSystem/provenance-participant-type", "assembler", "Assembler"}})},
                                             {"who", {{"display", o.adapter_device_name}}}}})}};
  for (const auto& u : targets) provenance["target"].push_back(fhir::BundleReference(u));
  SA_ASSIGN_OR_RETURN(std::string ignored,
                      bundle.AddCreate(provenance, "_tag=" + fhir::PercentEncode(fhir::EscapeSearchValue(o.provenance_tag_system) +
                                                                                 "|" + fhir::EscapeSearchValue(version_key))));
  (void)ignored;

  json out = std::move(bundle).Build();
  // Last line of defence (RS-2): nothing confidential leaves in the Bundle.
  if (auto leak = guard.CheckJson(out)) {
    return Status::PermissionDenied("outgoing Bundle repeats confidential text from " + leak->source_pointer +
                                    " (leak guard, RS-2); not sent");
  }
  return out;
}

}  // namespace sa::mappings
