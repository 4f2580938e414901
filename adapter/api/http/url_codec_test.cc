#include "adapter/api/http/url_codec.h"

#include <gtest/gtest.h>

namespace sa::adapter::api {
namespace {

TEST(HttpUrlCodecTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
}

TEST(HttpUrlCodecTest, BadEscapesAndNulAreRefused) {
  EXPECT_FALSE(PercentDecode("%", false));
  EXPECT_FALSE(PercentDecode("%2", false));
  EXPECT_FALSE(PercentDecode("%zz", false));
  EXPECT_FALSE(PercentDecode("a%00b", false));
}

TEST(HttpUrlCodecTest, ParseQuery) {
  auto q = ParseQuery("from=2024-01-01&to=2024%2D02%2D01&&flag&name=a+b");
  ASSERT_TRUE(q);
  NameValueList want = {
      {"from", "2024-01-01"}, {"to", "2024-02-01"}, {"flag", ""}, {"name", "a b"}};
  EXPECT_EQ(*q, want);
  EXPECT_FALSE(ParseQuery("a=%G0"));
}

}  // namespace
}  // namespace sa::adapter::api
