#include "adapter/api/http/rate_limiter.h"

#include <gtest/gtest.h>

namespace sa::adapter::api {
namespace {

using std::chrono::milliseconds;

TEST(HttpRateLimiterTest, BurstThenRefusedWithRetryAfterThenRefills) {
  fhir::FakeClock clock;
  RateLimiter limiter(2, 3, RateLimiter::kMaxTrackedKeys, &clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("a").allowed);
  RateLimiter::Decision d = limiter.Take("a");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1);     // 0.5 s rounds up
  EXPECT_TRUE(limiter.Take("b").allowed);  // keys are independent
  clock.Advance(milliseconds(500));
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_FALSE(limiter.Take("a").allowed);
}

TEST(HttpRateLimiterTest, RetryAfterIsWholeSecondsRoundedUp) {
  fhir::FakeClock clock;
  RateLimiter limiter(0.25, 1, 10, &clock);
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_EQ(limiter.Take("a").retry_after_seconds, 4);
  clock.Advance(milliseconds(1500));
  EXPECT_EQ(limiter.Take("a").retry_after_seconds, 3);
}

TEST(HttpRateLimiterTest, TrackedKeysAreBoundedAndIdleOnesGoFirst) {
  fhir::FakeClock clock;
  RateLimiter limiter(1, 2, 3, &clock);
  for (std::string k : {"a", "b", "c", "d", "e"}) limiter.Take(k);
  EXPECT_LE(limiter.tracked_keys(), 3u);
  clock.Advance(milliseconds(5000));  // every bucket is full again: idle
  limiter.Take("f");
  EXPECT_LE(limiter.tracked_keys(), 2u);
}

TEST(HttpRateLimiterTest, ZeroRateDisables) {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Take("a").allowed);
}

TEST(HttpRateLimiterTest, ClockGoingBackRefillsNothing) {
  fhir::FakeClock clock;
  RateLimiter limiter(1, 1, 10, &clock);
  EXPECT_TRUE(limiter.Take("a").allowed);
  clock.Advance(-milliseconds(3'600'000));
  EXPECT_FALSE(limiter.Take("a").allowed);
  clock.Advance(milliseconds(1000));  // refills from the earlier time on
  EXPECT_TRUE(limiter.Take("a").allowed);
}

}  // namespace
}  // namespace sa::adapter::api
