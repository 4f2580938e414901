// What every session keeps to give transactions db.h's behaviour on both
// databases: whether one is open, and the first error inside it, after which
// the transaction is aborted (later statements and Commit refuse; Commit
// rolls back). Why one class: the SQLite and PostgreSQL sessions and the
// fault-injecting decorator each need exactly this, with the same messages.
#ifndef SA_ADAPTER_STORE_TX_STATE_H_
#define SA_ADAPTER_STORE_TX_STATE_H_

#include <optional>
#include <string>

#include "fhir/status.h"

namespace sa::adapter::store {

class TxState {
 public:
  bool open() const { return open_; }
  bool aborted() const { return aborted_.has_value(); }

  // FailedPrecondition when a transaction is already open.
  Status CheckCanBegin() const {
    return open_ ? Status::FailedPrecondition("a transaction is already open") : Status::Ok();
  }
  // FailedPrecondition when none is open.
  Status CheckCanCommit() const {
    return open_ ? Status::Ok() : Status::FailedPrecondition("no transaction to commit");
  }
  // FailedPrecondition naming the first error when the transaction was
  // aborted: for statements, which the caller should stop sending.
  Status CheckNotAborted() const {
    if (!aborted_) return Status::Ok();
    return Status::FailedPrecondition("transaction aborted by an earlier error (" + aborted_->ToString() +
                                      "); roll it back");
  }
  // What Commit answers for an aborted transaction, after rolling it back.
  Status AbortedCommit() const {
    return Status::FailedPrecondition("transaction aborted by an earlier error (" +
                                      (aborted_ ? aborted_->ToString() : std::string("?")) + "); rolled back");
  }

  void Began() {
    open_ = true;
    aborted_.reset();
  }
  void Ended() {
    open_ = false;
    aborted_.reset();
  }
  // Remembers `status` if it is the first failure inside the open transaction.
  const Status& Track(const Status& status) {
    if (!status.ok() && open_ && !aborted_) aborted_ = status;
    return status;
  }

 private:
  bool open_ = false;
  std::optional<Status> aborted_;
};

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_TX_STATE_H_
