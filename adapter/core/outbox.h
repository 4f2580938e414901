// The outbox worker: delivers the FHIR writes intake queued, exactly once in
// effect. Rows are leased with an expiry (PostgreSQL: SELECT … FOR UPDATE
// SKIP LOCKED), so a crashed worker's rows return to the pool and several
// instances share one outbox; a plan's later version never overtakes an
// earlier one; failures back off with full jitter; after max attempts or max
// age a row becomes a dead letter with its reason. A failing row never blocks
// other plans. Re-delivery after a crash is safe: every write is conditional
// on a business identifier.
//
// Each pass takes one pooled connection, leases a batch in one short
// transaction, delivers the batch's plans with up to `concurrency` in flight
// (a batch never holds two versions of one plan: the lease query leaves a
// version out while an earlier one is pending), then records every outcome in
// ONE transaction: one durable commit per batch, not per plan. RunUntilIdle
// leases the next batch in that same transaction. A crash or a failed commit
// before it leaves the whole batch leased; it is delivered again once the
// leases expire, which changes nothing in the EHR.
#ifndef SA_ADAPTER_CORE_OUTBOX_H_
#define SA_ADAPTER_CORE_OUTBOX_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapter/core/outbox_options.h"
#include "adapter/core/task_slots.h"
#include "adapter/store/db.h"
#include "fhir/client.h"
#include "fhir/clock.h"
#include "mappings/catalog.h"
#include "mappings/fhir_plan.h"

namespace sa::adapter {

struct PassStats {
  int leased = 0, delivered = 0, retried = 0, held = 0, dead = 0;
  PassStats& operator+=(const PassStats& o);
};

class OutboxWorker {
 public:
  // None owned; all must outlive the worker.
  OutboxWorker(store::Database* db, fhir::FhirClient* client, const mappings::FhirMappingOptions* mapping,
               const mappings::Catalog* catalog, OutboxOptions options, fhir::Clock* clock = nullptr);

  // Leases the due rows (one batch), delivers them, records their outcomes
  // in one transaction.
  StatusOr<PassStats> RunOnce();
  // Repeats RunOnce, waiting out backoffs, until no row is pending.
  StatusOr<PassStats> RunUntilIdle();

 private:
  struct Leased {
    int64_t id;
    int64_t attempts;
    int64_t created_at;
    std::string payload;
    int64_t earlier_leases;  // times the row was leased before this lease
  };
  struct Outcome {
    int kind;  // DeliveryOutcome::Kind
    std::string reason;
  };
  // Claims up to `batch` due rows for this worker, in one transaction.
  StatusOr<std::vector<Leased>> Lease(store::DbSession& session);
  // The same inside the caller's open transaction.
  StatusOr<std::vector<Leased>> LeaseIn(store::DbSession& session, int64_t now);
  // A batch being delivered: its rows, their outcomes (in row order, each
  // written by the slot that delivered it) and the group to wait on.
  struct InFlight {
    std::vector<Leased> rows;
    std::vector<Outcome> outcomes;
    std::shared_ptr<TaskSlots::Group> group;
  };
  // Queues every row of `rows` on `slots` (up to `concurrency` plans at
  // once); null for no rows.
  std::shared_ptr<InFlight> Start(TaskSlots& slots, std::vector<Leased> rows);
  // Delivers one row. A row leased for the first time whose payload says no
  // earlier version of its plan was ever queued is delivered as
  // PlanHistory::kNeverSent (no Task read); any other row reads.
  Outcome DeliverOne(const Leased& row);
  // Records every outcome of a batch in one transaction and, with
  // `lease_next`, leases the next batch in it too (returned); dead-letter
  // audit entries come last, as audit::Append asks.
  StatusOr<std::vector<Leased>> Finish(store::DbSession& session, const std::vector<Leased>& rows,
                                       const std::vector<Outcome>& outcomes, bool lease_next,
                                       PassStats* stats);
  // The UPDATE for one outcome; `dead` is set when the row became a dead letter.
  Status Record(store::DbSession& session, const Leased& row, const Outcome& outcome, int64_t now,
                PassStats* stats, bool* dead);
  int64_t NowMs();

  store::Database* db_;
  fhir::FhirClient* client_;
  const mappings::FhirMappingOptions* mapping_;
  const mappings::Catalog* catalog_;
  OutboxOptions options_;
  fhir::Clock* clock_;
};

// A generated lease owner name: host, pid and a random suffix.
std::string DefaultWorkerName();

// Operator commands (contract: `outbox list|retry|discard`), each audited.
StatusOr<nlohmann::json> ListOutbox(store::Database& db, const std::string& state_filter = "");
StatusOr<int> RetryOutbox(store::Database& db, const std::string& actor, std::optional<int64_t> id, bool all_dead);
Status DiscardOutbox(store::Database& db, const std::string& actor, int64_t id, const std::string& reason);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_OUTBOX_H_
