#include "adapter/core/outbox.h"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <random>

#include "adapter/audit/audit_log.h"
#include "adapter/plan_delivery.h"

namespace sa::adapter {

using nlohmann::json;
using Kind = DeliveryOutcome::Kind;

namespace {

// The plan input of an outbox payload (IntakeService's PlanPayload), and
// whether no earlier version of the plan was ever queued ("firstQueued";
// absent in rows queued before it existed: false).
StatusOr<mappings::PlanInput> PlanFromPayload(const std::string& text, bool* first_queued) {
  json p = json::parse(text, nullptr, false);
  if (!p.is_object() || !p.contains("ehr")) return Status::Internal("outbox payload is not a plan");
  *first_queued = p.value("firstQueued", false);
  mappings::PlanInput in;
  in.organisation = p.value("organisation", "");
  in.session_id = p.value("sessionId", "");
  in.version = p.value("version", 1);
  in.created = p.value("created", "");
  in.recorded = p.value("recorded", "");
  in.supervisor.id = p["supervisor"].value("id", "");
  in.supervisor.name = p["supervisor"].value("name", "");
  in.supervisor.role = p["supervisor"].value("role", "");
  in.ehr = p["ehr"];
  in.removed_actions = p.value("removedActions", json::array());
  in.revoke = p.value("revoke", false);
  return in;
}

std::string Truncate(const std::string& s) { return s.size() > 500 ? s.substr(0, 500) + "…" : s; }

}  // namespace

PassStats& PassStats::operator+=(const PassStats& o) {
  leased += o.leased;
  delivered += o.delivered;
  retried += o.retried;
  held += o.held;
  dead += o.dead;
  return *this;
}

std::string DefaultWorkerName() {
  char host[128] = "host";
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 100000);
}

OutboxWorker::OutboxWorker(store::Database* db, fhir::FhirClient* client, const mappings::FhirMappingOptions* mapping,
                           const mappings::Catalog* catalog, OutboxOptions options, fhir::Clock* clock)
    : db_(db), client_(client), mapping_(mapping), catalog_(catalog), options_(std::move(options)),
      clock_(clock ? clock : fhir::RealClock()) {
  if (options_.owner.empty()) options_.owner = DefaultWorkerName();
}

int64_t OutboxWorker::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_->Now().time_since_epoch()).count();
}

