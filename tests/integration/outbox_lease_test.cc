// The outbox worker's lease count (schema migration 5) and what it decides:
// a plan's first version on its first lease is delivered in ONE request (no
// read of the plan's Tasks, since nothing of it can be in the EHR yet); a
// re-lease, a later version or a row older than the "firstQueued" payload
// field reads them first. Against a scripted EHR (adapter/fake_ehr.h) that
// records every request, on both databases.
#include "adapter/fake_ehr.h"
#include "tests/integration/durable_fixture.h"

namespace sa::testing {
namespace {

using adapter::OutboxWorker;
using Sequence = std::vector<std::string>;

class OutboxLeaseTest : public DurableTest {
 protected:
  // Intakes the valid EPUT session; a different `what` makes a new version.
  void Intake(const std::string& what = "") {
    json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
    if (!what.empty()) r["cases"][0]["actions"][0]["what"] = what;
    auto result = Service().Intake(r.dump(), "t");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }
  adapter::PassStats RunOnce() {
    OutboxWorker worker(db_.get(), &ehr_.client(), &mapping_, &Catalog(), adapter::OutboxOptions());
    auto stats = worker.RunOnce();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? *stats : adapter::PassStats();
  }
  // The newest row's id, and how many times it was leased.
  int64_t LastRow() { return Int("SELECT CAST(MAX(id) AS BIGINT) FROM outbox"); }
  int64_t Leases(int64_t id) { return Int("SELECT leases FROM outbox WHERE id = ?", {id}); }
  // Every pending row is due now (instead of after its backoff).
  void MakeDue() {
    ASSERT_TRUE(ExecOnce("UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'").ok());
  }
  int64_t Int(const std::string& sql, const std::vector<adapter::store::Value>& params = {}) {
    auto s = db_->Connect();
    EXPECT_TRUE(s.ok());
    auto rows = (*s)->Query(sql, params);
    EXPECT_TRUE(rows.ok() && rows->size() == 1) << sql;
    return rows.ok() && rows->size() == 1 ? adapter::store::AsInt((*rows)[0][0]).value() : -1;
  }

