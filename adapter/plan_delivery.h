// Delivering one case plan to the EHR: build the idempotent transaction
// Bundle (mappings/fhir_plan), post it, and say what happened in terms the
// outbox acts on: delivered, held for a person, retry later, or failed for
// good.
//
// The patient is matched by NHS number, exactly one match, never guessed. By
// default the Bundle carries a conditional reference the server resolves
// inside the transaction, so the common case is ONE request; only when that
// transaction fails in a way the reference could explain does delivery search
// for the patient to say why (held) or to send again with the literal
// reference (docs/fhir-mapping.md, step 1).
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
  std::string patient_id;  // when the adapter looked the patient up itself
  int tasks = 0;           // Tasks written (including cancellations)
};

// What the caller knows of earlier requests for this plan. Only a plan none
// of whose requests was ever sent can skip reading its Tasks back: the Task
// identifiers are deterministic and only the adapter writes them, so the EHR
// cannot hold any yet, nor a status a clinician set on one.
enum class PlanHistory {
  kMaybeSent,  // a request may have been sent (a re-lease, a new version…): read
  kNeverSent,  // no request for this plan was ever sent: no read
};

// Short name of an outcome kind: delivered, held, retry, failed.
const char* OutcomeName(DeliveryOutcome::Kind kind);

// Delivers one case plan; `input.patient_id` is ignored and set here.
//   - options.patient_reference kConditional (default): one transaction with
//     a conditional Patient reference. If it fails with 400, 404, 409, 412 or
//     422, the patient search classifies: none or several → held; exactly one
//     → sent again with the literal reference (search, Task read,
//     transaction) in this call. 5xx, 429 and network errors → retry later,
//     with no search.
//   - kSearch, or `create_patient_if_missing` (the profile's setting): search
//     first (creating a minimal Patient when allowed), then the transaction
//     with the literal reference.
// The plan's Tasks are read first (EhrOwnedStatus keeps what clinicians set)
// unless `history` is kNeverSent.
DeliveryOutcome DeliverCasePlan(fhir::FhirClient& client, mappings::PlanInput input,
                                const mappings::FhirMappingOptions& options,
                                const mappings::LeakGuard& guard, bool create_patient_if_missing,
                                PlanHistory history = PlanHistory::kMaybeSent);

// One PlanInput per case of a separated session that has actions to send.
std::vector<mappings::PlanInput> PlanInputs(const mappings::Session& session,
                                            const mappings::Separation& separation, int version,
                                            const std::string& recorded);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_PLAN_DELIVERY_H_