StatusOr<std::vector<OutboxWorker::Leased>> OutboxWorker::LeaseIn(store::DbSession& session, int64_t now) {
  // Due, not leased by a live worker, and no earlier version of the same
  // plan still pending (per-plan order). Ordered as the index outbox_lease_order
  // (schema.cc, migration 3) runs, so the query stops after a batch instead of
  // sorting the whole backlog.
  std::string sql =
      "SELECT id, attempts, created_at, payload, leases FROM outbox o WHERE o.state = 'pending'"
      " AND o.next_attempt_at <= ? AND (o.lease_expires_at IS NULL OR o.lease_expires_at < ?)"
      " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.plan_key = o.plan_key AND p.seq < o.seq"
      " AND p.state = 'pending') ORDER BY o.next_attempt_at, o.id LIMIT ?";
  if (session.dialect() == store::Dialect::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
  SA_ASSIGN_OR_RETURN(auto due, session.Query(sql, {now, now, int64_t{options_.batch}}));
  std::vector<Leased> out;
  for (const auto& r : due) {
    Leased l{0, 0, 0, "", 0};
    SA_ASSIGN_OR_RETURN(l.id, store::AsInt(r[0]));
    SA_ASSIGN_OR_RETURN(l.attempts, store::AsInt(r[1]));
    SA_ASSIGN_OR_RETURN(l.created_at, store::AsInt(r[2]));
    SA_ASSIGN_OR_RETURN(l.payload, store::AsText(r[3]));
    SA_ASSIGN_OR_RETURN(l.earlier_leases, store::AsInt(r[4]));
    // Compare-and-set: only one worker wins a row even without row locks, and
    // the count it read is the count before its own lease (schema.cc,
    // migration 5).
    SA_ASSIGN_OR_RETURN(
        int64_t n,
        session.Exec("UPDATE outbox SET lease_owner = ?, lease_expires_at = ?,"
                     " leases = leases + 1 WHERE id = ? AND state = 'pending' AND"
                     " (lease_expires_at IS NULL OR lease_expires_at < ?) AND leases = ?",
                     {options_.owner, now + options_.lease.count(), l.id, now, l.earlier_leases}));
    if (n == 1) out.push_back(std::move(l));
  }
  return out;
}

StatusOr<std::vector<OutboxWorker::Leased>> OutboxWorker::Lease(store::DbSession& session) {
  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_ASSIGN_OR_RETURN(std::vector<Leased> out, LeaseIn(session, NowMs()));
  SA_RETURN_IF_ERROR(tx.Commit());
  return out;
}

OutboxWorker::Outcome OutboxWorker::DeliverOne(const Leased& row) {
  bool first_queued = false;
  auto in = PlanFromPayload(row.payload, &first_queued);
  if (!in.ok()) return {static_cast<int>(Kind::kFailed), in.status().message()};
  const mappings::Profile* profile = catalog_->FindProfile(in->organisation);
  // A delivery only follows a committed lease, so a row never leased before
  // has had no request sent; if no earlier version of its plan was ever
  // queued either, nothing of the plan can be in the EHR yet.
  const PlanHistory history =
      first_queued && row.earlier_leases == 0 ? PlanHistory::kNeverSent : PlanHistory::kMaybeSent;
  // The full Bundle passed the leak guard at intake (with the patient
  // still unknown); only the patient reference and urn:uuids differ now.
  DeliveryOutcome outcome = DeliverCasePlan(*client_, *in, *mapping_, mappings::LeakGuard({}),
                                            profile && profile->create_patient_if_missing, history);
  return {static_cast<int>(outcome.kind), outcome.reason};
}

std::shared_ptr<OutboxWorker::InFlight> OutboxWorker::Start(TaskSlots& slots, std::vector<Leased> rows) {
  if (rows.empty()) return nullptr;
  auto batch = std::make_shared<InFlight>();
  batch->rows = std::move(rows);
  batch->outcomes.resize(batch->rows.size());
  std::vector<std::function<void()>> tasks;
  tasks.reserve(batch->rows.size());
  for (std::size_t i = 0; i < batch->rows.size(); ++i) {
    // The task keeps its batch alive: a worker stopping on an error drops
    // the batch while a slot may still be delivering one of its plans.
    tasks.push_back([this, batch, i] { batch->outcomes[i] = DeliverOne(batch->rows[i]); });
  }
  batch->group = slots.Submit(std::move(tasks));
  return batch;
}

Status OutboxWorker::Record(store::DbSession& session, const Leased& row, const Outcome& outcome, int64_t now,
                            PassStats* stats, bool* dead_letter) {
  const Kind kind = static_cast<Kind>(outcome.kind);
  const std::string& reason = outcome.reason;
  const std::string& owner = options_.owner;
  int64_t changed = 0;
  *dead_letter = false;
  // changed == 0 below: our lease expired and another worker took the row;
  // its outcome stands (the writes are idempotent either way).
  if (kind == Kind::kDelivered) {
    SA_ASSIGN_OR_RETURN(changed, session.Exec("UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts ="
                                              " attempts + 1, lease_owner = NULL, lease_expires_at = NULL,"
                                              " last_error = NULL WHERE id = ? AND lease_owner = ?",
                                              {now, row.id, owner}));
    stats->delivered += changed ? 1 : 0;
  } else if (kind == Kind::kHeld) {
    SA_ASSIGN_OR_RETURN(changed, session.Exec("UPDATE outbox SET state = 'held', lease_owner = NULL,"
                                              " lease_expires_at = NULL, last_error = ? WHERE id = ? AND lease_owner = ?",
                                              {Truncate(reason), row.id, owner}));
    stats->held += changed ? 1 : 0;
  } else {
    const int64_t attempts = row.attempts + 1;
    const bool too_old = now - row.created_at > options_.max_age.count();
    const bool dead = kind == Kind::kFailed || attempts >= options_.max_attempts || too_old;
    if (dead) {
      std::string why = kind == Kind::kFailed ? "permanent: " : (too_old ? "too old: " : "attempts exhausted: ");
      SA_ASSIGN_OR_RETURN(changed, session.Exec("UPDATE outbox SET state = 'dead', attempts = ?, lease_owner = NULL,"
                                                " lease_expires_at = NULL, last_error = ? WHERE id = ? AND lease_owner = ?",
                                                {attempts, Truncate(why + reason), row.id, owner}));
      if (changed) {
        ++stats->dead;
        *dead_letter = true;
      }
    } else {
      // Full jitter: uniform in [0, min(cap, base * 2^attempts)].
      int64_t ceiling = std::min<int64_t>(options_.backoff_cap.count(),
                                          options_.backoff_base.count() << std::min<int64_t>(attempts - 1, 30));
      static thread_local std::mt19937_64 rng(std::random_device{}());
      int64_t wait = std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 0))(rng);
      SA_ASSIGN_OR_RETURN(changed, session.Exec("UPDATE outbox SET attempts = ?, next_attempt_at = ?, lease_owner ="
                                                " NULL, lease_expires_at = NULL, last_error = ? WHERE id = ? AND"
                                                " lease_owner = ?",
                                                {attempts, now + wait, Truncate(reason), row.id, owner}));
      stats->retried += changed ? 1 : 0;
    }
  }
  return Status::Ok();
}

