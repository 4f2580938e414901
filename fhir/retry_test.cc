#include "fhir/retry.h"

#include <gtest/gtest.h>

#include <map>

#include "fhir/fake_transport.h"

namespace sa::fhir {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Always returns the same fraction of the range, to pin the formula.
class FixedRandom : public RandomSource {
 public:
  explicit FixedRandom(bool max) : max_(max) {}
  uint64_t UniformUpTo(uint64_t max_inclusive) override { return max_ ? max_inclusive : 0; }

 private:
  bool max_;
};

TEST(RetryClassificationTest, EveryListedStatusCode) {
  RetryPolicy policy;
  const std::map<int, Disposition> table = {
      {200, Disposition::kSuccess},   {201, Disposition::kSuccess},
      {204, Disposition::kSuccess},   {301, Disposition::kPermanent},
      {304, Disposition::kPermanent}, {400, Disposition::kPermanent},
      {401, Disposition::kPermanent}, {403, Disposition::kPermanent},
      {404, Disposition::kPermanent}, {405, Disposition::kPermanent},
      {408, Disposition::kRetry},     {409, Disposition::kPermanent},
      {410, Disposition::kPermanent}, {412, Disposition::kPermanent},
      {413, Disposition::kPermanent}, {422, Disposition::kPermanent},
      {429, Disposition::kRetry},     {500, Disposition::kPermanent},
      {501, Disposition::kPermanent}, {502, Disposition::kRetry},
      {503, Disposition::kRetry},     {504, Disposition::kRetry},
      {505, Disposition::kPermanent},
  };
  for (const auto& [status, expected] : table) {
    EXPECT_EQ(ClassifyHttpStatus(status, policy), expected) << "status " << status;
  }
  policy.retry_on_500 = true;
  EXPECT_EQ(ClassifyHttpStatus(500, policy), Disposition::kRetry);
  EXPECT_EQ(ClassifyHttpStatus(501, policy), Disposition::kPermanent);
}

TEST(RetryClassificationTest, HttpErrorStatusCarriesRenderedOutcomeOnly) {
  HttpResponse r;
  r.status = 422;
  r.body = R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",
      "code":"invalid","expression":["Task.status"],"details":{"text":"SECRET"}}]})";
  Status s = HttpErrorStatus(r, RetryPolicy{});
  EXPECT_EQ(s.code(), StatusCode::kPermanent);
  EXPECT_EQ(s.message(), "HTTP 422: error invalid @Task.status");
  r.status = 503;
  EXPECT_EQ(HttpErrorStatus(r, RetryPolicy{}).code(), StatusCode::kUnavailable);
}

TEST(RetryClassificationTest, HttpStatusOfReadsTheCodeBackOnlyFromAnHttpAnswer) {
  HttpResponse r;
  r.status = 412;
  EXPECT_EQ(HttpStatusOf(HttpErrorStatus(r, RetryPolicy{})), 412);
  r.status = 503;
  EXPECT_EQ(HttpStatusOf(HttpErrorStatus(r, RetryPolicy{})), 503);
  EXPECT_EQ(HttpStatusOf(Status::PermissionDenied("HTTP 401 after a credential refresh: x")), 401);
  EXPECT_EQ(HttpStatusOf(Status::Unavailable("HTTP transport error: refused")), std::nullopt);
  EXPECT_EQ(HttpStatusOf(Status::Permanent("transaction: server answered 1 entries for 4")),
            std::nullopt);
  EXPECT_EQ(HttpStatusOf(Status::Ok()), std::nullopt);
}

TEST(BackoffTest, FullJitterStaysWithinExponentialCeiling) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(100);
  policy.max_delay = milliseconds(5000);
  std::unique_ptr<RandomSource> random = MakeRandomSource(42);
  for (int retry = 0; retry < 12; ++retry) {
    int64_t ceiling = std::min<int64_t>(5000, 100LL << retry);
    int64_t lo = ceiling, hi = 0;
    for (int i = 0; i < 500; ++i) {
      int64_t d = BackoffDelay(policy, retry, *random).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceiling) << "retry " << retry;
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // Full jitter: the samples spread over the whole range.
    EXPECT_LT(lo, ceiling / 10 + 1) << "retry " << retry;
    EXPECT_GT(hi, ceiling * 9 / 10) << "retry " << retry;
  }
}

