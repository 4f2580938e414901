// Delivery benchmark: Bundles/s of the outbox worker delivering queued plans
// to a null FHIR endpoint on loopback (tests/bench/null_fhir_server.h), beside
//   (a) the limit: POSTing the same pre-built Bundle bytes to that endpoint
//       through the same transport (fhir::HttpTransport over cpprest) at the
//       same concurrency (requests in flight), nothing else;
//   (b) a naive client: per plan, the patient search, then one request per
//       resource (CarePlan, each Task, Provenance), sequentially, with as
//       many plans in flight as the adapter.
// The adapter figure is production's path: one OutboxWorker leasing batches
// from the SQLite outbox (WAL, synchronous=FULL), delivering each batch's
// plans `--concurrency` at a time (OutboxOptions::concurrency), then one
// durable commit of the batch's outcomes. The plans are queued by
// IntakeService first (not timed), so each is a plan's first version on its
// first lease: ONE request per plan, the transaction with a conditional
// Patient reference (no patient search, no Task read). Between runs the rows
// are set back to pending with their lease count reset, emulating a fresh
// queue, so every round measures that first delivery. A diagnostic row runs
// the same rows again WITHOUT resetting the count (rows leased before: the
// re-delivery path, which reads the plan's Tasks first: two requests).
//
// For reference the adapter and the raw POSTs also run against the bundled
// FHIR server (tests/fhir-server, the Medplum engine in memory, which scans
// its store and serialises requests: there the server is the bottleneck).
//
//   delivery_bench [--plans=1000] [--concurrency=4] [--batch=16] [--actions=0]
//                  [--rounds=3] [--reference-plans=50] [--dir=/tmp]
// --actions=K gives every plan K actions (Tasks) instead of the example's 2;
// --reference-plans=0 skips the bundled-server run.
#include <algorithm>
#include <atomic>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapter/core/intake.h"
#include "adapter/core/outbox.h"
#include "adapter/ehr_connection.h"
#include "adapter/local_fhir_server.h"
#include "adapter/plan_delivery.h"
#include "adapter/store/migrations.h"
#include "adapter/store/poco_db.h"
#include "fhir/cpprest_transport.h"
#include "mappings/catalog.h"
#include "mappings/separation.h"
#include "mappings/session_parser.h"
#include "tests/bench/bench_util.h"
#include "tests/bench/db_diagnostics.h"
#include "tests/bench/null_fhir_server.h"

namespace sa::bench {
namespace {

using adapter::store::Database;

// Counts requests and the time spent inside the transport, so the adapter's
// time can be split into HTTP and everything else.
class TimingTransport : public fhir::HttpTransport {
 public:
  explicit TimingTransport(fhir::HttpTransport* inner) : inner_(inner) {}
  StatusOr<fhir::HttpResponse> Send(const fhir::HttpRequest& request) override {
    double t0 = Now();
    auto r = inner_->Send(request);
    nanos_ += static_cast<int64_t>((Now() - t0) * 1e9);
    ++requests_;
    return r;
  }
  double seconds() const { return static_cast<double>(nanos_.load()) / 1e9; }
  int64_t requests() const { return requests_.load(); }
  void Reset() {
    nanos_ = 0;
    requests_ = 0;
  }

 private:
  fhir::HttpTransport* inner_;
  std::atomic<int64_t> nanos_{0}, requests_{0};
};

adapter::FhirConfig Config(const std::string& base) {
  adapter::FhirConfig c;
  c.base_url = base;
  c.auth.method = "none";
  return c;
}

// The plans of `count` example sessions (ids "<prefix>-n"), built as the
// worker builds them from the outbox payload.
std::vector<mappings::PlanInput> PlanInputs(const mappings::Catalog& catalog, const std::string& prefix, int count,
                                            int actions) {
  std::vector<mappings::PlanInput> out;
  for (int i = 0; i < count; ++i) {
    std::string record = ExampleSession(prefix + "-" + std::to_string(i), actions).dump();
    mappings::SessionParse p = mappings::ParseSession(record, catalog);
    if (!p.ok) CheckOk(Status::Internal(p.errors.empty() ? "parse" : p.errors[0].ToString()), "parse example");
    auto sep = ValueOrDie(mappings::Separate(p.session, p.document, catalog), "separate");
    for (auto& in : adapter::PlanInputs(p.session, sep, 1, "2026-11-21T09:00:00Z")) out.push_back(std::move(in));
  }
  return out;
}

// Runs `body(i)` for i in [0, count) on `threads` threads; returns seconds.
template <typename F>
double Parallel(int threads, int count, F body) {
  std::atomic<int> next{0};
  double t0 = Now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) body(i);
    });
  }
  for (auto& th : pool) th.join();
  return Now() - t0;
}

