// Benchmark diagnostics only, never the production path: a Database
// decorator that explains where the store's time goes.
//
// TimingDatabase adds up the time spent getting and giving back a connection
// (Connect() and the session's destruction: with the store's pool a checkout
// and a return, without it an open and a close), in statements and in
// commits, so a benchmark can split a run into HTTP, database and the rest.
#ifndef SA_TESTS_BENCH_DB_DIAGNOSTICS_H_
#define SA_TESTS_BENCH_DB_DIAGNOSTICS_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <type_traits>
#include <vector>

#include "adapter/store/db.h"
#include "adapter/store/forwarding_session.h"

namespace sa::bench {

using adapter::store::ForwardingSession;

// Time spent in the store, summed over every session and thread.
struct DbTimes {
  std::atomic<int64_t> connect_ns{0}, statement_ns{0}, commit_ns{0}, commits{0}, statements{0};
  void Reset() {
    connect_ns = statement_ns = commit_ns = commits = statements = 0;
  }
  static double Seconds(const std::atomic<int64_t>& ns) { return static_cast<double>(ns.load()) / 1e9; }
};

class TimingDatabase : public adapter::store::Database {
 public:
  // Owns `inner`; adds to `times` (not owned).
  TimingDatabase(std::unique_ptr<adapter::store::Database> inner, DbTimes* times)
      : inner_(std::move(inner)), times_(times) {}

  StatusOr<std::unique_ptr<adapter::store::DbSession>> Connect() override {
    auto t0 = std::chrono::steady_clock::now();
    auto real = inner_->Connect();
    times_->connect_ns += Since(t0);
    if (!real.ok()) return real.status();
    return std::unique_ptr<adapter::store::DbSession>(new Timed(std::move(real).value(), times_));
  }
  adapter::store::Dialect dialect() const override { return inner_->dialect(); }

 private:
  static int64_t Since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  }
  class Timed : public ForwardingSession {
   public:
    Timed(std::unique_ptr<adapter::store::DbSession> real, DbTimes* times)
        : ForwardingSession(std::move(real)), times_(times) {}
    ~Timed() override {
      // Giving the connection back is part of connecting (a rollback check
      // and a return to the pool; without a pool, the close).
      auto t0 = std::chrono::steady_clock::now();
      real_.reset();
      times_->connect_ns += Since(t0);
    }
    template <typename F>
    static std::invoke_result_t<F> Time(std::atomic<int64_t>& into, F f) {
      auto t0 = std::chrono::steady_clock::now();
      auto r = f();
      into += Since(t0);
      return r;
    }
    Status Begin() override { return Time(times_->statement_ns, [&] { return real_->Begin(); }); }
    Status Commit() override {
      ++times_->commits;
      return Time(times_->commit_ns, [&] { return real_->Commit(); });
    }
    // Timed as the commit it ends with (on PostgreSQL one round trip).
    Status CommitAfter(const std::vector<adapter::store::Statement>& statements) override {
      ++times_->commits;
      times_->statements += static_cast<int64_t>(statements.size());
      return Time(times_->commit_ns, [&] { return real_->CommitAfter(statements); });
    }
    StatusOr<int64_t> Exec(std::string_view sql, const std::vector<adapter::store::Value>& params) override {
      ++times_->statements;
      return Time(times_->statement_ns, [&] { return real_->Exec(sql, params); });
    }
    StatusOr<std::vector<adapter::store::Row>> Query(std::string_view sql,
                                                     const std::vector<adapter::store::Value>& params) override {
      ++times_->statements;
      return Time(times_->statement_ns, [&] { return real_->Query(sql, params); });
    }
    // Counted as its statements, timed as statement time (one round trip on
    // PostgreSQL for all of them).
    Status ExecAll(const std::vector<adapter::store::Statement>& statements) override {
      times_->statements += static_cast<int64_t>(statements.size());
      return Time(times_->statement_ns, [&] { return real_->ExecAll(statements); });
    }
    StatusOr<std::vector<adapter::store::Row>> QueryAll(
        const std::vector<adapter::store::Statement>& statements) override {
      times_->statements += static_cast<int64_t>(statements.size());
      return Time(times_->statement_ns, [&] { return real_->QueryAll(statements); });
    }

   private:
    DbTimes* times_;
  };

  std::unique_ptr<adapter::store::Database> inner_;
  DbTimes* times_;
};

}  // namespace sa::bench

#endif  // SA_TESTS_BENCH_DB_DIAGNOSTICS_H_
