// The outbox worker against the bundled FHIR server: delivery, a faulty EHR,
// a lost local commit after the server answered, and two workers sharing one
// PostgreSQL outbox. Nothing lost, nothing duplicated.
#include <set>
#include <thread>

#include "tests/integration/durable_fixture.h"

namespace sa::testing {
namespace {

using adapter::OutboxOptions;
using adapter::OutboxWorker;
using adapter::PassStats;

const char* kExamples[] = {"eput-one-to-one", "sgscb-group", "calderdale-adult-sbar", "hscp-urgent", "croydon-ad-hoc",
                           "calderdale-strengthening-families", "eput-awaiting-signature", "sgscb-cancelled"};

class DeliveryTest : public DurableTest {
 protected:
  static void SetUpTestSuite() {
    server_ = new adapter::LocalFhirServer();
    ASSERT_TRUE(server_->Start(Src(adapter::kBundledServerScript)).ok());
  }
  static void TearDownTestSuite() { delete server_; }
  void SetUp() override {
    DurableTest::SetUp();
    Admin(server_->root() + "/$admin/reset", fhir::HttpMethod::kPost, {{"faults", true}});
  }
  // Intakes every example (seeding its patients); returns expected Task and CarePlan counts.
  std::pair<int, int> IntakeExamples() {
    auto svc = Service();
    int tasks = 0, plans = 0;
    for (const char* name : kExamples) {
      json r = ReadJsonFile(std::string("config/examples/") + name + ".json");
      for (const auto& c : r.value("cases", json::array())) {
        SeedPatient(server_->base_url(), "p" + c["subject"]["nhsNumber"].get<std::string>(), c["subject"]["nhsNumber"]);
      }
      auto result = svc.Intake(r.dump(), "test");
      EXPECT_TRUE(result.ok());
      if (!result.ok() || result->state != "agreed") continue;
      for (const auto& c : r["cases"]) {
        if (c["actions"].empty()) continue;
        ++plans;
        tasks += static_cast<int>(c["actions"].size());
      }
    }
    return {tasks, plans};
  }
  std::unique_ptr<adapter::EhrConnection> Ehr(bool retry_500 = false) {
    adapter::FhirConfig cfg = ConfigFor(server_->base_url());
    cfg.retry.retry_on_500 = retry_500;
    cfg.retry.max_attempts = 2;
    cfg.transport.request_timeout = std::chrono::milliseconds(1000);
    return std::move(adapter::EhrConnection::Open(cfg)).value();
  }
  static OutboxOptions FastOptions() {
    OutboxOptions o;
    o.backoff_base = std::chrono::milliseconds(10);
    o.backoff_cap = std::chrono::milliseconds(200);
    o.lease = std::chrono::milliseconds(5000);
    o.max_attempts = 60;
    return o;
  }
  // Every resource of `type` has a distinct business identifier.
  static void ExpectNoDuplicates(const std::string& type) {
    std::set<std::string> ids;
    for (const auto& r : Resources(server_->root(), type)) {
      std::string id = r["identifier"][0]["value"];
      EXPECT_TRUE(ids.insert(id).second) << type << " duplicated: " << id;
    }
  }
  static adapter::LocalFhirServer* server_;
};
adapter::LocalFhirServer* DeliveryTest::server_ = nullptr;

TEST_P(DeliveryTest, DeliversEveryAgreedPlanOnce) {
  auto [tasks, plans] = IntakeExamples();
  auto ehr = Ehr();
  mappings::FhirMappingOptions mapping;
  OutboxWorker worker(db_.get(), &ehr->client(), &mapping, &Catalog(), FastOptions());
  auto stats = worker.RunUntilIdle();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->delivered, plans);
  EXPECT_EQ(stats->dead, 0);
  EXPECT_EQ(Count(server_->root(), "Task"), static_cast<std::size_t>(tasks));
  EXPECT_EQ(Count(server_->root(), "CarePlan"), static_cast<std::size_t>(plans));
  // Running again finds nothing to do.
  auto again = worker.RunUntilIdle();
  EXPECT_EQ(again->leased, 0);
}

TEST_P(DeliveryTest, FaultyEhrEverythingDeliveredNothingDuplicatedAndOneBadBundleDeadLettered) {
  auto [tasks, plans] = IntakeExamples();
  // One permanently invalid plan (its due date is not a date): the server refuses it.
  json bad = {{"organisation", "EPUT"}, {"sessionId", "BAD-1"}, {"version", 1}, {"created", "2026-11-20T10:00:00Z"},
              {"recorded", "2026-11-20T10:00:00Z"}, {"supervisor", {{"id", "P-1"}, {"name", "A"}, {"role", "B"}}},
              {"ehr", {{"caseRef", "C1"}, {"subject", {{"kind", "child"}, {"nhsNumber", "9434765919"}}},
                       {"actions", json::array({{{"id", "A1"}, {"what", "x"}, {"owner", {{"id", "P-1"}, {"name", "A"}, {"role", "B"}}}, {"due", "not-a-date"}}})}}},
              {"removedActions", json::array()}, {"revoke", false}};
  SeedPatient(server_->base_url(), "bad-child", "9434765919");
  ASSERT_TRUE(ExecOnce("INSERT INTO outbox (plan_key, seq, org, session_id, version, case_ref, payload, state,"
                       " attempts, next_attempt_at, created_at) VALUES ('EPUT/BAD-1/C1', 1, 'EPUT', 'BAD-1', 1, 'C1',"
                       " ?, 'pending', 0, 0, ?)",
                       {bad.dump(), int64_t{std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch()).count()}})
                  .ok());
  Admin(server_->root() + "/$admin/faults", fhir::HttpMethod::kPost,
        {{"fault500", 0.2}, {"fault429", 0.1}, {"faultHang", 0.05}, {"hangMs", 0}, {"retryAfter", 0},
         {"faultSeed", 7}, {"faultScope", "fhir"}});
  auto ehr = Ehr(/*retry_500=*/true);
  mappings::FhirMappingOptions mapping;
  OutboxWorker worker(db_.get(), &ehr->client(), &mapping, &Catalog(), FastOptions());
  auto stats = worker.RunUntilIdle();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  json faults = Admin(server_->root() + "/$admin/faults");
  Admin(server_->root() + "/$admin/faults", fhir::HttpMethod::kPost, {{"fault500", 0}, {"fault429", 0}, {"faultHang", 0}});
  EXPECT_EQ(stats->delivered, plans) << faults.dump();
  EXPECT_EQ(stats->dead, 1);
  EXPECT_GT(stats->retried, 0) << "the faults never hit: the test proves nothing";
  EXPECT_EQ(Count(server_->root(), "Task"), static_cast<std::size_t>(tasks));
  EXPECT_EQ(Count(server_->root(), "CarePlan"), static_cast<std::size_t>(plans));
  ExpectNoDuplicates("Task");
  ExpectNoDuplicates("CarePlan");
  auto dead = adapter::ListOutbox(*db_, "dead");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0]["plan"], "EPUT/BAD-1/C1");
  EXPECT_NE((*dead)[0]["lastError"].get<std::string>().find("permanent"), std::string::npos);
}

