// Time behind an interface (leveldb's Env idea): token expiry, backoff and
// Retry-After read the clock and sleep through it, so tests use FakeClock and
// never really wait.
#ifndef SA_FHIR_CLOCK_H_
#define SA_FHIR_CLOCK_H_

#include <chrono>
#include <mutex>
#include <vector>

namespace sa::fhir {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock now (JWT iat/exp and HTTP dates are wall-clock times).
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Blocks the calling thread for `duration` (backoff between attempts).
  virtual void SleepFor(std::chrono::milliseconds duration) = 0;
};

// The process-wide real clock; never null, never destroyed.
Clock* RealClock();

// A clock for tests: time only moves when told to, and SleepFor records the
// requested wait and advances time by it instead of blocking.
class FakeClock : public Clock {
 public:
  // A clock stopped at `start` (by default a fixed instant in 2023).
  explicit FakeClock(std::chrono::system_clock::time_point start =
                         std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)))
      : now_(start) {}

  std::chrono::system_clock::time_point Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void SleepFor(std::chrono::milliseconds duration) override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(duration);
    now_ += duration;
  }
  // Moves time forward without recording a sleep.
  void Advance(std::chrono::milliseconds duration) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += duration;
  }
  // Every SleepFor duration so far, in order.
  std::vector<std::chrono::milliseconds> sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point now_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace sa::fhir

#endif  // SA_FHIR_CLOCK_H_
