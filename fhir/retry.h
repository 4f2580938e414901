// When to retry an HTTP exchange, how long to wait, and the loop that does it.
//
// Classification (what the caller does next):
//   2xx                       success
//   network error/timeout     retry (Status Unavailable from the transport)
//   408 429 502 503 504       retry
//   500                       retry only when RetryPolicy::retry_on_500
//   any other status          permanent: Status::Permanent carrying the
//                             operator rendering of the OperationOutcome
// Waits use exponential backoff with FULL jitter,
//   delay = uniform(0, min(max_delay, base_delay * 2^retry)),
// unless the server sent Retry-After (delta-seconds or HTTP-date), which is
// honoured up to max_retry_after. Writes are conditional (idempotent), so
// retrying a POST whose response was lost is safe.
#ifndef SA_FHIR_RETRY_H_
#define SA_FHIR_RETRY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "fhir/clock.h"
#include "fhir/http.h"
#include "fhir/status.h"

namespace sa::fhir {

struct RetryPolicy {
  int max_attempts = 4;                              // total, including the first
  std::chrono::milliseconds base_delay{500};         // first backoff ceiling
  std::chrono::milliseconds max_delay{30'000};       // cap of one backoff wait
  std::chrono::milliseconds max_retry_after{120'000};  // cap on a server's Retry-After
  bool retry_on_500 = false;  // 500 is usually a bug the same request re-triggers
};

// Checks the policy is usable (at least one attempt, non-negative delays).
Status ValidateRetryPolicy(const RetryPolicy& policy);

// Uniform random integers for jitter; an interface so tests can seed it.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A uniformly distributed integer in [0, max_inclusive].
  virtual uint64_t UniformUpTo(uint64_t max_inclusive) = 0;
};

// A thread-safe RandomSource: seeded with `seed` for reproducible tests, or
// from std::random_device when `seed` is empty.
std::unique_ptr<RandomSource> MakeRandomSource(std::optional<uint64_t> seed = std::nullopt);

enum class Disposition { kSuccess, kRetry, kPermanent };

// Classifies an HTTP status code as the table at the top of this file says.
Disposition ClassifyHttpStatus(int status, const RetryPolicy& policy);

// The Status for a non-2xx response: Unavailable for a retryable code,
// Permanent otherwise; the message is "HTTP <code>: <operator rendering>" and
// never holds raw body text.
Status HttpErrorStatus(const HttpResponse& response, const RetryPolicy& policy);

// The HTTP status code a Status made from a final non-2xx answer carries
// ("HTTP <code>…", as HttpErrorStatus and FhirClient write it); nullopt for
// any other Status (network errors, parse failures, ok). Lets a caller tell
// which 4xx the server sent without a second error type.
std::optional<int> HttpStatusOf(const Status& status);

// Full-jitter backoff before retry number `retry` (0 = the first retry).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, RandomSource& random);

// Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime form, RFC 9110 §5.6.7).
std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text);

// The wait a Retry-After value asks for, measured from `now`: delta-seconds
// or an HTTP-date (a date in the past means zero). Empty if unparseable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// Runs one logical request with retries. Not thread-safe; make one per call.
class Retrier {
 public:
  Retrier(const RetryPolicy& policy, Clock* clock, RandomSource* random)
      : policy_(policy), clock_(clock), random_(random) {}

  // Calls `attempt` until it yields a 2xx or a permanent response (returned
  // as is, for the caller to interpret), a non-Unavailable error (returned),
  // or attempts run out (Unavailable naming the last failure).
  StatusOr<HttpResponse> Run(const std::function<StatusOr<HttpResponse>()>& attempt);

  // Attempts made by the last Run.
  int attempts() const { return attempts_; }

 private:
  RetryPolicy policy_;
  Clock* clock_;
  RandomSource* random_;
  int attempts_ = 0;
};

}  // namespace sa::fhir

#endif  // SA_FHIR_RETRY_H_
