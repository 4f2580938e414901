// The outbox worker keeps its delivery slots busy across batches: while one
// batch's outcomes are being committed, the next batch is already being
// delivered; and that changes nothing of what reaches the EHR (every plan
// once, per-plan order kept). Against a scripted EHR (adapter/fake_ehr.h),
// on both databases.
#include <atomic>
#include <chrono>
#include <functional>
#include <string_view>
#include <thread>

#include "adapter/fake_ehr.h"
#include "adapter/store/forwarding_session.h"
#include "tests/integration/durable_fixture.h"

namespace sa::testing {
namespace {

using adapter::OutboxWorker;

// A database whose first commit that records a delivery (an UPDATE setting
// state 'delivered') waits until `ready()` holds or 10 s have passed, and
// remembers which. It also counts commits.
class WaitingDatabase : public adapter::store::ForwardingDatabase {
 public:
  WaitingDatabase(adapter::store::Database& base, std::function<bool()> ready)
      : ForwardingDatabase(base), ready_(std::move(ready)) {}
  bool saw_ready() const { return saw_ready_; }
  int commits() const { return commits_; }

 private:
  std::unique_ptr<adapter::store::DbSession> Wrap(std::unique_ptr<adapter::store::DbSession> inner) override {
    return std::make_unique<Session>(std::move(inner), this);
  }
  class Session : public adapter::store::ForwardingSession {
   public:
    Session(std::unique_ptr<adapter::store::DbSession> inner, WaitingDatabase* db)
        : ForwardingSession(std::move(inner)), db_(db) {}
    StatusOr<int64_t> Exec(std::string_view sql, const std::vector<adapter::store::Value>& params) override {
      if (sql.find("state = 'delivered'") != std::string_view::npos) records_delivery_ = true;
      return real_->Exec(sql, params);
    }
    Status Commit() override {
      ++db_->commits_;
      if (records_delivery_ && !db_->waited_.exchange(true)) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!db_->ready_() && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        db_->saw_ready_ = db_->ready_();
      }
      records_delivery_ = false;
      return real_->Commit();
    }

   private:
    WaitingDatabase* db_;
    bool records_delivery_ = false;
  };
  const std::function<bool()> ready_;
  std::atomic<int> commits_{0};
  std::atomic<bool> waited_{false}, saw_ready_{false};
};

class OutboxPipelineTest : public DurableTest {
 protected:
  // `n` distinct sessions of the valid EPUT example, one plan each.
  void IntakeSessions(int n) {
    for (int i = 0; i < n; ++i) {
      json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
      r["sessionId"] = "S-PIPE-" + std::to_string(i);
      auto result = Service().Intake(r.dump(), "t");
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      ASSERT_EQ(result->outbox_rows, 1);
    }
  }
  std::size_t Posts() {
    std::size_t n = 0;
    for (const auto& r : ehr_.Sequence()) n += r == "POST" ? 1 : 0;
    return n;
  }

  adapter::testing::FakeEhr ehr_;
  mappings::FhirMappingOptions mapping_;
};

TEST_P(OutboxPipelineTest, TheNextBatchIsDeliveredWhileABatchsOutcomesCommit) {
  IntakeSessions(6);
  // The commit recording batch 1's outcomes waits until a plan of batch 2
  // reached the EHR (a third POST): only a worker that started batch 2
  // before recording batch 1 gets there.
  WaitingDatabase db(*db_, [this] { return Posts() >= 3; });
  adapter::OutboxOptions o;
  o.batch = 2;
  o.concurrency = 2;
  OutboxWorker worker(&db, &ehr_.client(), &mapping_, &Catalog(), o);
  auto stats = worker.RunUntilIdle();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_TRUE(db.saw_ready()) << "batch 2 was not being delivered while batch 1's outcomes committed";
  EXPECT_EQ(stats->delivered, 6);
  EXPECT_EQ(stats->leased, 6);
  EXPECT_EQ(Posts(), 6u);  // each plan once: a first version on its first lease
}

TEST_P(OutboxPipelineTest, AShortFirstBatchIsNotFollowedByAnEmptyLease) {
  IntakeSessions(3);
  WaitingDatabase counting(*db_, [] { return true; });
  adapter::OutboxOptions o;
  o.batch = 4;
  OutboxWorker worker(&counting, &ehr_.client(), &mapping_, &Catalog(), o);
  auto stats = worker.RunUntilIdle();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->delivered, 3);
  // One lease (3 of at most 4: all that was due), one commit of the outcomes.
  EXPECT_EQ(counting.commits(), 2);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(OutboxPipelineTest);

}  // namespace
}  // namespace sa::testing
