// Benchmark diagnostics only, never the production path: two Database
// decorators that explain where the store's time goes.
//
// PooledDatabase reuses connections. The store opens a new connection on
// every Connect() (poco_db.cc), and IntakeService and OutboxWorker connect
// once per call. On SQLite, closing the last connection of a WAL database
// checkpoints it and deletes the -wal and -shm files, so every call also pays
// a checkpoint and two file creations; on PostgreSQL every call pays a
// PQping, a new backend process and two SETs. The pool shows what connection
// reuse would give.
//
// TimingDatabase adds up the time spent connecting, in statements and in
// commits, so a benchmark can split a run into HTTP, database and the rest.
#ifndef SA_TESTS_BENCH_DB_DIAGNOSTICS_H_
#define SA_TESTS_BENCH_DB_DIAGNOSTICS_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

#include "adapter/store/db.h"

namespace sa::bench {

// Forwards every call of a session to another one.
class ForwardingSession : public adapter::store::DbSession {
 public:
  explicit ForwardingSession(std::unique_ptr<adapter::store::DbSession> real) : real_(std::move(real)) {}
  Status Begin() override { return real_->Begin(); }
  Status Commit() override { return real_->Commit(); }
  Status Rollback() override { return real_->Rollback(); }
  StatusOr<int64_t> Exec(std::string_view sql, const std::vector<adapter::store::Value>& params) override {
    return real_->Exec(sql, params);
  }
  StatusOr<std::vector<adapter::store::Row>> Query(std::string_view sql,
                                                   const std::vector<adapter::store::Value>& params) override {
    return real_->Query(sql, params);
  }
  adapter::store::Dialect dialect() const override { return real_->dialect(); }

 protected:
  std::unique_ptr<adapter::store::DbSession> real_;
};

class PooledDatabase : public adapter::store::Database {
 public:
  // `inner` is not owned and must outlive this object.
  explicit PooledDatabase(adapter::store::Database* inner) : inner_(inner) {}
  // The same, owning `inner`.
  explicit PooledDatabase(std::unique_ptr<adapter::store::Database> inner)
      : owned_(std::move(inner)), inner_(owned_.get()) {}
  ~PooledDatabase() override { idle_.clear(); }

  StatusOr<std::unique_ptr<adapter::store::DbSession>> Connect() override {
    std::unique_ptr<adapter::store::DbSession> real;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        real = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!real) {
      SA_ASSIGN_OR_RETURN(real, inner_->Connect());
    }
    return std::unique_ptr<adapter::store::DbSession>(new Lease(this, std::move(real)));
  }
  adapter::store::Dialect dialect() const override { return inner_->dialect(); }

 private:
  // Gives the session back (rolled back) when destroyed.
  class Lease : public ForwardingSession {
   public:
    Lease(PooledDatabase* pool, std::unique_ptr<adapter::store::DbSession> real)
        : ForwardingSession(std::move(real)), pool_(pool) {}
    ~Lease() override {
      if (real_->Rollback().ok()) pool_->Return(std::move(real_));
    }

   private:
    PooledDatabase* pool_;
  };

  void Return(std::unique_ptr<adapter::store::DbSession> session) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(session));
  }

  std::unique_ptr<adapter::store::Database> owned_;
  adapter::store::Database* inner_;
  std::mutex mu_;
  std::vector<std::unique_ptr<adapter::store::DbSession>> idle_;
};

// Time spent in the store, summed over every session and thread.
struct DbTimes {
  std::atomic<int64_t> connect_ns{0}, statement_ns{0}, commit_ns{0}, commits{0};
  void Reset() {
    connect_ns = statement_ns = commit_ns = commits = 0;
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
      // Closing is part of connecting (SQLite checkpoints a WAL database here).
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
    StatusOr<int64_t> Exec(std::string_view sql, const std::vector<adapter::store::Value>& params) override {
      return Time(times_->statement_ns, [&] { return real_->Exec(sql, params); });
    }
    StatusOr<std::vector<adapter::store::Row>> Query(std::string_view sql,
                                                     const std::vector<adapter::store::Value>& params) override {
      return Time(times_->statement_ns, [&] { return real_->Query(sql, params); });
    }

   private:
    DbTimes* times_;
  };

  std::unique_ptr<adapter::store::Database> inner_;
  DbTimes* times_;
};

}  // namespace sa::bench

#endif  // SA_TESTS_BENCH_DB_DIAGNOSTICS_H_
