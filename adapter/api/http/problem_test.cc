#include "adapter/api/http/problem.h"

#include <gtest/gtest.h>

namespace sa::adapter::api {
namespace {

nlohmann::json Body(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

TEST(HttpProblemTest, ShapeFollowsRfc9457) {
  HttpResponse r = Problem(422, "Unprocessable Content", "2 fields are wrong",
                           {{"/sessionId", "required"}, {"/type", "unknown code"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/problem+json");
  nlohmann::json b = Body(r);
  EXPECT_EQ(b["type"], "about:blank");
  EXPECT_EQ(b["title"], "Unprocessable Content");
  EXPECT_EQ(b["status"], 422);
  EXPECT_EQ(b["detail"], "2 fields are wrong");
  ASSERT_EQ(b["errors"].size(), 2u);
  EXPECT_EQ(b["errors"][0], (nlohmann::json{{"pointer", "/sessionId"}, {"reason", "required"}}));
}

TEST(HttpProblemTest, EmptyDetailAndErrorsAreLeftOut) {
  nlohmann::json b = Body(Problem(404, "Not Found", "", {}, "https://example.org/not-found"));
  EXPECT_FALSE(b.contains("detail"));
  EXPECT_FALSE(b.contains("errors"));
  EXPECT_EQ(b["type"], "https://example.org/not-found");
}

TEST(HttpProblemTest, FromStatusMapsCodes) {
  EXPECT_EQ(FromStatus(Status::InvalidArgument("x")).status, 422);
  EXPECT_EQ(FromStatus(Status::NotFound("x")).status, 404);
  EXPECT_EQ(FromStatus(Status::Conflict("x")).status, 409);
  EXPECT_EQ(FromStatus(Status::FailedPrecondition("x")).status, 409);
  EXPECT_EQ(FromStatus(Status::PermissionDenied("x")).status, 403);
  EXPECT_EQ(FromStatus(Status::Unavailable("x")).status, 503);
  EXPECT_EQ(Body(FromStatus(Status::NotFound("no session S-1")))["detail"], "no session S-1");
}

TEST(HttpProblemTest, FromStatusNeverShowsAnInternalMessage) {
  for (const Status& s : {Status::Internal("db password wrong at /etc/x"),
                          Status::Permanent("ehr said: patient 943 476 5919"), Status::Ok()}) {
    HttpResponse r = FromStatus(s);
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body.find(s.message().empty() ? "\x01" : s.message()), std::string::npos);
    EXPECT_EQ(Body(r)["detail"], kInternalErrorDetail);
  }
}

}  // namespace
}  // namespace sa::adapter::api
