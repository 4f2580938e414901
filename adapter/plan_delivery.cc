#include "adapter/plan_delivery.h"

#include "fhir/resource.h"
#include "fhir/url.h"

namespace sa::adapter {

using nlohmann::json;
using Kind = DeliveryOutcome::Kind;

namespace {

DeliveryOutcome FromStatus(const Status& s, const std::string& what) {
  DeliveryOutcome out;
  switch (s.code()) {
    case StatusCode::kUnavailable: out.kind = Kind::kRetryLater; break;
    case StatusCode::kPermissionDenied: out.kind = Kind::kRetryLater; break;  // auth may recover
    default: out.kind = Kind::kFailed; break;
  }
  out.reason = what + ": " + s.ToString();
  return out;
}

// Finds the one Patient with this NHS number, or says why not.
StatusOr<std::string> FindPatient(fhir::FhirClient& client, const mappings::FhirMappingOptions& options,
                                  const std::string& nhs, bool create_if_missing, DeliveryOutcome* held) {
  SA_ASSIGN_OR_RETURN(fhir::SearchResult found, client.Search("Patient", mappings::PatientQuery(options, nhs)));
  if (found.resources.size() == 1) return fhir::GetString(found.resources[0], "id");
  if (found.resources.size() > 1) {
    held->kind = Kind::kHeld;
    held->reason = std::to_string(found.resources.size()) +
                   " patients in the EHR have this NHS number; the plan is held, never guessed";
    return std::string();
  }
  if (!create_if_missing) {
    held->kind = Kind::kHeld;
    held->reason = "no patient in the EHR has this NHS number; the plan is held until one exists";
    return std::string();
  }
  // The profile allows a minimal Patient: conditional create, so two
  // adapters racing make one.
  fhir::BundleBuilder b(fhir::BundleType::kTransaction);
  json patient = {{"resourceType", "Patient"},
                  {"identifier", json::array({fhir::ToJson(fhir::Identifier{options.nhs_number_system, nhs})})}};
  SA_RETURN_IF_ERROR(b.AddConditionalCreate(patient, {options.nhs_number_system, nhs}).status());
  SA_ASSIGN_OR_RETURN(fhir::TransactionResponse r, client.Transaction(b.Build()));
  if (r.entries.size() != 1 || !r.entries[0].ok()) return Status::Permanent("creating the patient failed");
  SA_ASSIGN_OR_RETURN(fhir::ResourceLocation loc, fhir::ParseLocation(r.entries[0].location));
  return loc.id;
}

}  // namespace

const char* OutcomeName(Kind kind) {
  switch (kind) {
    case Kind::kDelivered: return "delivered";
    case Kind::kHeld: return "held";
    case Kind::kRetryLater: return "retry";
    case Kind::kFailed: return "failed";
  }
  return "unknown";
}

DeliveryOutcome DeliverCasePlan(fhir::FhirClient& client, mappings::PlanInput input,
                                const mappings::FhirMappingOptions& options,
                                const mappings::LeakGuard& guard, bool create_patient_if_missing) {
  DeliveryOutcome held;
  const std::string nhs = input.ehr["subject"]["nhsNumber"].get<std::string>();
  auto patient = FindPatient(client, options, nhs, create_patient_if_missing, &held);
  if (!patient.ok()) return FromStatus(patient.status(), "patient search");
  if (patient->empty()) return held;
  input.patient_id = *patient;

  // What clinicians have done with these Tasks in the EHR is kept.
  std::vector<std::string> ids;
  for (const auto& a : input.ehr.value("actions", json::array())) ids.push_back(a["id"]);
  for (const auto& a : input.removed_actions) ids.push_back(a["id"]);
  if (!ids.empty()) {
    std::string query = "identifier=";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      fhir::Identifier t = mappings::TaskIdentifier(options, input.organisation, input.session_id, ids[i]);
      query += (i ? "," : "") + fhir::PercentEncode(fhir::EscapeSearchValue(t.system) + "|" + fhir::EscapeSearchValue(t.value));
    }
    auto existing = client.Search("Task", query + "&_count=" + std::to_string(ids.size() + 10));
    if (!existing.ok()) return FromStatus(existing.status(), "reading the plan's Tasks");
    for (const auto& t : existing->resources) {
      if (auto v = fhir::FindIdentifierValue(t, options.task_identifier_system)) {
        json state = {{"status", fhir::GetString(t, "status")}};
        if (t.contains("businessStatus")) state["businessStatus"] = t["businessStatus"];
        input.existing_tasks[*v] = state;
      }
    }
  }

  auto bundle = mappings::BuildPlanBundle(input, options, guard);
  if (!bundle.ok()) {
    DeliveryOutcome out;
    out.kind = bundle.status().code() == StatusCode::kPermissionDenied ? Kind::kHeld : Kind::kFailed;
    out.reason = bundle.status().message();
    return out;
  }
  auto response = client.Transaction(*bundle);
  if (!response.ok()) return FromStatus(response.status(), "transaction");
  if (!response->AllOk()) {
    DeliveryOutcome out;
    out.reason = "the server answered the transaction with a failed entry";
    return out;
  }
  DeliveryOutcome out;
  out.kind = Kind::kDelivered;
  out.patient_id = input.patient_id;
  for (const auto& e : (*bundle)["entry"]) out.tasks += e["resource"]["resourceType"] == "Task" ? 1 : 0;
  out.reason = "delivered";
  return out;
}

std::vector<mappings::PlanInput> PlanInputs(const mappings::Session& session,
                                            const mappings::Separation& separation, int version,
                                            const std::string& recorded) {
  std::vector<mappings::PlanInput> out;
  for (const auto& c : separation.cases) {
    if (!c.HasActionsToSend()) continue;
    mappings::PlanInput in;
    in.organisation = session.organisation;
    in.session_id = session.session_id;
    in.version = version;
    in.created = session.held_at.value_or(session.scheduled_for);
    in.recorded = recorded;
    in.supervisor = session.supervisor;
    in.ehr = c.ehr;
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace sa::adapter
