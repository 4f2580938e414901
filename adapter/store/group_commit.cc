#include "adapter/store/group_commit.h"

#include <algorithm>
#include <utility>

namespace sa::adapter::store {

GroupCommit::GroupCommit(Database* db, std::size_t max_group, Finish finish)
    : db_(db), max_group_(std::max<std::size_t>(1, max_group)), finish_(std::move(finish)) {}

StatusOr<bool> GroupCommit::Run(const Write& write, std::any tail) {
  Waiter me{&write, &tail};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&me);
  changed_.wait(lock, [&] { return me.done || queue_.front() == &me; });
  if (me.done) return me.result;  // a leader ran it

  // Leader: take the first writes in the queue, this one first.
  std::vector<Waiter*> group(queue_.begin(),
                             queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_group_)));
  lock.unlock();
  Status status = RunGroup(group);
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
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(group.size()));
  lock.unlock();
  changed_.notify_all();  // the group's callers, and the next leader
  return me.result;
}

Status GroupCommit::RunGroup(const std::vector<Waiter*>& group) {
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
  if (finish_ && !tails.empty()) SA_RETURN_IF_ERROR(finish_(*session, tails));
  SA_RETURN_IF_ERROR(tx.Commit());
  for (std::size_t i = 0; i < group.size(); ++i) group[i]->result = static_cast<bool>(wrote[i]);
  return Status::Ok();
}

std::size_t GroupCommit::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace sa::adapter::store