TEST_P(DeliveryTest, ServerAnsweredButLocalCommitLostIsRedeliveredWithoutDuplicates) {
  auto [tasks, plans] = IntakeExamples();
  auto ehr = Ehr();
  mappings::FhirMappingOptions mapping;
  OutboxOptions o = FastOptions();
  o.batch = 1;
  o.lease = std::chrono::milliseconds(200);
  {
    adapter::store::FaultInjectingDatabase faulty(*db_);
    // Commit 1 takes the lease; commit 2 would record "delivered": lose it.
    faulty.FailNth(adapter::store::FaultOp::kCommit, 2, Status::Unavailable("disk I/O error"));
    OutboxWorker crashing(&faulty, &ehr->client(), &mapping, &Catalog(), o);
    EXPECT_FALSE(crashing.RunOnce().ok());
  }
  EXPECT_GE(Count(server_->root(), "CarePlan"), 1u);  // the EHR has it; we do not know
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the lease expires
  OutboxWorker worker(db_.get(), &ehr->client(), &mapping, &Catalog(), o);
  auto stats = worker.RunUntilIdle();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, plans);  // including the one delivered twice in effect
  EXPECT_EQ(Count(server_->root(), "Task"), static_cast<std::size_t>(tasks));
  EXPECT_EQ(Count(server_->root(), "CarePlan"), static_cast<std::size_t>(plans));
  ExpectNoDuplicates("Task");
}

TEST_P(DeliveryTest, HeldPlanIsNotRetriedUntilAnOperatorSaysSo) {
  auto svc = Service();
  ASSERT_TRUE(svc.Intake(ReadJsonFile("tests/data/valid-eput-sbar.json").dump(), "t").ok());  // no patient seeded
  auto ehr = Ehr();
  mappings::FhirMappingOptions mapping;
  OutboxWorker worker(db_.get(), &ehr->client(), &mapping, &Catalog(), FastOptions());
  auto stats = worker.RunUntilIdle();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->held, 1);
  auto held = adapter::ListOutbox(*db_, "held");
  ASSERT_EQ(held->size(), 1u);
  EXPECT_NE((*held)[0]["lastError"].get<std::string>().find("no patient"), std::string::npos);
  SeedPatient(server_->base_url(), "lily", "9434765919");
  ASSERT_EQ(*adapter::RetryOutbox(*db_, "operator", (*held)[0]["id"].get<int64_t>(), false), 1);
  EXPECT_EQ(worker.RunUntilIdle()->delivered, 1);
  EXPECT_EQ(Count(server_->root(), "Task"), 2u);
}

