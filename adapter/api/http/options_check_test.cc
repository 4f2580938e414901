#include "adapter/api/http/options_check.h"

#include <gtest/gtest.h>

namespace sa::adapter::api {
namespace {

TEST(HttpOptionsCheckTest, ParseListen) {
  auto a = ParseListen("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = ParseListen("[::1]:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  for (const char* bad : {"", "127.0.0.1", ":80", "h:", "h:65536", "h:8o", "[::1]", "[::1:80"}) {
    EXPECT_EQ(ParseListen(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(HttpOptionsCheckTest, CheckLimits) {
  EXPECT_TRUE(CheckLimits({}).ok());
  ServerLimits l;
  l.request_timeout = std::chrono::milliseconds(0);
  EXPECT_NE(CheckLimits(l).message().find("request_timeout"), std::string::npos);
  l = {};
  l.rate_limit_burst = 0.5;
  EXPECT_FALSE(CheckLimits(l).ok());
  l.rate_limit_per_second = 0;  // rate limiting off: the burst does not matter
  EXPECT_TRUE(CheckLimits(l).ok());
}

TEST(HttpOptionsCheckTest, UrlHost) {
  EXPECT_EQ(UrlHost("0.0.0.0"), "127.0.0.1");
  EXPECT_EQ(UrlHost("::"), "127.0.0.1");
  EXPECT_EQ(UrlHost("::1"), "[::1]");
  EXPECT_EQ(UrlHost("10.0.0.5"), "10.0.0.5");
}

}  // namespace
}  // namespace sa::adapter::api
