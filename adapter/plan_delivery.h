// Delivering one case plan to the EHR: find the patient by NHS number
// (exactly one match, never guessed), build the idempotent transaction Bundle
// (mappings/fhir_plan), post it, and say what happened in terms the outbox
// acts on: delivered, held for a person, retry later, or failed for good.
#ifndef SA_ADAPTER_PLAN_DELIVERY_H_
#define SA_ADAPTER_PLAN_DELIVERY_H_

#include <string>
#include <vector>

#include "fhir/client.h"
#include "mappings/fhir_plan.h"
#include "mappings/leak_guard.h"
#include "mappings/separation.h"
#include "mappings/session.h"

namespace sa::adapter {

struct DeliveryOutcome {
  enum class Kind {
    kDelivered,   // the transaction committed
    kHeld,        // needs a person: patient not found or ambiguous, leak guard
    kRetryLater,  // transient (network, 429, 5xx): the outbox retries
    kFailed,      // permanent rejection (4xx): dead letter with the reason
  };
  Kind kind = Kind::kFailed;
  std::string reason;      // for operators; never holds confidential text
  std::string patient_id;  // when found
  int tasks = 0;           // Tasks written (including cancellations)
};

// Short name of an outcome kind: delivered, held, retry, failed.
const char* OutcomeName(DeliveryOutcome::Kind kind);

// Delivers one case plan. `input.patient_id` is filled here from the EHR.
// `create_patient_if_missing` comes from the profile (default false).
DeliveryOutcome DeliverCasePlan(fhir::FhirClient& client, mappings::PlanInput input,
                                const mappings::FhirMappingOptions& options,
                                const mappings::LeakGuard& guard, bool create_patient_if_missing);

// One PlanInput per case of a separated session that has actions to send.
std::vector<mappings::PlanInput> PlanInputs(const mappings::Session& session,
                                            const mappings::Separation& separation, int version,
                                            const std::string& recorded);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_PLAN_DELIVERY_H_