TEST_P(DeliveryTest, RetryRefusesAVersionSupersededByALaterOne) {
  auto svc = Service();
  json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
  ASSERT_TRUE(svc.Intake(r.dump(), "t").ok());  // v1; no patient yet: it will be held
  auto ehr = Ehr();
  mappings::FhirMappingOptions mapping;
  OutboxWorker worker(db_.get(), &ehr->client(), &mapping, &Catalog(), FastOptions());
  ASSERT_EQ(worker.RunUntilIdle()->held, 1);
  r["cases"][0]["actions"][0]["what"] = "Home visit to review safe sleeping (v2)";
  ASSERT_TRUE(svc.Intake(r.dump(), "t").ok());  // v2
  SeedPatient(server_->base_url(), "lily", "9434765919");
  ASSERT_EQ(worker.RunUntilIdle()->delivered, 1);  // v2 goes; v1 stays held
  auto held = adapter::ListOutbox(*db_, "held");
  ASSERT_EQ(held->size(), 1u);
  auto retry = adapter::RetryOutbox(*db_, "operator", (*held)[0]["id"].get<int64_t>(), false);
  ASSERT_FALSE(retry.ok());
  EXPECT_EQ(retry.status().code(), StatusCode::kFailedPrecondition);
  for (const auto& t : Resources(server_->root(), "Task")) {
    if (t["identifier"][0]["value"] == "EPUT/S-2026-0001/A1") {
      EXPECT_EQ(t["description"], "Home visit to review safe sleeping (v2)");
    }
  }
}

TEST_P(DeliveryTest, ConcurrentBatchCommitsOnceAndALaterVersionNeverOvertakesAnEarlierOne) {
  auto [tasks, plans] = IntakeExamples();
  auto svc = Service();
  json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
  SeedPatient(server_->base_url(), "lily", "9434765919");
  ASSERT_TRUE(svc.Intake(r.dump(), "t").ok());  // v1
  r["cases"][0]["actions"][0]["what"] = "Home visit to review safe sleeping (v2)";
  ASSERT_TRUE(svc.Intake(r.dump(), "t").ok());  // v2, queued behind v1
  ASSERT_LE(plans + 1, 16) << "the test expects the first pass to lease every plan but v2";
  auto ehr = Ehr();
  mappings::FhirMappingOptions mapping;
  OutboxOptions o = FastOptions();
  o.concurrency = 4;
  o.batch = 16;
  adapter::store::FaultInjectingDatabase counting(*db_);  // no faults armed: it counts
  OutboxWorker worker(&counting, &ehr->client(), &mapping, &Catalog(), o);
  auto stats = worker.RunUntilIdle();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->delivered, plans + 2);
  // Commit 1 leases every plan but v2 (v1 is still pending); commit 2 records
  // their outcomes and leases v2; commit 3 records v2's and leases nothing.
  EXPECT_EQ(counting.calls(adapter::store::FaultOp::kCommit), 3);
  for (const auto& t : Resources(server_->root(), "Task")) {
    if (t["identifier"][0]["value"] == "EPUT/S-2026-0001/A1") {
      EXPECT_EQ(t["description"], "Home visit to review safe sleeping (v2)");
    }
  }
  EXPECT_EQ(Count(server_->root(), "CarePlan"), static_cast<std::size_t>(plans + 1));
  ExpectNoDuplicates("Task");
}

TEST_P(DeliveryTest, TwoWorkersShareOneOutboxWithoutDuplicatesOrLoss) {
  auto [tasks, plans] = IntakeExamples();
  mappings::FhirMappingOptions mapping;
  std::vector<std::thread> threads;
  std::vector<PassStats> results(2);
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      auto db = Reopen();
      auto ehr = Ehr();
      OutboxOptions o = FastOptions();
      o.batch = 1;
      o.owner = "worker-" + std::to_string(i);
      OutboxWorker w(db->get(), &ehr->client(), &mapping, &Catalog(), o);
      auto s = w.RunUntilIdle();
      EXPECT_TRUE(s.ok()) << s.status().ToString();
      if (s.ok()) results[i] = *s;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(results[0].delivered + results[1].delivered, plans);
  EXPECT_EQ(Count(server_->root(), "Task"), static_cast<std::size_t>(tasks));
  ExpectNoDuplicates("Task");
  ExpectNoDuplicates("CarePlan");
  auto session = db_->Connect();
  auto sum = (*session)->Query("SELECT CAST(SUM(attempts) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM outbox");
  EXPECT_EQ(*adapter::store::AsInt((*sum)[0][0]), *adapter::store::AsInt((*sum)[0][1]))
      << "a row was delivered by both workers";
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(DeliveryTest);

}  // namespace
}  // namespace sa::testing
