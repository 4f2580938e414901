#include "adapter/api/http/http_types.h"

#include <gtest/gtest.h>

namespace sa::adapter::api {
namespace {

TEST(HttpTypesTest, HeaderIsCaseInsensitiveAndReturnsTheFirst) {
  HttpRequest r;
  r.headers = {{"x-a", "1"}, {"x-a", "2"}, {"content-type", "application/json"}};
  EXPECT_EQ(r.Header("X-A"), "1");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_FALSE(r.Header("x-b").has_value());
}

TEST(HttpTypesTest, QueryIsExact) {
  HttpRequest r;
  r.query = {{"from", "2024-01-01"}, {"From", "x"}};
  EXPECT_EQ(r.Query("from"), "2024-01-01");
  EXPECT_EQ(r.Query("From"), "x");
  EXPECT_FALSE(r.Query("to").has_value());
}

TEST(HttpTypesTest, JsonNeverThrowsOnInvalidUtf8) {
  HttpResponse r = HttpResponse::Json(201, {{"a", std::string("\xff\xfe")}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_FALSE(r.body.empty());
  EXPECT_FALSE(nlohmann::json::parse(r.body, nullptr, false).is_discarded());
}

TEST(HttpTypesTest, ReasonPhrases) {
  EXPECT_STREQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_STREQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_STREQ(ReasonPhrase(299), "Unknown");
}

}  // namespace
}  // namespace sa::adapter::api
