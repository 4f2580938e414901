#include "adapter/plan_delivery.h"

#include <optional>

#include "fhir/resource.h"
#include "fhir/retry.h"
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

// Fills `input->existing_tasks` with what the EHR holds now for the plan's
// Tasks (current and removed actions, one search), so a re-delivery keeps
// the statuses clinicians set.
Status ReadExistingTasks(fhir::FhirClient& client, const mappings::FhirMappingOptions& options,
                         mappings::PlanInput* input) {
  input->existing_tasks = json::object();
  std::vector<std::string> ids;
  for (const auto& a : input->ehr.value("actions", json::array())) ids.push_back(a["id"]);
  for (const auto& a : input->removed_actions) ids.push_back(a["id"]);
  if (ids.empty()) return Status::Ok();
  std::string query = "identifier=";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    fhir::Identifier t =
        mappings::TaskIdentifier(options, input->organisation, input->session_id, ids[i]);
    query += (i ? "," : "") + fhir::PercentEncode(fhir::EscapeSearchValue(t.system) + "|" +
                                                  fhir::EscapeSearchValue(t.value));
  }
  SA_ASSIGN_OR_RETURN(fhir::SearchResult existing,
                      client.Search("Task", query + "&_count=" + std::to_string(ids.size() + 10)));
  for (const auto& t : existing.resources) {
    if (auto v = fhir::FindIdentifierValue(t, options.task_identifier_system)) {
      json state = {{"status", fhir::GetString(t, "status")}};
      if (t.contains("businessStatus")) state["businessStatus"] = t["businessStatus"];
      input->existing_tasks[*v] = state;
    }
  }
  return Status::Ok();
}

// Builds the Bundle and posts it. A transaction the server refused or that
// did not reach it leaves its Status in `*transaction_error`.
DeliveryOutcome SendPlan(fhir::FhirClient& client, const mappings::PlanInput& input,
                         const mappings::FhirMappingOptions& options,
                         const mappings::LeakGuard& guard, Status* transaction_error) {
  auto bundle = mappings::BuildPlanBundle(input, options, guard);
  if (!bundle.ok()) {
    DeliveryOutcome out;
    out.kind = bundle.status().code() == StatusCode::kPermissionDenied ? Kind::kHeld : Kind::kFailed;
    out.reason = bundle.status().message();
    return out;
  }
  auto response = client.Transaction(*bundle);
  if (!response.ok()) {
    *transaction_error = response.status();
    return FromStatus(response.status(), "transaction");
  }
  DeliveryOutcome out;
  if (!response->AllOk()) {
    out.reason = "the server answered the transaction with a failed entry";
    return out;
  }
  out.kind = Kind::kDelivered;
  out.patient_id = input.patient_id;
  for (const auto& e : (*bundle)["entry"]) out.tasks += e["resource"]["resourceType"] == "Task" ? 1 : 0;
  out.reason = "delivered";
  return out;
}

// The literal path: the Patient's id is known; read the Tasks (unless
// nothing was ever sent) and post the transaction.
DeliveryOutcome DeliverToPatient(fhir::FhirClient& client, mappings::PlanInput input,
                                 const std::string& patient_id,
                                 const mappings::FhirMappingOptions& options,
                                 const mappings::LeakGuard& guard, bool read_tasks) {
  input.patient_id = patient_id;
  if (read_tasks) {
    Status read = ReadExistingTasks(client, options, &input);
    if (!read.ok()) return FromStatus(read, "reading the plan's Tasks");
  }
  Status ignored;
  return SendPlan(client, input, options, guard, &ignored);
}

// Whether a refused transaction could be the conditional Patient reference's
// doing: servers answer 400 or 404 (no match), 412 (several), 409 or 422 (a
// reference they cannot process). Anything else says nothing about it.
bool MayBeThePatientReference(const Status& s) {
  if (s.code() != StatusCode::kPermanent) return false;
  const std::optional<int> http = fhir::HttpStatusOf(s);
  return http && (*http == 400 || *http == 404 || *http == 409 || *http == 412 || *http == 422);
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
                                const mappings::LeakGuard& guard, bool create_patient_if_missing,
                                PlanHistory history) {
  const bool read_tasks = history != PlanHistory::kNeverSent;
  const std::string nhs = input.ehr["subject"]["nhsNumber"].get<std::string>();
  DeliveryOutcome held;
  // Search first: the configured fallback for servers without conditional
  // references, and the profiles that may create a missing Patient (a
  // conditional reference cannot).
  if (options.patient_reference == mappings::FhirMappingOptions::PatientReferenceMode::kSearch ||
      create_patient_if_missing) {
    auto patient = FindPatient(client, options, nhs, create_patient_if_missing, &held);
    if (!patient.ok()) return FromStatus(patient.status(), "patient search");
    if (patient->empty()) return held;
    return DeliverToPatient(client, std::move(input), *patient, options, guard, read_tasks);
  }

  // The common case: one transaction; the server resolves the patient by
  // NHS number and fails it all unless exactly one matches.
  input.patient_id.clear();
  if (read_tasks) {
    Status read = ReadExistingTasks(client, options, &input);
    if (!read.ok()) return FromStatus(read, "reading the plan's Tasks");
  }
  Status refused;
  DeliveryOutcome out = SendPlan(client, input, options, guard, &refused);
  if (refused.ok() || !MayBeThePatientReference(refused)) return out;

  // Refused in a way the reference could explain: the search says why.
  auto patient = FindPatient(client, options, nhs, /*create_if_missing=*/false, &held);
  if (!patient.ok()) return FromStatus(patient.status(), "patient search");
  if (patient->empty()) return held;
  // Exactly one patient: the server may not resolve conditional references,
  // or something else failed. Send again with the literal reference (and a
  // fresh Task read: the refused request was sent) and report that result.
  out = DeliverToPatient(client, std::move(input), *patient, options, guard, /*read_tasks=*/true);
  if (out.kind == Kind::kDelivered) {
    out.reason =
        "delivered with the literal patient reference after the EHR refused the conditional one"
        " (fhir.patientReference \"search\" avoids the extra requests)";
  }
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
