#include "fhir/retry.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "fhir/operation_outcome.h"

namespace sa::fhir {
namespace {

using std::chrono::milliseconds;

class Mt64RandomSource : public RandomSource {
 public:
  explicit Mt64RandomSource(uint64_t seed) : engine_(seed) {}
  uint64_t UniformUpTo(uint64_t max_inclusive) override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::uniform_int_distribution<uint64_t>(0, max_inclusive)(engine_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '-' || c == ':') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::optional<int> Number(const std::string& s, size_t min_digits, size_t max_digits) {
  if (s.size() < min_digits || s.size() > max_digits) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<unsigned> Month(const std::string& s) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < 12; ++i) {
    if (s == kMonths[i]) return i + 1;
  }
  return std::nullopt;
}

}  // namespace

Status ValidateRetryPolicy(const RetryPolicy& policy) {
  if (policy.max_attempts < 1) return Status::InvalidArgument("retry max_attempts must be >= 1");
  if (policy.base_delay.count() < 0 || policy.max_delay.count() < 0 ||
      policy.max_retry_after.count() < 0) {
    return Status::InvalidArgument("retry delays must not be negative");
  }
  return Status::Ok();
}

std::unique_ptr<RandomSource> MakeRandomSource(std::optional<uint64_t> seed) {
  if (seed) return std::make_unique<Mt64RandomSource>(*seed);
  std::random_device rd;
  uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return std::make_unique<Mt64RandomSource>(s);
}

Disposition ClassifyHttpStatus(int status, const RetryPolicy& policy) {
  if (status >= 200 && status < 300) return Disposition::kSuccess;
  switch (status) {
    case 408: case 429: case 502: case 503: case 504:
      return Disposition::kRetry;
    case 500:
      return policy.retry_on_500 ? Disposition::kRetry : Disposition::kPermanent;
    default:
      return Disposition::kPermanent;
  }
}

Status HttpErrorStatus(const HttpResponse& response, const RetryPolicy& policy) {
  std::string message =
      "HTTP " + std::to_string(response.status) + ": " + RenderErrorBody(response.body);
  if (ClassifyHttpStatus(response.status, policy) == Disposition::kRetry) {
    return Status::Unavailable(std::move(message));
  }
  return Status::Permanent(std::move(message));
}

std::optional<int> HttpStatusOf(const Status& status) {
  constexpr std::string_view kPrefix = "HTTP ";
  const std::string& m = status.message();
  if (status.ok() || m.size() < kPrefix.size() + 4 || m.compare(0, kPrefix.size(), kPrefix) != 0) {
    return std::nullopt;
  }
  int code = 0;
  for (std::size_t i = kPrefix.size(); i < kPrefix.size() + 3; ++i) {
    if (m[i] < '0' || m[i] > '9') return std::nullopt;
    code = code * 10 + (m[i] - '0');
  }
  const char after = m[kPrefix.size() + 3];
  if (after != ':' && after != ' ') return std::nullopt;
  return code;
}

milliseconds BackoffDelay(const RetryPolicy& policy, int retry, RandomSource& random) {
  const int64_t cap = std::max<int64_t>(0, policy.max_delay.count());
  int64_t ceiling = std::max<int64_t>(0, policy.base_delay.count());
  for (int i = 0; i < retry && ceiling < cap; ++i) ceiling *= 2;  // saturates at cap
  ceiling = std::min(ceiling, cap);
  return milliseconds(static_cast<int64_t>(random.UniformUpTo(static_cast<uint64_t>(ceiling))));
}

std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text) {
  std::vector<std::string> t = Tokens(text);
  std::optional<int> day, year, hour, minute, second;
  std::optional<unsigned> month;
  if (t.size() == 8 && t[7] == "GMT") {  // IMF-fixdate or RFC 850
    day = Number(t[1], 1, 2);
    month = Month(t[2]);
    year = Number(t[3], 2, 4);
    if (year && t[3].size() == 2) *year += *year < 70 ? 2000 : 1900;
    hour = Number(t[4], 2, 2);
    minute = Number(t[5], 2, 2);
    second = Number(t[6], 2, 2);
  } else if (t.size() == 7) {  // asctime: Sun Nov  6 08:49:37 1994
    month = Month(t[1]);
    day = Number(t[2], 1, 2);
    hour = Number(t[3], 2, 2);
    minute = Number(t[4], 2, 2);
    second = Number(t[5], 2, 2);
    year = Number(t[6], 4, 4);
  }
  if (!day || !month || !year || !hour || !minute || !second) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(*year), std::chrono::month(*month),
                                  std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
         std::chrono::seconds(*second);
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value,
                                            std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    uint64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // An absurdly large delta saturates; the caller caps it anyway.
    if (ec == std::errc::result_out_of_range || seconds > 365ull * 24 * 3600) {
      seconds = 365ull * 24 * 3600;
    }
    return std::chrono::duration_cast<milliseconds>(std::chrono::seconds(seconds));
  }
  std::optional<std::chrono::system_clock::time_point> when = ParseHttpDate(value);
  if (!when) return std::nullopt;
  if (*when <= now) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(*when - now);
}

StatusOr<HttpResponse> Retrier::Run(const std::function<StatusOr<HttpResponse>()>& attempt) {
  attempts_ = 0;
  Status last;
  for (int i = 0; i < std::max(1, policy_.max_attempts); ++i) {
    ++attempts_;
    StatusOr<HttpResponse> result = attempt();
    std::optional<milliseconds> retry_after;
    if (!result.ok()) {
      if (result.status().code() != StatusCode::kUnavailable) return result.status();
      last = result.status();
    } else {
      Disposition d = ClassifyHttpStatus(result->status, policy_);
      if (d != Disposition::kRetry) return result;
      last = HttpErrorStatus(*result, policy_);
      if (std::optional<std::string> h = result->headers.Get("Retry-After")) {
        retry_after = ParseRetryAfter(*h, clock_->Now());
      }
    }
    if (i + 1 >= policy_.max_attempts) break;
    milliseconds wait = retry_after ? std::min(*retry_after, policy_.max_retry_after)
                                    : BackoffDelay(policy_, i, *random_);
    if (wait.count() > 0) clock_->SleepFor(wait);
  }
  return Status::Unavailable("gave up after " + std::to_string(attempts_) +
                             " attempts: " + last.message());
}

}  // namespace sa::fhir