// (a) The same Bundle bytes POSTed `count` times; returns Bundles/s.
double RawPosts(fhir::HttpTransport& transport, const std::string& base, const std::string& bytes, int threads,
                int count) {
  std::atomic<int> bad{0};
  double seconds = Parallel(threads, count, [&](int) {
    fhir::HttpRequest req;
    req.method = fhir::HttpMethod::kPost;
    req.url = base;
    req.headers.Set("Accept", fhir::kFhirJson);
    req.headers.Set("Content-Type", fhir::kFhirJson);
    req.body = bytes;
    auto r = transport.Send(req);
    if (!r.ok() || r->status != 200) ++bad;
  });
  if (bad) CheckOk(Status::Internal(std::to_string(bad.load()) + " raw POSTs failed"), "raw posting");
  return count / seconds;
}

// The outbox worker until the outbox is idle; returns Bundles/s.
double Adapter(Database& db, const std::string& base, fhir::HttpTransport& transport, const mappings::Catalog& catalog,
               int concurrency, int batch, int expected) {
  mappings::FhirMappingOptions mapping;
  auto ehr = ValueOrDie(adapter::EhrConnection::OpenWith(Config(base), &transport), "EHR connection");
  adapter::OutboxOptions o;
  o.owner = "bench";
  o.concurrency = concurrency;
  o.batch = batch;
  adapter::OutboxWorker worker(&db, &ehr->client(), &mapping, &catalog, o);
  double t0 = Now();
  auto stats = ValueOrDie(worker.RunUntilIdle(), "worker");
  double seconds = Now() - t0;
  if (stats.delivered != expected || stats.held + stats.dead + stats.retried != 0) {
    CheckOk(Status::Internal("delivered " + std::to_string(stats.delivered) + " of " + std::to_string(expected) +
                             ", " + std::to_string(stats.held + stats.dead + stats.retried) + " held/dead/retried"),
            "adapter delivery");
  }
  return expected / seconds;
}

// The adapter's delivery step alone (DeliverCasePlan as the outbox calls it
// for a plan's first delivery: one transaction with a conditional Patient
// reference) in a loop, without the outbox: a diagnostic that isolates what
// bundling saves over the naive client. Returns plans/s.
double DeliverOnly(fhir::FhirClient& client, const std::vector<mappings::PlanInput>& plans, int threads) {
  mappings::FhirMappingOptions mapping;
  mappings::LeakGuard guard({});
  std::atomic<int> failed{0};
  double seconds = Parallel(threads, static_cast<int>(plans.size()), [&](int i) {
    auto out = adapter::DeliverCasePlan(client, plans[i], mapping, guard, false,
                                        adapter::PlanHistory::kNeverSent);
    if (out.kind != adapter::DeliveryOutcome::Kind::kDelivered) ++failed;
  });
  if (failed) CheckOk(Status::Internal(std::to_string(failed.load()) + " plans not delivered"), "deliver only");
  return static_cast<double>(plans.size()) / seconds;
}

// (c) The naive client: patient search, then one request per resource.
// Returns Bundles/s (plans/s); `failures` counts plans with a failed request.
double Naive(fhir::FhirClient& client, const std::vector<mappings::PlanInput>& plans, int threads, int* failures) {
  mappings::FhirMappingOptions mapping;
  mappings::LeakGuard guard({});
  std::atomic<int> failed{0};
  double seconds = Parallel(threads, static_cast<int>(plans.size()), [&](int i) {
    mappings::PlanInput in = plans[i];
    const std::string nhs = in.ehr["subject"]["nhsNumber"].get<std::string>();
    auto found = client.Search("Patient", mappings::PatientQuery(mapping, nhs));
    if (!found.ok() || found->resources.size() != 1) return (void)++failed;
    in.patient_id = fhir::GetString(found->resources[0], "id");
    auto bundle = mappings::BuildPlanBundle(in, mapping, guard);
    if (!bundle.ok()) return (void)++failed;
    std::map<std::string, std::string> refs;  // urn:uuid -> Type/id, as writes return them
    for (const auto& e : (*bundle)["entry"]) {
      std::string body = e["resource"].dump();
      for (const auto& [urn, ref] : refs) {
        for (std::size_t at = body.find(urn); at != std::string::npos; at = body.find(urn, at + ref.size())) {
          body.replace(at, urn.size(), ref);
        }
      }
      const std::string method = e["request"]["method"];
      auto r = client.Execute(method == "PUT" ? fhir::HttpMethod::kPut : fhir::HttpMethod::kPost,
                              e["request"]["url"].get<std::string>(), body);
      if (!r.ok()) return (void)++failed;
      auto location = r->headers.Get("Location");
      if (!location) location = r->headers.Get("Content-Location");
      if (location) {
        if (auto loc = fhir::ParseLocation(*location); loc.ok() && e.contains("fullUrl")) {
          refs[e["fullUrl"].get<std::string>()] = loc->type + "/" + loc->id;
        }
      }
    }
  });
  *failures = failed.load();
  return static_cast<double>(plans.size()) / seconds;
}

