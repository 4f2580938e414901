// Plan -> FHIR: one transaction Bundle per case plan (CarePlan + one Task per
// action + a Provenance), written idempotently.
//
// Every write is a conditional update on a business identifier derived from
// organisation + sessionId + caseRef (CarePlan) or + action id (Task), so a
// replayed Bundle, a crash-and-retry or a second adapter instance never makes
// a duplicate. Provenance has no identifier in R4: it is a conditional create
// keyed by a meta.tag naming the plan version. The mapper reads only the
// case's EHR home (the separation engine's output); it never sees the
// discussion. The leak guard checks the finished Bundle before it is returned.
#ifndef SA_MAPPINGS_FHIR_PLAN_H_
#define SA_MAPPINGS_FHIR_PLAN_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fhir/resource.h"
#include "fhir/status.h"
#include "mappings/leak_guard.h"
#include "mappings/session.h"

namespace sa::mappings {

// Code systems, identifier systems and profiles: integrator settings with
// working defaults (docs/fhir-mapping.md). Nothing here is per organisation
// code; organisations differ only in these values.
struct FhirMappingOptions {
  std::string nhs_number_system = "https://fhir.nhs.uk/Id/nhs-number";
  std::string care_plan_identifier_system = "https://supervision-adapter.local/Id/care-plan";
  std::string task_identifier_system = "https://supervision-adapter.local/Id/task";
  std::string staff_identifier_system = "https://supervision-adapter.local/Id/staff";
  std::string provenance_tag_system = "https://supervision-adapter.local/CodeSystem/plan-version";
  fhir::Coding category = {"https://supervision-adapter.local/CodeSystem/care-plan-category",
                           "safeguarding-supervision-action-plan",
                           "Safeguarding supervision action plan"};
  // Added when the child is on a child protection plan (RCGP safeguarding code list).
  fhir::Coding child_protection = {"http://snomed.info/sct", "342191000000101",
                                   "Subject to child protection plan"};
  std::string title = "Safeguarding supervision action plan";  // fixed, never case content
  std::string adapter_device_name = "supervision-adapter";
  // UK Core (or local) profiles; empty = none set.
  std::string care_plan_profile, task_profile;
  // How delivery finds the Patient (configuration: fhir.patientReference).
  // kConditional: no search; the transaction refers to the Patient by a
  // conditional reference the server resolves (PlanInput::patient_id empty).
  // kSearch: search by NHS number first and send the literal reference, for
  // servers that do not resolve conditional references.
  enum class PatientReferenceMode { kConditional, kSearch };
  PatientReferenceMode patient_reference = PatientReferenceMode::kConditional;
};

// Everything the mapper needs about one case plan. `ehr` is CasePlan::ehr.
struct PlanInput {
  std::string organisation, session_id;
  int version = 1;              // the session version this plan comes from
  std::string created;          // RFC 3339: when the session was held
  std::string recorded;         // RFC 3339: when this version was accepted
  Staff supervisor;             // the CarePlan's author
  nlohmann::json ehr;           // the case's EHR home (caseRef, subject, actions)
  // The EHR's Patient id, found by NHS number: CarePlan.subject and Task.for
  // are the literal reference "Patient/<id>". Empty: they are the conditional
  // reference "Patient?identifier=<nhs system>|<number>" (PatientConditionalReference),
  // which the server resolves inside the transaction, failing the whole
  // transaction unless exactly one Patient matches (FHIR R4 http.html,
  // "Conditional References"). The NHS number is beside it either way.
  std::string patient_id;
  // Actions sent by an earlier version and absent now: their Tasks are cancelled.
  nlohmann::json removed_actions = nlohmann::json::array();
  bool revoke = false;          // the session was cancelled after delivery
  // What the EHR holds now for this plan's Tasks, by Task identifier value:
  // {"status": …, "businessStatus": {…}}. Work clinicians record in the EHR
  // is theirs: a re-delivery keeps a status that has moved on from
  // "requested" (see EhrOwnedStatus).
  nlohmann::json existing_tasks = nlohmann::json::object();
};

// The status a re-delivered Task must carry, given what the EHR holds now.
// Terminal statuses (completed, cancelled, failed, rejected,
// entered-in-error) are never overwritten; other statuses a clinician set
// (accepted, in-progress, on-hold, …) are kept unless the adapter cancels
// the Task (action removed or session cancelled). nullopt: use the adapter's.
std::optional<std::string> EhrOwnedStatus(const std::string& current, bool adapter_cancels);

// The business identifiers of a plan and its Tasks.
fhir::Identifier CarePlanIdentifier(const FhirMappingOptions& o, const std::string& organisation,
                                    const std::string& session_id, const std::string& case_ref);
fhir::Identifier TaskIdentifier(const FhirMappingOptions& o, const std::string& organisation,
                                const std::string& session_id, const std::string& action_id);

// Builds the transaction Bundle for one case plan, then runs `guard` over
// all of it: PermissionDenied (naming the confidential field) if any
// confidential text would leave. InvalidArgument for a non-empty
// `input.patient_id` that is not a FHIR id.
StatusOr<nlohmann::json> BuildPlanBundle(const PlanInput& input, const FhirMappingOptions& options,
                                         const LeakGuard& guard);

// The search that finds the patient: "identifier=<nhs system>|<number>".
std::string PatientQuery(const FhirMappingOptions& options, const std::string& nhs_number);

// The same search as a conditional reference, "Patient?identifier=…" (system
// and number search-escaped and percent-encoded, as in PatientQuery), for a
// transaction to resolve the patient itself.
std::string PatientConditionalReference(const FhirMappingOptions& options,
                                        const std::string& nhs_number);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_FHIR_PLAN_H_
