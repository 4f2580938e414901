#include "adapter/store/fault_db.h"

#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "adapter/store/tx_state.h"

namespace sa::adapter::store {

struct FaultInjectingDatabase::State {
  struct Nth {
    FaultOp op;
    int remaining;
    Status status;
    FaultTiming timing;
  };
  struct Matching {
    std::string needle;
    Status status;
    FaultTiming timing;
  };
  struct Fired {
    Status status;
    FaultTiming timing;
  };

  // Counts the call and returns the fault it triggers, if any.
  std::optional<Fired> Check(FaultOp op, std::string_view sql = {}) {
    std::lock_guard<std::mutex> lock(mu);
    bool statement = op == FaultOp::kExec || op == FaultOp::kQuery;
    ++calls[op];
    if (statement) ++calls[FaultOp::kStatement];
    std::optional<Fired> result;
    for (auto it = nth.begin(); it != nth.end();) {
      bool targeted = it->op == op || (statement && it->op == FaultOp::kStatement);
      if (targeted && --it->remaining <= 0 && !result) {
        result = Fired{it->status, it->timing};
        it = nth.erase(it);
        continue;
      }
      // Another fault due on this same call waits for the next one.
      if (targeted && it->remaining <= 0) it->remaining = 1;
      ++it;
    }
    if (!result && statement) {
      for (const Matching& m : matching) {
        if (sql.find(m.needle) != std::string_view::npos) {
          result = Fired{m.status, m.timing};
          break;
        }
      }
    }
    if (result) ++fired;
    return result;
  }

  mutable std::mutex mu;
  std::vector<Nth> nth;
  std::vector<Matching> matching;
  std::map<FaultOp, int> calls;
  int fired = 0;
};

namespace {

using State = FaultInjectingDatabase::State;

class FaultSession final : public DbSession {
 public:
  FaultSession(std::unique_ptr<DbSession> inner, std::shared_ptr<State> state)
      : inner_(std::move(inner)), state_(std::move(state)) {}

  Status Begin() override {
    SA_RETURN_IF_ERROR(tx_.CheckCanBegin());
    // A Begin that "took effect" but reported failure would leave the caller
    // unaware of an open transaction; both timings fail before.
    if (auto fault = state_->Check(FaultOp::kBegin)) return fault->status;
    SA_RETURN_IF_ERROR(inner_->Begin());
    tx_.Began();
    return Status::Ok();
  }

  Status Commit() override {
    SA_RETURN_IF_ERROR(tx_.CheckCanCommit());
    if (tx_.aborted()) {
      Status why = tx_.AbortedCommit();
      (void)Rollback();
      return why;
    }
    auto fault = state_->Check(FaultOp::kCommit);
    if (fault && fault->timing == FaultTiming::kBefore) {
      (void)Rollback();
      return fault->status;
    }
    tx_.Ended();
    SA_RETURN_IF_ERROR(inner_->Commit());
    if (fault) return fault->status;  // committed, but the caller hears otherwise
    return Status::Ok();
  }

  Status Rollback() override {
    tx_.Ended();
    return inner_->Rollback();
  }

  StatusOr<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    return Run(FaultOp::kExec, sql, [&] { return inner_->Exec(sql, params); });
  }

  StatusOr<std::vector<Row>> Query(std::string_view sql,
                                   const std::vector<Value>& params) override {
    return Run(FaultOp::kQuery, sql, [&] { return inner_->Query(sql, params); });
  }

  // Through this session's Exec and Commit, so their faults apply.
  Status CommitAfter(const std::vector<Statement>& statements) override {
    SA_RETURN_IF_ERROR(tx_.CheckCanCommit());
    return DbSession::CommitAfter(statements);
  }
  Dialect dialect() const override { return inner_->dialect(); }

 private:
  template <typename F>
  auto Run(FaultOp op, std::string_view sql, F call) -> decltype(call()) {
    SA_RETURN_IF_ERROR(tx_.CheckNotAborted());
    auto fault = state_->Check(op, sql);
    if (fault && fault->timing == FaultTiming::kBefore) return Abort(fault->status);
    auto result = call();
    if (!result.ok()) return Abort(result.status());
    if (fault) return Abort(fault->status);
    return result;
  }

  Status Abort(Status status) { return tx_.Track(status); }

  std::unique_ptr<DbSession> inner_;
  std::shared_ptr<State> state_;
  TxState tx_;
};

}  // namespace

FaultInjectingDatabase::FaultInjectingDatabase(Database& base)
    : base_(base), state_(std::make_shared<State>()) {}

FaultInjectingDatabase::~FaultInjectingDatabase() = default;

void FaultInjectingDatabase::FailNth(FaultOp op, int n, Status status, FaultTiming timing) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->nth.push_back({op, n < 1 ? 1 : n, std::move(status), timing});
}

void FaultInjectingDatabase::FailMatching(std::string needle, Status status, FaultTiming timing) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->matching.push_back({std::move(needle), std::move(status), timing});
}

void FaultInjectingDatabase::Clear() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->nth.clear();
  state_->matching.clear();
}

int FaultInjectingDatabase::fired() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->fired;
}

int FaultInjectingDatabase::calls(FaultOp op) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->calls.find(op);
  return it == state_->calls.end() ? 0 : it->second;
}

StatusOr<std::unique_ptr<DbSession>> FaultInjectingDatabase::Connect() {
  auto fault = state_->Check(FaultOp::kConnect);
  if (fault && fault->timing == FaultTiming::kBefore) return fault->status;
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> inner, base_.Connect());
  if (fault) return fault->status;  // connected, then "lost" the connection
  return std::unique_ptr<DbSession>(std::make_unique<FaultSession>(std::move(inner), state_));
}

Dialect FaultInjectingDatabase::dialect() const { return base_.dialect(); }

}  // namespace sa::adapter::store
