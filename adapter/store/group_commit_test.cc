// GroupCommit: writes queued behind a running group share the next
// transaction; a failing or skipped write never takes the others down; a
// failed commit stores nothing; on SQLite and PostgreSQL.
#include "adapter/store/group_commit.h"

#include <gtest/gtest.h>

#include <any>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapter/store/fault_db.h"
#include "adapter/store/forwarding_session.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using testing::BackendTest;

// A database whose first commit waits until Open() is called, so that the
// test can line writers up behind a running group.
class GateDatabase : public ForwardingDatabase {
 public:
  explicit GateDatabase(Database& base) : ForwardingDatabase(base) {}
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  class Session : public ForwardingSession {
   public:
    Session(std::unique_ptr<DbSession> inner, GateDatabase* db) : ForwardingSession(std::move(inner)), db_(db) {}
    Status Commit() override {
      std::unique_lock<std::mutex> lock(db_->mu_);
      db_->cv_.wait(lock, [this] { return db_->open_; });
      lock.unlock();
      return real_->Commit();
    }

   private:
    GateDatabase* db_;
  };
  std::unique_ptr<DbSession> Wrap(std::unique_ptr<DbSession> inner) override {
    return std::make_unique<Session>(std::move(inner), this);
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class GroupCommitTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    SA_ASSERT_OK(ExecOnce("CREATE TABLE items (name TEXT PRIMARY KEY)"));
  }
  // A write inserting `name`.
  static GroupCommit::Write Insert(const std::string& name) {
    return [name](DbSession& s) -> StatusOr<bool> {
      SA_RETURN_IF_ERROR(s.Exec("INSERT INTO items (name) VALUES (?)", {name}).status());
      return true;
    };
  }
  // Runs `first` and, once it is committing, `rest` from one thread each;
  // all of `rest` queue behind it before its commit goes through.
  std::vector<StatusOr<bool>> LinedUp(GroupCommit& group, GateDatabase& gate, const GroupCommit::Write& first,
                                      const std::vector<GroupCommit::Write>& rest) {
    std::vector<StatusOr<bool>> results(rest.size() + 1, Status::Internal("did not run"));
    std::vector<std::thread> threads;
    threads.emplace_back([&] { results[0] = group.Run(first); });
    auto wait_for_queue = [&](std::size_t n) {
      while (group.queued() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
    wait_for_queue(1);
    for (std::size_t i = 0; i < rest.size(); ++i) {
      threads.emplace_back([&, i] { results[i + 1] = group.Run(rest[i]); });
    }
    wait_for_queue(rest.size() + 1);
    gate.Open();
    for (auto& t : threads) t.join();
    return results;
  }
};

TEST_P(GroupCommitTest, WritesQueuedBehindAGroupShareTheNextTransaction) {
  GateDatabase gate(*db_);
  GroupCommit group(&gate);
  auto results = LinedUp(group, gate, Insert("a"), {Insert("b"), Insert("c"), Insert("d")});
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(*r);
  }
  EXPECT_EQ(CountRows("items").value(), 4);
  // "a" alone (it was running when the others came), then b, c and d together.
  EXPECT_EQ(group.stats().groups, 2);
  EXPECT_EQ(group.stats().writes, 4);
  EXPECT_EQ(group.stats().fallbacks, 0);
}

TEST_P(GroupCommitTest, AFailingWriteIsItsOwnAndTheOthersAreStored) {
  GateDatabase gate(*db_);
  GroupCommit group(&gate);
  GroupCommit::Write duplicate = Insert("a");  // "a" is stored by the first write
  GroupCommit::Write skipped = [](DbSession& s) -> StatusOr<bool> {
    SA_RETURN_IF_ERROR(s.Query("SELECT name FROM items").status());
    return false;  // read, and found nothing to do
  };
  auto results = LinedUp(group, gate, Insert("a"), {Insert("b"), duplicate, skipped, Insert("c")});
  SA_EXPECT_OK(results[0].status());
  SA_EXPECT_OK(results[1].status());
  EXPECT_EQ(results[2].status().code(), StatusCode::kConflict) << results[2].status().ToString();
  ASSERT_TRUE(results[3].ok());
  EXPECT_FALSE(*results[3]);
  SA_EXPECT_OK(results[4].status());
  EXPECT_EQ(CountRows("items").value(), 3);  // a, b, c; never half of the failed group
  EXPECT_EQ(group.stats().fallbacks, 1);
}

TEST_P(GroupCommitTest, FinishRunsOncePerGroupLastWithTheTailsOfTheWritesThatWrote) {
  GateDatabase gate(*db_);
  std::vector<std::string> finishes;
  GroupCommit group(&gate, kDefaultMaxGroup,
                    [&](DbSession& s, const std::vector<const std::any*>& tails) -> StatusOr<std::vector<Statement>> {
    std::string joined;
    for (const std::any* t : tails) joined += std::any_cast<std::string>(*t);
    finishes.push_back(joined);
    // Last in the transaction: it sees every write of its group. Its
    // statement goes with the commit.
    SA_ASSIGN_OR_RETURN(std::vector<Row> rows, s.Query("SELECT name FROM items"));
    return std::vector<Statement>{
        {"INSERT INTO items (name) VALUES (?)", {"finish-" + joined + "-after-" + std::to_string(rows.size())}}};
  });
  GroupCommit::Write skipped = [](DbSession&) -> StatusOr<bool> { return false; };
  std::vector<StatusOr<bool>> results(4, Status::Internal("did not run"));
  std::vector<std::thread> threads;
  threads.emplace_back([&] { results[0] = group.Run(Insert("a"), std::string("a")); });
  while (group.queued() < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  threads.emplace_back([&] { results[1] = group.Run(Insert("b"), std::string("b")); });
  while (group.queued() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  threads.emplace_back([&] { results[2] = group.Run(skipped, std::string("s")); });
  while (group.queued() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  threads.emplace_back([&] { results[3] = group.Run(Insert("c"), std::string("c")); });
  while (group.queued() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  gate.Open();
  for (auto& t : threads) t.join();
  for (const auto& r : results) SA_ASSERT_OK(r.status());
  // Group 1: "a" alone; group 2: b, the skipped write (no tail), c.
  EXPECT_EQ(finishes, (std::vector<std::string>{"a", "bc"}));
  SA_ASSERT_OK_AND_ASSIGN(auto session, db_->Connect());
  SA_ASSERT_OK_AND_ASSIGN(auto rows, session->Query("SELECT name FROM items WHERE name LIKE 'finish-%' ORDER BY name"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(AsText(rows[0][0]).value(), "finish-a-after-1");
  EXPECT_EQ(AsText(rows[1][0]).value(), "finish-bc-after-4");  // a, its finish row, b, c
}

TEST_P(GroupCommitTest, AFailingFinishFailsTheGroupAndEachWriteRunsAgainAlone) {
  int calls = 0;
  GroupCommit group(db_.get(), kDefaultMaxGroup,
                    [&](DbSession&, const std::vector<const std::any*>&) -> StatusOr<std::vector<Statement>> {
                      if (++calls == 1) return Status::Unavailable("disk I/O error");
                      return std::vector<Statement>{};
                    });
  StatusOr<bool> first = group.Run(Insert("a"), std::string("a"));
  EXPECT_EQ(first.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(CountRows("items").value(), 0);  // nothing without its finish
  SA_ASSERT_OK(group.Run(Insert("b"), std::string("b")).status());
  EXPECT_EQ(CountRows("items").value(), 1);
}

TEST_P(GroupCommitTest, AFailedCommitStoresNothingAndSaysSo) {
  FaultInjectingDatabase faulty(*db_);
  faulty.FailNth(FaultOp::kCommit, 1, Status::Unavailable("disk I/O error"));
  GroupCommit group(&faulty);
  StatusOr<bool> r = group.Run(Insert("a"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(CountRows("items").value(), 0);
  SA_ASSERT_OK(group.Run(Insert("b")).status());
  EXPECT_EQ(CountRows("items").value(), 1);
}

TEST_P(GroupCommitTest, ManyConcurrentWritersAllCommit) {
  constexpr int kThreads = 6, kEach = 25;
  GroupCommit group(db_.get(), 4);
  std::vector<Status> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        StatusOr<bool> r = group.Run(Insert(std::to_string(t) + "-" + std::to_string(i)));
        if (!r.ok()) failures[t] = r.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& f : failures) SA_EXPECT_OK(f);
  EXPECT_EQ(CountRows("items").value(), kThreads * kEach);
  EXPECT_EQ(group.stats().writes, kThreads * kEach);
  EXPECT_LE(group.stats().groups, kThreads * kEach);
}

TEST_P(GroupCommitTest, AFailingStatementLeftForTheCommitStoresNothingOfTheGroup) {
  SA_ASSERT_OK(ExecOnce("INSERT INTO items (name) VALUES (?)", {std::string("taken")}));
  int calls = 0;
  GroupCommit group(db_.get(), kDefaultMaxGroup,
                    [&](DbSession&, const std::vector<const std::any*>&) -> StatusOr<std::vector<Statement>> {
                      // The first group's last statement takes a name already there.
                      const char* name = ++calls == 1 ? "taken" : "finish";
                      return std::vector<Statement>{{"INSERT INTO items (name) VALUES (?)", {std::string(name)}}};
                    });
  StatusOr<bool> first = group.Run(Insert("a"), std::string("a"));
  EXPECT_EQ(first.status().code(), StatusCode::kConflict) << first.status().ToString();
  EXPECT_EQ(CountRows("items").value(), 1);  // "taken" only: not "a"
  SA_ASSERT_OK(group.Run(Insert("b"), std::string("b")).status());
  EXPECT_EQ(CountRows("items").value(), 3);  // taken, b, finish
}

TEST_P(GroupCommitTest, UpToMaxInFlightGroupsRunAtOnce) {
  GateDatabase gate(*db_);
  GroupCommit group(&gate, /*max_group=*/1, nullptr, /*max_in_flight=*/2);
  std::vector<StatusOr<bool>> results(3, Status::Internal("did not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] { results[i] = group.Run(Insert("w" + std::to_string(i))); });
  }
  // Two groups start (the first waits at its commit; the second at its
  // commit too on PostgreSQL, for the write lock on SQLite); the third write
  // waits for one of them to end.
  while (group.in_flight() < 2 || group.queued() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(group.in_flight(), 2u);
  gate.Open();
  for (auto& t : threads) t.join();
  for (const auto& r : results) SA_EXPECT_OK(r.status());
  EXPECT_EQ(CountRows("items").value(), 3);
  EXPECT_EQ(group.stats().groups, 3);
  EXPECT_EQ(group.in_flight(), 0u);
}

TEST_P(GroupCommitTest, ZeroInFlightMeansTheDatabasesDefault) {
  EXPECT_EQ(DefaultGroupsInFlight(Dialect::kSqlite), 1u);  // one writer
  EXPECT_EQ(DefaultGroupsInFlight(Dialect::kPostgres), 2u);
  GateDatabase gate(*db_);
  GroupCommit group(&gate, /*max_group=*/1, nullptr, /*max_in_flight=*/0);
  const std::size_t expected = DefaultGroupsInFlight(db_->dialect());
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] { SA_EXPECT_OK(group.Run(Insert("d" + std::to_string(i))).status()); });
  }
  while (group.in_flight() < expected || group.queued() < 3) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(group.in_flight(), expected);
  gate.Open();
  for (auto& t : threads) t.join();
  EXPECT_EQ(CountRows("items").value(), 3);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(GroupCommitTest);

}  // namespace
}  // namespace sa::adapter::store