StatusOr<std::vector<OutboxWorker::Leased>> OutboxWorker::Finish(store::DbSession& session,
                                                                  const std::vector<Leased>& rows,
                                                                  const std::vector<Outcome>& outcomes,
                                                                  bool lease_next, PassStats* stats) {
  store::Transaction tx(session);
  SA_RETURN_IF_ERROR(tx.Begin());
  const int64_t now = NowMs();
  std::vector<std::size_t> dead;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    bool dead_letter = false;
    SA_RETURN_IF_ERROR(Record(session, rows[i], outcomes[i], now, stats, &dead_letter));
    if (dead_letter) dead.push_back(i);
  }
  // The next batch sees these outcomes: a plan's next version is leased in
  // the very transaction that records its previous one as done.
  std::vector<Leased> next;
  if (lease_next) {
    SA_ASSIGN_OR_RETURN(next, LeaseIn(session, now));
  }
  // Last before the commit: on PostgreSQL each append holds the audit lock
  // until the transaction ends (audit_log.h).
  for (std::size_t i : dead) {
    const bool permanent = static_cast<Kind>(outcomes[i].kind) == Kind::kFailed;
    SA_RETURN_IF_ERROR(audit::Append(session, {"adapter", "outbox-dead-letter", "outbox/" + std::to_string(rows[i].id),
                                               "error", permanent ? "permanent" : "exhausted"},
                                     audit::NowRfc3339())
                           .status());
  }
  SA_RETURN_IF_ERROR(tx.Commit());
  return next;
}

StatusOr<PassStats> OutboxWorker::RunOnce() {
  PassStats stats;
  // One connection for the whole pass (pooled by the store); it is idle, in
  // no transaction, while the plans are delivered.
  SA_ASSIGN_OR_RETURN(auto session, db_->Connect());
  SA_ASSIGN_OR_RETURN(std::vector<Leased> rows, Lease(*session));
  stats.leased = static_cast<int>(rows.size());
  if (rows.empty()) return stats;
  TaskSlots slots(std::min(std::max(options_.concurrency, 1), static_cast<int>(rows.size())));
  std::shared_ptr<InFlight> batch = Start(slots, std::move(rows));
  batch->group->Wait();
  SA_RETURN_IF_ERROR(Finish(*session, batch->rows, batch->outcomes, /*lease_next=*/false, &stats).status());
  return stats;
}

