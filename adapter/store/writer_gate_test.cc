// WriterGate: one holder at a time, a bounded wait, release from any thread;
// and SQLite's connections of one database queueing on it.
#include "adapter/store/writer_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "adapter/store/poco_db.h"
#include "adapter/store/store_test_util.h"

namespace sa::adapter::store {
namespace {

using std::chrono::milliseconds;

TEST(WriterGateTest, OneHolderAtATimeAndABoundedWait) {
  WriterGate gate;
  ASSERT_TRUE(gate.Acquire(milliseconds(0)));
  EXPECT_FALSE(gate.Acquire(milliseconds(20)));  // held: the wait ends, not granted
  gate.Release();
  EXPECT_TRUE(gate.Acquire(milliseconds(0)));
  gate.Release();
}

TEST(WriterGateTest, AWaiterGetsTheGateWhenAnotherThreadReleasesIt) {
  WriterGate gate;
  ASSERT_TRUE(gate.Acquire(milliseconds(0)));
  std::atomic<bool> granted{false};
  std::thread waiter([&] {
    granted = gate.Acquire(milliseconds(60000));
    if (granted) gate.Release();
  });
  // Released by a thread other than the one that acquired it.
  std::thread releaser([&] { gate.Release(); });
  releaser.join();
  waiter.join();
  EXPECT_TRUE(granted);
}

class SqliteGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sa-gate-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SqliteGateTest, ASecondTransactionOnTheSameThreadFailsAsLockedInsteadOfWaitingForever) {
  SqliteOptions options;
  options.busy_timeout_ms = 50;
  SA_ASSERT_OK_AND_ASSIGN(auto db, OpenSqlite((dir_ / "a.sqlite").string(), options));
  SA_ASSERT_OK_AND_ASSIGN(auto a, db->Connect());
  SA_ASSERT_OK_AND_ASSIGN(auto b, db->Connect());
  SA_ASSERT_OK(a->Begin());
  Status second = b->Begin();
  EXPECT_EQ(second.code(), StatusCode::kUnavailable);
  EXPECT_NE(second.message().find("database is locked"), std::string::npos) << second.ToString();
  SA_ASSERT_OK(a->Commit());
  // The gate was released by the commit; the failed Begin held nothing.
  SA_ASSERT_OK(b->Begin());
  SA_ASSERT_OK(b->Rollback());
  SA_ASSERT_OK(a->Begin());
  SA_ASSERT_OK(a->Commit());
}

TEST_F(SqliteGateTest, ConcurrentWritersOfOneProcessAllCommitInTurn) {
  constexpr int kThreads = 4, kEach = 40;
  SA_ASSERT_OK_AND_ASSIGN(auto db, OpenSqlite((dir_ / "b.sqlite").string()));
  {
    SA_ASSERT_OK_AND_ASSIGN(auto s, db->Connect());
    SA_ASSERT_OK(s->Exec("CREATE TABLE counter (n INTEGER NOT NULL)").status());
    SA_ASSERT_OK(s->Exec("INSERT INTO counter (n) VALUES (0)").status());
  }
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto s = db->Connect();
        if (!s.ok()) { results[t] = s.status(); return; }
        Transaction tx(**s);
        Status st = tx.Begin();
        // Read-modify-write: lost updates would show if two writers overlapped.
        StatusOr<std::vector<Row>> rows = st.ok() ? (*s)->Query("SELECT n FROM counter") : st;
        if (rows.ok()) st = (*s)->Exec("UPDATE counter SET n = ?", {AsInt(rows->at(0)[0]).value() + 1}).status();
        else st = rows.status();
        if (st.ok()) st = tx.Commit();
        if (!st.ok()) { results[t] = st; return; }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) SA_EXPECT_OK(r);
  SA_ASSERT_OK_AND_ASSIGN(auto s, db->Connect());
  SA_ASSERT_OK_AND_ASSIGN(auto rows, s->Query("SELECT n FROM counter"));
  EXPECT_EQ(AsInt(rows.at(0)[0]).value(), kThreads * kEach);
}

}  // namespace
}  // namespace sa::adapter::store
