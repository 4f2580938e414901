// TaskSlots: every task of a group runs before its Wait returns; no more
// tasks run at once than there are slots; a later group's tasks start while
// an earlier group is still running (the slots stay busy across groups);
// queued tasks are dropped, running ones finished, at destruction.
#include "adapter/core/task_slots.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sa::adapter {
namespace {

TEST(TaskSlotsTest, WaitReturnsAfterEveryTaskOfTheGroupRan) {
  TaskSlots slots(3);
  EXPECT_EQ(slots.threads(), 3u);
  std::vector<int> ran(20, 0);
  std::vector<std::function<void()>> tasks;
  for (int i = 0; i < 20; ++i) tasks.push_back([&ran, i] { ran[i] = i + 1; });
  slots.Submit(std::move(tasks))->Wait();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(ran[i], i + 1);
  slots.Submit({})->Wait();  // an empty group is done at once
}

TEST(TaskSlotsTest, NoMoreTasksRunAtOnceThanSlots) {
  TaskSlots slots(2);
  std::atomic<int> running{0}, most{0};
  std::vector<std::function<void()>> tasks;
  for (int i = 0; i < 12; ++i) {
    tasks.push_back([&] {
      const int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      --running;
    });
  }
  slots.Submit(std::move(tasks))->Wait();
  EXPECT_EQ(most.load(), 2);
}

TEST(TaskSlotsTest, ANextGroupStartsWhileTheFirstIsStillRunning) {
  TaskSlots slots(2);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, second_ran = false;
  // The first group: one task held until the second group has run.
  auto first = slots.Submit({[&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
  }});
  auto second = slots.Submit({[&] {
    std::lock_guard<std::mutex> lock(mu);
    second_ran = true;
  }});
  second->Wait();  // ran on the other slot while the first group is held
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(second_ran);
    release = true;
  }
  cv.notify_all();
  first->Wait();
}

TEST(TaskSlotsTest, DestructionDropsQueuedTasksAndFinishesRunningOnes) {
  std::atomic<int> ran{0};
  std::atomic<bool> started{false};
  {
    TaskSlots slots(1);
    std::vector<std::function<void()>> tasks;
    tasks.push_back([&] {
      started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      ++ran;
    });
    for (int i = 0; i < 5; ++i) tasks.push_back([&] { ++ran; });
    slots.Submit(std::move(tasks));
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }  // the running task finishes; the five queued behind it never start
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace sa::adapter
