#include "adapter/store/session_pool.h"

#include <mutex>
#include <utility>
#include <vector>

namespace sa::adapter::store {

struct SessionPool::Shared {
  std::mutex mu;
  std::vector<std::unique_ptr<PoolableSession>> idle;  // most recently returned last
  int max_idle = 0;
  bool closed = false;  // the pool is gone: returned connections are closed

  // Keeps `session` if there is room; otherwise it is closed (destroyed).
  void Return(std::unique_ptr<PoolableSession> session) {
    std::unique_ptr<PoolableSession> surplus;
    std::lock_guard<std::mutex> lock(mu);
    if (closed || static_cast<int>(idle.size()) >= max_idle) {
      surplus = std::move(session);  // closed after the lock is released
      return;
    }
    idle.push_back(std::move(session));
  }
};

namespace {

// What Acquire hands out: forwards to the connection, gives it back when
// destroyed.
class PooledHandle final : public DbSession {
 public:
  PooledHandle(std::unique_ptr<PoolableSession> session, std::shared_ptr<SessionPool::Shared> pool)
      : session_(std::move(session)), pool_(std::move(pool)) {}
  ~PooledHandle() override {
    if (session_->ResetForReuse()) pool_->Return(std::move(session_));
  }

  Status Begin() override { return session_->Begin(); }
  Status Commit() override { return session_->Commit(); }
  Status Rollback() override { return session_->Rollback(); }
  StatusOr<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    return session_->Exec(sql, params);
  }
  StatusOr<std::vector<Row>> Query(std::string_view sql,
                                   const std::vector<Value>& params) override {
    return session_->Query(sql, params);
  }
  Status ExecAll(const std::vector<Statement>& statements) override {
    return session_->ExecAll(statements);
  }
  StatusOr<std::vector<Row>> QueryAll(const std::vector<Statement>& statements) override {
    return session_->QueryAll(statements);
  }
  Status CommitAfter(const std::vector<Statement>& statements) override {
    return session_->CommitAfter(statements);
  }
  Dialect dialect() const override { return session_->dialect(); }

 private:
  std::unique_ptr<PoolableSession> session_;
  std::shared_ptr<SessionPool::Shared> pool_;
};

}  // namespace

SessionPool::SessionPool(Opener open, int max_idle)
    : open_(std::move(open)), shared_(std::make_shared<Shared>()) {
  shared_->max_idle = max_idle < 0 ? 0 : max_idle;
}

SessionPool::~SessionPool() {
  std::vector<std::unique_ptr<PoolableSession>> closing;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->closed = true;
    closing.swap(shared_->idle);
  }
  // `closing` is destroyed here, outside the lock: each connection closes.
}

StatusOr<std::unique_ptr<DbSession>> SessionPool::Acquire() {
  while (true) {
    std::unique_ptr<PoolableSession> session;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      if (shared_->idle.empty()) break;
      session = std::move(shared_->idle.back());
      shared_->idle.pop_back();
    }
    // Checked outside the lock; a dead one is closed and the next one tried.
    if (session->LooksAlive()) {
      return std::unique_ptr<DbSession>(new PooledHandle(std::move(session), shared_));
    }
  }
  SA_ASSIGN_OR_RETURN(std::unique_ptr<PoolableSession> fresh, open_());
  return std::unique_ptr<DbSession>(new PooledHandle(std::move(fresh), shared_));
}

int SessionPool::idle() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return static_cast<int>(shared_->idle.size());
}

}  // namespace sa::adapter::store
