#include "adapter/api/http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace sa::adapter::api {
namespace {

// Idle buckets looked at per new key: keeps the sweep O(1) per request.
constexpr int kIdleChecksPerTake = 2;

}  // namespace

RateLimiter::RateLimiter(double per_second, double burst, std::size_t max_keys, fhir::Clock* clock)
    : per_second_(per_second),
      burst_(std::max(1.0, burst)),
      max_keys_(std::max<std::size_t>(1, max_keys)),
      clock_(clock ? clock : fhir::RealClock()) {}

void RateLimiter::Refill(Bucket& b, std::chrono::system_clock::time_point now) const {
  if (now > b.last) {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
  }
  // A clock that went backwards: keep the tokens, restart from now.
  b.last = now;
}

void RateLimiter::Evict(std::chrono::system_clock::time_point now) {
  for (int i = 0; i < kIdleChecksPerTake && !lru_.empty(); ++i) {
    auto it = buckets_.find(lru_.back());
    Bucket copy = it->second;
    Refill(copy, now);
    if (copy.tokens < burst_) break;  // the coldest is still in use: all are
    buckets_.erase(it);
    lru_.pop_back();
  }
  while (buckets_.size() >= max_keys_ && !lru_.empty()) {
    buckets_.erase(lru_.back());
    lru_.pop_back();
  }
}

RateLimiter::Decision RateLimiter::Take(const std::string& key) {
  if (per_second_ <= 0) return {};
  std::chrono::system_clock::time_point now = clock_->Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    Evict(now);
    lru_.push_front(key);
    it = buckets_.emplace(key, Bucket{burst_, now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    Refill(it->second, now);
  }
  Bucket& b = it->second;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {};
  }
  double wait = (1.0 - b.tokens) / per_second_;
  return {false, std::max(1, static_cast<int>(std::ceil(wait)))};
}

std::size_t RateLimiter::tracked_keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

}  // namespace sa::adapter::api
