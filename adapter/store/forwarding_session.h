// A DbSession that forwards every call to another session: the base of
// session decorators, which override only the calls they change (tests that
// inject a race or a wait at Begin or Commit, the benchmarks' timing
// decorator). Why a base: a decorator that spelled out every forwarding call
// itself would silently keep the DbSession default of any call added later
// (ExecAll once was), bypassing the session it wraps. The one call not
// forwarded is CommitAfter: its default is made of ExecAll and Commit, so a
// decorator that overrides Commit sees it; one that wants the wrapped
// session's single round trip forwards it itself.
#ifndef SA_ADAPTER_STORE_FORWARDING_SESSION_H_
#define SA_ADAPTER_STORE_FORWARDING_SESSION_H_

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "adapter/store/db.h"

namespace sa::adapter::store {

class ForwardingSession : public DbSession {
 public:
  // Owns `real`, the session every call goes to.
  explicit ForwardingSession(std::unique_ptr<DbSession> real) : real_(std::move(real)) {}
  Status Begin() override { return real_->Begin(); }
  Status Commit() override { return real_->Commit(); }
  Status Rollback() override { return real_->Rollback(); }
  StatusOr<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    return real_->Exec(sql, params);
  }
  StatusOr<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    return real_->Query(sql, params);
  }
  Status ExecAll(const std::vector<Statement>& statements) override { return real_->ExecAll(statements); }
  StatusOr<std::vector<Row>> QueryAll(const std::vector<Statement>& statements) override {
    return real_->QueryAll(statements);
  }
  Dialect dialect() const override { return real_->dialect(); }

 protected:
  std::unique_ptr<DbSession> real_;
};

// A Database handing out `base`'s sessions, each wrapped by Wrap: the base of
// database decorators in tests (a race before Begin, a wait at a commit).
class ForwardingDatabase : public Database {
 public:
  // `base` must outlive this object.
  explicit ForwardingDatabase(Database& base) : base_(base) {}
  StatusOr<std::unique_ptr<DbSession>> Connect() override {
    SA_ASSIGN_OR_RETURN(auto inner, base_.Connect());
    return Wrap(std::move(inner));
  }
  Dialect dialect() const override { return base_.dialect(); }

 protected:
  // The session handed out for `inner`, typically a ForwardingSession.
  virtual std::unique_ptr<DbSession> Wrap(std::unique_ptr<DbSession> inner) = 0;

 private:
  Database& base_;
};

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_FORWARDING_SESSION_H_