StatusOr<PassStats> OutboxWorker::RunUntilIdle() {
  PassStats total;
  // Declared first, destroyed last: on an early return it drops the batches
  // not yet started and waits for the plans being delivered.
  TaskSlots slots(options_.concurrency);
  while (true) {
    int64_t wait = 0;
    {
      SA_ASSIGN_OR_RETURN(auto session, db_->Connect());
      // Two batches in flight: while the slots deliver one, the other's
      // outcomes are recorded, and the batch after it leased, in one commit;
      // the slots go straight on to the next batch instead of waiting for
      // that commit (task_slots.h). Per-plan order holds: a later version is
      // never leased while an earlier one is pending (LeaseIn), and a leased
      // row stays pending until its outcome is recorded. Stopping in
      // between (an error, a crash) leaves the leased rows to their expiry,
      // as a crash mid-delivery does.
      std::deque<std::shared_ptr<InFlight>> flight;
      SA_ASSIGN_OR_RETURN(std::vector<Leased> rows, Lease(*session));
      // A full batch says more may be due: start it and lease the next one
      // now. A short one took everything due; the commit recording it looks
      // again.
      if (static_cast<int>(rows.size()) >= options_.batch) {
        total.leased += static_cast<int>(rows.size());
        flight.push_back(Start(slots, std::move(rows)));
        SA_ASSIGN_OR_RETURN(rows, Lease(*session));
      }
      while (true) {
        if (!rows.empty()) {
          total.leased += static_cast<int>(rows.size());
          flight.push_back(Start(slots, std::move(rows)));
          rows.clear();
        }
        if (flight.empty()) break;
        std::shared_ptr<InFlight> done = std::move(flight.front());
        flight.pop_front();
        done->group->Wait();
        SA_ASSIGN_OR_RETURN(rows, Finish(*session, done->rows, done->outcomes, /*lease_next=*/true, &total));
      }
      SA_ASSIGN_OR_RETURN(auto pending, session->Query("SELECT CAST(COUNT(*) AS BIGINT), CAST(MIN(next_attempt_at) AS"
                                                       " BIGINT) FROM outbox WHERE state = 'pending'"));
      SA_ASSIGN_OR_RETURN(int64_t count, store::AsInt(pending[0][0]));
      if (count == 0) return total;
      SA_ASSIGN_OR_RETURN(auto next, store::AsOptionalInt(pending[0][1]));
      wait = next ? *next - NowMs() : 100;
    }  // the connection goes back to the pool while this worker waits
    clock_->SleepFor(std::chrono::milliseconds(std::clamp<int64_t>(wait, 20, 1000)));
  }
}

StatusOr<json> ListOutbox(store::Database& db, const std::string& state_filter) {
  SA_ASSIGN_OR_RETURN(auto session, db.Connect());
  std::string sql = "SELECT id, plan_key, seq, state, attempts, next_attempt_at, last_error, leases,"
                    " lease_owner, lease_expires_at FROM outbox";
  std::vector<store::Value> params;
  if (!state_filter.empty()) {
    sql += " WHERE state = ?";
    params.push_back(state_filter);
  }
  SA_ASSIGN_OR_RETURN(auto rows, session->Query(sql + " ORDER BY id", params));
  json out = json::array();
  for (const auto& r : rows) {
    SA_ASSIGN_OR_RETURN(int64_t id, store::AsInt(r[0]));
    SA_ASSIGN_OR_RETURN(std::string key, store::AsText(r[1]));
    SA_ASSIGN_OR_RETURN(int64_t seq, store::AsInt(r[2]));
    SA_ASSIGN_OR_RETURN(std::string state, store::AsText(r[3]));
    SA_ASSIGN_OR_RETURN(int64_t attempts, store::AsInt(r[4]));
    SA_ASSIGN_OR_RETURN(int64_t next, store::AsInt(r[5]));
    SA_ASSIGN_OR_RETURN(auto err, store::AsOptionalText(r[6]));
    SA_ASSIGN_OR_RETURN(int64_t leases, store::AsInt(r[7]));
    SA_ASSIGN_OR_RETURN(auto owner, store::AsOptionalText(r[8]));
    SA_ASSIGN_OR_RETURN(auto expires, store::AsOptionalInt(r[9]));
    // A lease shows who holds the row and until when (an expired one is
    // left in place until the next lease or outcome overwrites it).
    out.push_back({{"id", id}, {"plan", key}, {"version", seq}, {"state", state}, {"attempts", attempts},
                   {"nextAttemptAtMs", next}, {"lastError", err ? json(*err) : json()}, {"leases", leases},
                   {"leaseOwner", owner ? json(*owner) : json()},
                   {"leaseExpiresAtMs", expires ? json(*expires) : json()}});
  }
  return out;
}

