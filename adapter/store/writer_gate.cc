#include "adapter/store/writer_gate.h"

namespace sa::adapter::store {

bool WriterGate::Acquire(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!free_.wait_for(lock, timeout, [this] { return !held_; })) return false;
  held_ = true;
  return true;
}

void WriterGate::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = false;
  }
  free_.notify_one();
}

}  // namespace sa::adapter::store
