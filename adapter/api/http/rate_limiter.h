// A token bucket per client key, so one noisy caller cannot starve the rest.
// Memory is bounded: at most max_keys buckets; idle ones are dropped first.
#ifndef SA_ADAPTER_API_HTTP_RATE_LIMITER_H_
#define SA_ADAPTER_API_HTTP_RATE_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "fhir/clock.h"

namespace sa::adapter::api {

class RateLimiter {
 public:
  // The most keys tracked at once. A new key beyond it evicts the least
  // recently seen one (which then starts again with a full bucket): under a
  // flood of distinct keys the limit weakens, memory does not grow.
  static constexpr std::size_t kMaxTrackedKeys = 10'000;

  struct Decision {
    bool allowed = true;
    // When refused: whole seconds until one token is back (at least 1), for
    // the Retry-After header. Zero when allowed.
    int retry_after_seconds = 0;
  };

  // Buckets refill at `per_second` tokens a second up to `burst` tokens; a
  // new key starts full. per_second <= 0 disables limiting (every Take is
  // allowed). `clock` (not owned) defaults to the real clock; tests pass a
  // fhir::FakeClock. A clock that goes backwards refills nothing.
  RateLimiter(double per_second, double burst, std::size_t max_keys = kMaxTrackedKeys,
              fhir::Clock* clock = nullptr);

  // Takes one token from `key`'s bucket: allowed, or refused with the wait.
  // Thread-safe.
  Decision Take(const std::string& key);

  // How many keys have a bucket now (for tests and a gauge).
  std::size_t tracked_keys() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::system_clock::time_point last;
    std::list<std::string>::iterator lru;  // position in lru_ (front = most recent)
  };

  // Brings `b` up to `now`.
  void Refill(Bucket& b, std::chrono::system_clock::time_point now) const;
  // Before a new key is added: drops idle (full again) buckets from the cold
  // end, and, at capacity, the least recently seen ones.
  void Evict(std::chrono::system_clock::time_point now);

  const double per_second_;
  const double burst_;
  const std::size_t max_keys_;
  fhir::Clock* const clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> lru_;
};

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_RATE_LIMITER_H_