StatusOr<int> RetryOutbox(store::Database& db, const std::string& actor, std::optional<int64_t> id, bool all_dead) {
  SA_ASSIGN_OR_RETURN(auto session, db.Connect());
  store::Transaction tx(*session);
  SA_RETURN_IF_ERROR(tx.Begin());
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  int64_t n = 0;
  // A version superseded by a later one of the same plan is never sent again:
  // it would overwrite the newer plan in the EHR.
  constexpr const char* kNotSuperseded =
      " AND NOT EXISTS (SELECT 1 FROM outbox later WHERE later.plan_key = outbox.plan_key"
      " AND later.seq > outbox.seq)";
  if (all_dead) {
    SA_ASSIGN_OR_RETURN(n, session->Exec(std::string("UPDATE outbox SET state = 'pending', attempts = 0,"
                                                     " next_attempt_at = ?, created_at = ? WHERE state = 'dead'") +
                                             kNotSuperseded,
                                         {now, now}));
  } else if (id) {
    SA_ASSIGN_OR_RETURN(auto superseded,
                        session->Query(std::string("SELECT id FROM outbox WHERE id = ? AND state IN ('dead', 'held')"
                                                   " AND NOT (1 = 1") + kNotSuperseded + ")",
                                       {*id}));
    if (!superseded.empty()) {
      return Status::FailedPrecondition("outbox row " + std::to_string(*id) +
                                        " is superseded by a later version of its plan; retry that one instead");
    }
    SA_ASSIGN_OR_RETURN(n, session->Exec("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?,"
                                         " created_at = ? WHERE id = ? AND state IN ('dead', 'held')",
                                         {now, now, *id}));
    if (n == 0) return Status::NotFound("outbox row " + std::to_string(*id) + " is not dead or held");
  }
  SA_RETURN_IF_ERROR(audit::Append(*session, {actor, "outbox-retry", all_dead ? "outbox/all-dead" : "outbox/" + std::to_string(*id),
                                              "ok", std::to_string(n) + " row(s)"},
                                   audit::NowRfc3339())
                         .status());
  SA_RETURN_IF_ERROR(tx.Commit());
  return static_cast<int>(n);
}

Status DiscardOutbox(store::Database& db, const std::string& actor, int64_t id, const std::string& reason) {
  if (reason.empty()) return Status::InvalidArgument("--reason is required");
  SA_ASSIGN_OR_RETURN(auto session, db.Connect());
  store::Transaction tx(*session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_ASSIGN_OR_RETURN(int64_t n, session->Exec("UPDATE outbox SET state = 'discarded', last_error = ?, lease_owner ="
                                               " NULL WHERE id = ? AND state <> 'delivered'",
                                               {"discarded: " + reason.substr(0, 200), id}));
  if (n == 0) return Status::NotFound("outbox row " + std::to_string(id) + " does not exist or was delivered");
  SA_RETURN_IF_ERROR(audit::Append(*session, {actor, "outbox-discard", "outbox/" + std::to_string(id), "ok", "operator"},
                                   audit::NowRfc3339())
                         .status());
  return tx.Commit();
}

}  // namespace sa::adapter
