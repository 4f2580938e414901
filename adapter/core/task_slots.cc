#include "adapter/core/task_slots.h"

#include <algorithm>
#include <system_error>
#include <utility>

namespace sa::adapter {

TaskSlots::TaskSlots(int threads) {
  const int wanted = std::max(threads, 1);
  for (int t = 0; t < wanted; ++t) {
    try {
      threads_.emplace_back([this] { Loop(); });
    } catch (const std::system_error&) {
      break;  // no thread to be had: those started (or Wait) do the work
    }
  }
}

TaskSlots::~TaskSlots() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  work_.notify_all();
  for (auto& t : threads_) t.join();
}

std::shared_ptr<TaskSlots::Group> TaskSlots::Submit(std::vector<std::function<void()>> tasks) {
  std::shared_ptr<Group> group(new Group(this, tasks.size()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& task : tasks) queue_.push_back({group, std::move(task)});
  }
  work_.notify_all();
  return group;
}

void TaskSlots::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Queued q = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    RunOne(std::move(q));
    lock.lock();
  }
}

void TaskSlots::RunOne(Queued q) {
  q.task();
  bool last = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last = --q.group->remaining_ == 0;
  }
  if (last) done_.notify_all();  // only a group's end wakes its waiter
}

void TaskSlots::Group::Wait() {
  TaskSlots& s = *slots_;
  std::unique_lock<std::mutex> lock(s.mu_);
  if (s.threads_.empty()) {
    // No slot will run them: this thread does, in queue order.
    for (auto it = s.queue_.begin(); it != s.queue_.end();) {
      if (it->group.get() != this) {
        ++it;
        continue;
      }
      Queued q = std::move(*it);
      it = s.queue_.erase(it);
      lock.unlock();
      s.RunOne(std::move(q));
      lock.lock();
      it = s.queue_.begin();
    }
  }
  s.done_.wait(lock, [this] { return remaining_ == 0; });
}

}  // namespace sa::adapter