// Queues `count` plans by intake into a fresh SQLite database at `path`.
void QueuePlans(const std::string& path, const std::string& dir, const mappings::Catalog& catalog,
                const std::string& prefix, int count, int actions) {
  auto db = ValueOrDie(adapter::store::OpenSqlite(path), "open sqlite");
  ValueOrDie(adapter::store::Migrate(*db), "migrate");
  auto vault = ValueOrDie(MakeVault(dir, *db), "vault");
  adapter::IntakeService svc(db.get(), &catalog, vault.get(), {});
  for (int i = 0; i < count; ++i) {
    auto r = ValueOrDie(svc.Intake(ExampleSession(prefix + "-" + std::to_string(i), actions).dump(), "bench"),
                        "intake");
    if (r.outbox_rows != 1) CheckOk(Status::Internal("no plan queued"), "intake");
  }
}

// Sets every row back to pending. `fresh`: also as never leased (leases =
// 0), emulating a freshly queued outbox so the next run measures the first
// delivery again; otherwise the rows keep their lease count and the next run
// takes the re-delivery path (the Task read first).
void Requeue(Database& db, bool fresh) {
  auto s = ValueOrDie(db.Connect(), "connect");
  CheckOk(
      s->Exec(std::string("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = 0,"
                          " delivered_at = NULL, lease_owner = NULL, lease_expires_at = NULL,"
                          " last_error = NULL") +
              (fresh ? ", leases = 0" : ""))
          .status(),
      "requeue");
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const int plans = static_cast<int>(flags.Int("plans", 1000));
  const int workers = static_cast<int>(flags.Int("concurrency", adapter::kDefaultDeliveryConcurrency));
  const int batch = static_cast<int>(flags.Int("batch", adapter::OutboxOptions().batch));
  const int actions = static_cast<int>(flags.Int("actions", 0));
  const int rounds = static_cast<int>(flags.Int("rounds", 3));
  const int reference = static_cast<int>(flags.Int("reference-plans", 50));
  const std::string dir = flags.Str("dir", "/tmp");
  flags.Check();

  // Before any thread exists in this process (see NullFhirServer::Fork).
  auto null_server = ValueOrDie(NullFhirServer::Fork(), "null FHIR server");
  const std::string base = null_server->base_url();

  std::cout << "# delivery benchmark\n" << MachineLine(dir) << "\n"
            << "plans per run " << plans << " (tests/data/valid-eput-sbar.json, one case, "
            << (actions > 0 ? std::to_string(actions) : std::string("2")) << " actions = "
            << (actions > 0 ? actions : 2) + 2 << " resources per Bundle), concurrency " << workers
            << " (plans or requests in flight), batch " << batch << ", rounds "
            << rounds << " (the round with the median adapter/raw ratio is reported)\n";
  auto catalog = ValueOrDie(mappings::Catalog::Load({}), "catalog");
  TempDir tmp(dir);
  const std::string path = tmp.path() + "/outbox.sqlite";
  double t0 = Now();
  QueuePlans(path, tmp.path(), *catalog, "D", plans, actions);
  std::cout << "queued " << plans << " plans by intake in " << Fixed(Now() - t0, 1) << " s (not timed)\n";
  auto reopen = [&]() { return ValueOrDie(adapter::store::OpenSqlite(path), "open sqlite"); };
  auto db = reopen();

  auto inner = ValueOrDie(fhir::MakeCpprestTransport(Config(base).transport), "transport");
  TimingTransport transport(inner.get());
  auto naive_ehr = ValueOrDie(adapter::EhrConnection::OpenWith(Config(base), &transport), "EHR connection");

  // One plan's Bundle, built as the worker builds it for a first delivery
  // (conditional Patient reference: no patient id), as bytes.
  std::vector<mappings::PlanInput> one = PlanInputs(*catalog, "B", 1, actions);
  const std::string bytes =
      ValueOrDie(mappings::BuildPlanBundle(one[0], mappings::FhirMappingOptions(), mappings::LeakGuard({})), "bundle")
          .dump();
  std::vector<mappings::PlanInput> naive_plans = PlanInputs(*catalog, "N", plans, actions);

  // Warm-up: connections open, caches filled (not reported).
  RawPosts(transport, base, bytes, workers, 50);

  DbTimes db_times;
  TimingDatabase timed_db(reopen(), &db_times);
  std::vector<double> statement_share, commit_share, connect_share;
  std::vector<double> deliver_only;
  std::vector<double> redelivery_rate, redelivery_requests_per_plan;
  std::vector<double> raw, adapter_rate, naive, adapter_http_share, adapter_requests_per_plan, naive_requests_per_plan;
  for (int round = 0; round < rounds; ++round) {
    transport.Reset();
    raw.push_back(RawPosts(transport, base, bytes, workers, plans));
    transport.Reset();
    db_times.Reset();
    double a = Adapter(timed_db, base, transport, *catalog, workers, batch, plans);
    adapter_rate.push_back(a);
    const double wall = plans / a;
    // HTTP: the share of the in-flight slots' time spent in requests; DB: the
    // share of wall time the pass thread spent in the store.
    adapter_http_share.push_back(transport.seconds() / (workers * wall));
    connect_share.push_back(DbTimes::Seconds(db_times.connect_ns) / wall);
    statement_share.push_back(DbTimes::Seconds(db_times.statement_ns) / wall);
    commit_share.push_back(DbTimes::Seconds(db_times.commit_ns) / wall);
    adapter_requests_per_plan.push_back(static_cast<double>(transport.requests()) / plans);
    const double commits_per_plan = static_cast<double>(db_times.commits.load()) / plans;
    Requeue(*db, /*fresh=*/false);
    transport.Reset();
    redelivery_rate.push_back(Adapter(*db, base, transport, *catalog, workers, batch, plans));
    redelivery_requests_per_plan.push_back(static_cast<double>(transport.requests()) / plans);
    Requeue(*db, /*fresh=*/true);
    transport.Reset();
    int failures = 0;
    naive.push_back(Naive(naive_ehr->client(), naive_plans, workers, &failures));
    naive_requests_per_plan.push_back(static_cast<double>(transport.requests()) / plans);
    if (failures) CheckOk(Status::Internal(std::to_string(failures) + " naive plans failed"), "naive");
    deliver_only.push_back(DeliverOnly(naive_ehr->client(), naive_plans, workers));
    std::cout << "round " << round + 1 << ": raw " << Fixed(raw.back(), 0) << "/s, adapter "
              << Fixed(a, 0) << "/s (HTTP " << Fixed(100 * adapter_http_share.back(), 0) << "% of "
              << workers << " slots; of wall time: DB connection checkout+return "
              << Fixed(100 * connect_share.back(), 0) << "%, statements "
              << Fixed(100 * statement_share.back(), 0) << "%, commits "
              << Fixed(100 * commit_share.back(), 0) << "%; " << Fixed(commits_per_plan, 3)
              << " commits/plan, " << Fixed(adapter_requests_per_plan.back(), 1)
              << " requests/plan), adapter re-delivery path " << Fixed(redelivery_rate.back(), 0)
              << "/s (" << Fixed(redelivery_requests_per_plan.back(), 1)
              << " requests/plan), delivery step alone " << Fixed(deliver_only.back(), 0)
              << "/s, naive " << Fixed(naive.back(), 0) << "/s ("
              << Fixed(naive_requests_per_plan.back(), 1) << " requests/plan), load "
              << Fixed(LoadAverage(), 2) << "\n"
              << std::flush;
  }
  // Every figure comes from one round: the one whose adapter/raw ratio is
  // the median.
  std::vector<int> order(rounds);
  for (int i = 0; i < rounds; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](int x, int y) { return adapter_rate[x] / raw[x] < adapter_rate[y] / raw[y]; });
  const int m = order[rounds / 2];
  // The naive comparison is its own: the round whose adapter/naive ratio is the median.
  std::sort(order.begin(), order.end(),
            [&](int x, int y) { return adapter_rate[x] / naive[x] < adapter_rate[y] / naive[y]; });
  const int mn = order[rounds / 2];
  std::cout << "reported: round " << m + 1 << " (adapter vs naive: round " << mn + 1 << ")\n";
  const double r = raw[m], a = adapter_rate[m], n = naive[m], d = deliver_only[m];
  const double an = adapter_rate[mn], nn = naive[mn];
  auto pct = [](double v) { return Fixed(100 * v, 0) + "%"; };
  std::vector<ResultRow> table;
  const std::string conc = "concurrency " + std::to_string(workers);
  table.push_back({"adapter -> null endpoint, Bundles/s (" + conc + ")", Fixed(a, 0),
                   "raw POST of the same Bundle bytes, " + conc + ": " + Fixed(r, 0) + "/s", Fixed(a / r, 2) + "x",
                   ">= 0.5x raw", a >= 0.5 * r ? "yes" : "no"});
  table.push_back({"adapter vs naive client (one request per resource, " + conc + ")", Fixed(an, 0),
                   "naive: " + Fixed(nn, 0) + " plans/s (" + Fixed(naive_requests_per_plan[mn], 1) +
                       " requests/plan vs adapter " + Fixed(adapter_requests_per_plan[mn], 1) + ")",
                   Fixed(an / nn, 2) + "x", ">= 3x naive", an >= 3 * nn ? "yes" : "no"});
  table.push_back({"adapter delivery step alone, no outbox (diagnostic)", Fixed(d, 0),
                   "naive: " + Fixed(n, 0) + " plans/s; raw: " + Fixed(r, 0) + "/s",
                   Fixed(d / n, 2) + "x naive, " + Fixed(d / r, 2) + "x raw", "-", "-"});
  table.push_back(
      {"adapter, re-delivery path (rows leased before; diagnostic)", Fixed(redelivery_rate[m], 0),
       "raw: " + Fixed(r, 0) + "/s; naive: " + Fixed(n, 0) + " plans/s (" +
           Fixed(redelivery_requests_per_plan[m], 1) + " requests/plan)",
       Fixed(redelivery_rate[m] / r, 2) + "x raw, " + Fixed(redelivery_rate[m] / n, 2) + "x naive",
       "-", "-"});
  table.push_back({"adapter time split (diagnostic)",
                   "HTTP " + pct(adapter_http_share[m]) + " of the in-flight slots; of wall time: DB checkout+return " +
                       pct(connect_share[m]) + ", DB statements " + pct(statement_share[m]) + ", DB commits " +
                       pct(commit_share[m]),
                   "rest: payload parsing, Bundle building; the DB work overlaps the slots' delivery of the next batch", "-", "-", "-"});

  if (reference > 0) {
    adapter::LocalFhirServer server;
    CheckOk(server.Start(std::string(SA_SOURCE_DIR) + "/" + adapter::kBundledServerScript), "bundled FHIR server");
    const std::string ref_base = server.base_url();
    fhir::HttpRequest seed;
    seed.method = fhir::HttpMethod::kPut;
    seed.url = ref_base + "/Patient/bench-patient";
    seed.headers.Set("Content-Type", fhir::kFhirJson);
    seed.body = json{{"resourceType", "Patient"},
                     {"id", "bench-patient"},
                     {"identifier", json::array({{{"system", "https://fhir.nhs.uk/Id/nhs-number"},
                                                  {"value", one[0].ehr["subject"]["nhsNumber"]}}})}}
                    .dump();
    auto seeded = transport.Send(seed);
    if (!seeded.ok() || seeded->status >= 300) CheckOk(Status::Internal("seeding the patient failed"), "seed");
    const std::string ref_path = tmp.path() + "/reference.sqlite";
    QueuePlans(ref_path, tmp.path(), *catalog, "F", reference, actions);
    auto ref_db = ValueOrDie(adapter::store::OpenSqlite(ref_path), "open sqlite");
    transport.Reset();
    double ra = Adapter(*ref_db, ref_base, transport, *catalog, workers, batch, reference);
    // The same bytes: the server resolves their conditional reference to the seeded Patient.
    double rr = RawPosts(transport, ref_base, bytes, workers, reference);
    table.push_back({"reference: adapter -> bundled FHIR server (" + std::to_string(reference) + " plans)",
                     Fixed(ra, 1), "raw POST of one Bundle to it: " + Fixed(rr, 1) + "/s", Fixed(ra / rr, 2) + "x",
                     "- (server-bound)", "-"});
  }
  PrintTable("Delivery (" + std::to_string(plans) + " plans per run, " + std::to_string(actions > 0 ? actions : 2) +
                 " Tasks per plan; the round with the median ratio of " + std::to_string(rounds) + ")",
             table);
  return 0;
}

}  // namespace
}  // namespace sa::bench

int main(int argc, char** argv) { return sa::bench::Main(argc, argv); }