TEST(BackoffTest, FormulaEndpointsAndSaturation) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(250);
  policy.max_delay = milliseconds(30'000);
  FixedRandom top(true), bottom(false);
  EXPECT_EQ(BackoffDelay(policy, 0, top), milliseconds(250));
  EXPECT_EQ(BackoffDelay(policy, 3, top), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(policy, 7, top), milliseconds(30'000));
  EXPECT_EQ(BackoffDelay(policy, 1000, top), milliseconds(30'000));  // no overflow
  EXPECT_EQ(BackoffDelay(policy, 3, bottom), milliseconds(0));
}

TEST(BackoffTest, SeededSourcesAreReproducible) {
  RetryPolicy policy;
  auto a = MakeRandomSource(7);
  auto b = MakeRandomSource(7);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(BackoffDelay(policy, i % 6, *a), BackoffDelay(policy, i % 6, *b));
  }
}

TEST(RetryAfterTest, DeltaSeconds) {
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120'000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now),
            std::chrono::duration_cast<milliseconds>(seconds(365LL * 24 * 3600)));
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
}

TEST(RetryAfterTest, HttpDateInAllThreeForms) {
  auto expected = std::chrono::sys_days(std::chrono::year(1994) / 11 / 6) + std::chrono::hours(8) +
                  std::chrono::minutes(49) + seconds(37);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_EQ(ParseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("yesterday"), std::nullopt);
}

TEST(RetryAfterTest, DateIsMeasuredFromNowAndPastMeansZero) {
  auto now = *ParseHttpDate("Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), milliseconds(30'000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), milliseconds(0));
}

class RetrierTest : public ::testing::Test {
 protected:
  StatusOr<HttpResponse> Run(const RetryPolicy& policy) {
    Retrier retrier(policy, &clock_, random_.get());
    StatusOr<HttpResponse> r = retrier.Run([&] { return transport_.Send(HttpRequest{}); });
    attempts_ = retrier.attempts();
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<RandomSource> random_ = MakeRandomSource(1);
  FakeTransport transport_;
  int attempts_ = 0;
};

TEST_F(RetrierTest, RetriesNetworkErrorsThenSucceeds) {
  transport_.Fail(Status::Unavailable("connection refused"));
  transport_.Fail(Status::Unavailable("timeout"));
  transport_.Respond(200, "{}");
  StatusOr<HttpResponse> r = Run(RetryPolicy{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(attempts_, 3);
  EXPECT_EQ(clock_.sleeps().size(), 2u);
}

TEST_F(RetrierTest, HonoursRetryAfterUpToTheCap) {
  RetryPolicy policy;
  policy.max_retry_after = milliseconds(60'000);
  transport_.Respond(429, "", {{"retry-after", "7"}});
  transport_.Respond(503, "", {{"Retry-After", "3600"}});
  transport_.Respond(201, "{}");
  ASSERT_TRUE(Run(policy).ok());
  EXPECT_EQ(clock_.sleeps(), (std::vector<milliseconds>{milliseconds(7000), milliseconds(60'000)}));
}

TEST_F(RetrierTest, PermanentResponseIsReturnedAtOnce) {
  transport_.Respond(422, "{}");
  StatusOr<HttpResponse> r = Run(RetryPolicy{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(attempts_, 1);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(RetrierTest, NonTransientErrorIsNotRetried) {
  transport_.Fail(Status::InvalidArgument("bad url"));
  EXPECT_EQ(Run(RetryPolicy{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(attempts_, 1);
}

TEST_F(RetrierTest, GivesUpAfterMaxAttemptsWithUnavailable) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.base_delay = milliseconds(100);
  for (int i = 0; i < 3; ++i) transport_.Respond(502, "<html>gateway</html>");
  StatusOr<HttpResponse> r = Run(policy);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("after 3 attempts"), std::string::npos);
  EXPECT_NE(r.status().message().find("HTTP 502"), std::string::npos);
  EXPECT_EQ(r.status().message().find("gateway"), std::string::npos);
  ASSERT_EQ(clock_.sleeps().size(), 2u);  // no sleep after the last attempt
  EXPECT_LE(clock_.sleeps()[0], milliseconds(100));
  EXPECT_LE(clock_.sleeps()[1], milliseconds(200));
}

TEST_F(RetrierTest, FiveHundredRetriedOnlyWhenConfigured) {
  transport_.Respond(500);
  EXPECT_EQ(Run(RetryPolicy{})->status, 500);
  EXPECT_EQ(attempts_, 1);
  RetryPolicy policy;
  policy.retry_on_500 = true;
  transport_.Respond(500);
  transport_.Respond(200);
  EXPECT_EQ(Run(policy)->status, 200);
  EXPECT_EQ(attempts_, 2);
}

TEST(RetryPolicyTest, Validation) {
  EXPECT_TRUE(ValidateRetryPolicy(RetryPolicy{}).ok());
  RetryPolicy p;
  p.max_attempts = 0;
  EXPECT_FALSE(ValidateRetryPolicy(p).ok());
  p = RetryPolicy{};
  p.base_delay = milliseconds(-1);
  EXPECT_FALSE(ValidateRetryPolicy(p).ok());
}

}  // namespace
}  // namespace sa::fhir
