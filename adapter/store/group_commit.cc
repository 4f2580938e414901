#include "adapter/store/group_commit.h"

#include <algorithm>
#include <utility>

namespace sa::adapter::store {

std::size_t DefaultGroupsInFlight(Dialect dialect) {
  return dialect == Dialect::kPostgres ? kDefaultPostgresGroupsInFlight : kDefaultSqliteGroupsInFlight;
}

GroupCommit::GroupCommit(Database* db, std::size_t max_group, Finish finish, std::size_t max_in_flight)
    : db_(db),
      max_group_(std::max<std::size_t>(1, max_group)),
      finish_(std::move(finish)),
      max_in_flight_(max_in_flight ? max_in_flight : DefaultGroupsInFlight(db->dialect())) {}

StatusOr<bool> GroupCommit::Run(const Write& write, std::any tail) {
  Waiter me{&write, &tail};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  changed_.wait(lock, [&] {
    return me.done || (queue_.front() == &me && in_flight_ < max_in_flight_ && !writing_);
  });
  if (me.done) return me.result;  // a leader ran it

  // Leader: take the first writes in the queue, this one first.
  const auto take = static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_group_));
  std::vector<Waiter*> group(queue_.begin(), queue_.begin() + take);
  queue_.erase(queue_.begin(), queue_.begin() + take);
  ++in_flight_;
  running_ += group.size();
  // With one group at a time there is no next group to let in early.
  const bool staged = max_in_flight_ > 1;
  writing_ = staged;
  bool holds_write_stage = staged;
  lock.unlock();
  const std::function<void()> writes_done = [&] {
    if (!holds_write_stage) return;
    holds_write_stage = false;
    EndWriteStage();
  };
  Status status = RunGroup(group, staged ? writes_done : nullptr);
  writes_done();  // a group that failed before its Finish
  bool fell_back = false;
  if (!status.ok()) {
    if (group.size() == 1) {
      me.result = status;
    } else {
      // Something in the group failed: each alone, so a failure is its own.
      fell_back = true;
      for (Waiter* w : group) {
        Status alone = RunGroup({w});
        if (!alone.ok()) w->result = alone;
      }
    }
  }
  lock.lock();
  ++stats_.groups;
  stats_.writes += static_cast<int64_t>(group.size());
  if (fell_back) ++stats_.fallbacks;
  for (Waiter* w : group) w->done = true;
  --in_flight_;
  running_ -= group.size();
  lock.unlock();
  changed_.notify_all();  // the group's callers, and the next leader
  return me.result;
}

void GroupCommit::EndWriteStage() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
  }
  changed_.notify_all();  // the next in line may start its group
}

Status GroupCommit::RunGroup(const std::vector<Waiter*>& group, const std::function<void()>& writes_done) {
  SA_ASSIGN_OR_RETURN(auto session, db_->Connect());
  Transaction tx(*session);
  SA_RETURN_IF_ERROR(tx.Begin());
  std::vector<bool> wrote;
  std::vector<const std::any*> tails;
  for (Waiter* w : group) {
    SA_ASSIGN_OR_RETURN(bool did, (*w->write)(*session));
    wrote.push_back(did);
    if (did) tails.push_back(w->tail);
  }
  if (writes_done) writes_done();
  std::vector<Statement> last;
  if (finish_ && !tails.empty()) {
    SA_ASSIGN_OR_RETURN(last, finish_(*session, tails));
  }
  SA_RETURN_IF_ERROR(last.empty() ? tx.Commit() : tx.CommitAfter(last));
  for (std::size_t i = 0; i < group.size(); ++i) group[i]->result = static_cast<bool>(wrote[i]);
  return Status::Ok();
}

std::size_t GroupCommit::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + running_;
}

std::size_t GroupCommit::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace sa::adapter::store