  adapter::testing::FakeEhr ehr_;
  mappings::FhirMappingOptions mapping_;
};

TEST_P(OutboxLeaseTest, FirstVersionOnItsFirstLeaseIsOneRequest) {
  Intake();
  EXPECT_EQ(RunOnce().delivered, 1);
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST"}));
  EXPECT_EQ(Leases(LastRow()), 1);
}

TEST_P(OutboxLeaseTest, AReLeaseReadsTheTasksFirst) {
  Intake();
  ehr_.RefuseNextTransactions({503});  // sent, outcome unknown to the EHR's side
  EXPECT_EQ(RunOnce().retried, 1);
  EXPECT_EQ(Leases(LastRow()), 1);
  MakeDue();
  EXPECT_EQ(RunOnce().delivered, 1);
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST", "GET Task", "POST"}));
  EXPECT_EQ(Leases(LastRow()), 2);
}

TEST_P(OutboxLeaseTest, ALaterVersionReadsTheTasksFirst) {
  Intake();
  ASSERT_EQ(RunOnce().delivered, 1);
  Intake("Home visit to review safe sleeping (v2)");
  EXPECT_EQ(Leases(LastRow()), 0);
  EXPECT_EQ(RunOnce().delivered, 1);
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST", "GET Task", "POST"}));
}

TEST_P(OutboxLeaseTest, ARowQueuedBeforeFirstQueuedExistedReadsTheTasksFirst) {
  Intake();
  const int64_t id = LastRow();
  auto s = db_->Connect();
  ASSERT_TRUE(s.ok());
  auto rows = (*s)->Query("SELECT payload FROM outbox WHERE id = ?", {id});
  ASSERT_TRUE(rows.ok() && rows->size() == 1);
  json payload = json::parse(adapter::store::AsText((*rows)[0][0]).value());
  ASSERT_EQ(payload["firstQueued"], true);
  payload.erase("firstQueued");
  ASSERT_TRUE(ExecOnce("UPDATE outbox SET payload = ? WHERE id = ?", {payload.dump(), id}).ok());
  EXPECT_EQ(RunOnce().delivered, 1);
  EXPECT_EQ(ehr_.Sequence(), Sequence({"GET Task", "POST"}));
}

TEST_P(OutboxLeaseTest, EveryLeaseCountsAndAnOperatorRetryKeepsTheCount) {
  Intake();
  ehr_.set_patients(0);
  ehr_.RefuseNextTransactions({400});
  EXPECT_EQ(RunOnce().held, 1);
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST", "GET Patient"}));
  const int64_t id = LastRow();
  EXPECT_EQ(Leases(id), 1);
  ASSERT_EQ(*adapter::RetryOutbox(*db_, "operator", id, false), 1);
  EXPECT_EQ(Leases(id), 1);  // a request was sent: the retry must not make it look fresh
  ehr_.set_patients(1);
  EXPECT_EQ(RunOnce().delivered, 1);
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST", "GET Patient", "GET Task", "POST"}));
  EXPECT_EQ(Leases(id), 2);
}

TEST_P(OutboxLeaseTest, OutboxListShowsTheLeaseCountAndWhoHoldsARow) {
  Intake();
  auto before = adapter::ListOutbox(*db_);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0]["leases"], 0);
  EXPECT_TRUE((*before)[0]["leaseOwner"].is_null());
  EXPECT_TRUE((*before)[0]["leaseExpiresAtMs"].is_null());
  ehr_.RefuseNextTransactions({503});
  ASSERT_EQ(RunOnce().retried, 1);  // a retry outcome releases the lease
  auto after = adapter::ListOutbox(*db_, "pending");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0]["leases"], 1);
  EXPECT_EQ((*after)[0]["attempts"], 1);
  EXPECT_TRUE((*after)[0]["leaseOwner"].is_null());
  MakeDue();
  ASSERT_EQ(RunOnce().delivered, 1);
  auto done = adapter::ListOutbox(*db_, "delivered");
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ((*done)[0]["leases"], 2);
  EXPECT_TRUE((*done)[0]["leaseOwner"].is_null());  // released with the outcome
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(OutboxLeaseTest);

// Migration 5 on a database that already holds outbox rows: they get
// leases = 0, like every row inserted afterwards.
class OutboxLeasesMigrationTest : public adapter::store::testing::BackendTest {};

TEST_P(OutboxLeasesMigrationTest, Migration5CountsExistingRowsAsNeverLeased) {
  const auto& all = adapter::store::SchemaMigrations();
  ASSERT_GE(all.size(), 5u);
  ASSERT_EQ(all[4].version, 5);
  std::vector<adapter::store::Migration> upto4(all.begin(), all.begin() + 4);
  ASSERT_TRUE(adapter::store::Migrate(*db_, upto4).ok());
  const std::string insert =
      "INSERT INTO outbox (plan_key, seq, payload, state, next_attempt_at, created_at)"
      " VALUES (?, 1, '{}', 'pending', 0, 0)";
  ASSERT_TRUE(ExecOnce(insert, {std::string("plan-old")}).ok());
  auto v = adapter::store::Migrate(*db_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_GE(*v, 5);
  ASSERT_TRUE(ExecOnce(insert, {std::string("plan-new")}).ok());
  auto s = db_->Connect();
  ASSERT_TRUE(s.ok());
  auto rows = (*s)->Query("SELECT plan_key, leases FROM outbox ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  for (const auto& r : *rows)
    EXPECT_EQ(adapter::store::AsInt(r[1]).value(), 0) << *adapter::store::AsText(r[0]);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(OutboxLeasesMigrationTest);

}  // namespace
}  // namespace sa::testing
