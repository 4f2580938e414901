// A fixed set of threads running queued tasks in order: the delivery
// worker's slots, kept busy across batches.
//
// Why: a worker that starts threads for a batch and joins them at its end
// leaves slots idle while the batch's slowest plan finishes and while its
// outcomes commit. With the slots kept here, the next batch is queued behind
// the current one, and the slots go straight on to it while the current
// batch's outcomes are being recorded (docs/performance.md).
#ifndef SA_ADAPTER_CORE_TASK_SLOTS_H_
#define SA_ADAPTER_CORE_TASK_SLOTS_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sa::adapter {

class TaskSlots {
 public:
  // The tasks of one Submit: Wait() returns once every one of them ran.
  class Group {
   public:
    // Blocks until the group's tasks have all run. With no slot thread at
    // all (none could be started), runs them itself, in order.
    void Wait();

   private:
    friend class TaskSlots;
    explicit Group(TaskSlots* slots, std::size_t tasks) : slots_(slots), remaining_(tasks) {}
    TaskSlots* slots_;
    std::size_t remaining_;  // guarded by slots_->mu_
  };

  // Starts `threads` threads (at least 1 asked for; fewer if the system has
  // none to give).
  explicit TaskSlots(int threads);
  // Drops the queued tasks not yet started, waits for the running ones.
  // Nobody may Wait() on a group after this starts.
  ~TaskSlots();
  TaskSlots(const TaskSlots&) = delete;
  TaskSlots& operator=(const TaskSlots&) = delete;

  // Queues `tasks` behind every task already queued, as one group. A task
  // must not throw (it runs on a slot thread).
  std::shared_ptr<Group> Submit(std::vector<std::function<void()>> tasks);

  // Threads actually started.
  std::size_t threads() const { return threads_.size(); }

 private:
  struct Queued {
    std::shared_ptr<Group> group;
    std::function<void()> task;
  };
  void Loop();
  // Runs `q`'s task and counts it done (mu_ not held).
  void RunOne(Queued q);

  std::mutex mu_;
  std::condition_variable work_;  // a task queued, or stopping
  std::condition_variable done_;  // a task finished
  std::deque<Queued> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_TASK_SLOTS_H_
