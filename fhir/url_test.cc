#include "fhir/url.h"

#include <gtest/gtest.h>

namespace sa::fhir {
namespace {

TEST(UrlTest, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b|c&d=e/f?g#h%"), "a%20b%7Cc%26d%3De%2Ff%3Fg%23h%25");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");
}

TEST(UrlTest, PercentDecodeRoundTripsAndRejectsBadEscapes) {
  std::string raw = "https://x/y|z & \xC3\xA9";
  EXPECT_EQ(*PercentDecode(PercentEncode(raw)), raw);
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_FALSE(PercentDecode("%4").ok());
  EXPECT_FALSE(PercentDecode("%zz").ok());
  EXPECT_FALSE(PercentDecode("abc%").ok());
}

TEST(UrlTest, FormEncodeEncodesNamesAndValues) {
  EXPECT_EQ(FormEncode({{"grant_type", "client_credentials"}, {"scope", "system/Task.cu x"}}),
            "grant_type=client_credentials&scope=system%2FTask.cu%20x");
}

TEST(UrlTest, EncodeUnsafeUriBytesLeavesEscapesAndDelimiters) {
  EXPECT_EQ(EncodeUnsafeUriBytes("https://h/Task?identifier=s|v&_count=10"),
            "https://h/Task?identifier=s%7Cv&_count=10");
  EXPECT_EQ(EncodeUnsafeUriBytes("https://h/a%7Cb c"), "https://h/a%7Cb%20c");
  EXPECT_EQ(EncodeUnsafeUriBytes("100%"), "100%25");
}

TEST(UrlTest, ParseUrlSplitsParts) {
  StatusOr<UrlParts> p = ParseUrl("HTTPS://EHR.Example:8443/fhir/R4/Task?_id=1");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->scheme, "https");
  EXPECT_EQ(p->host, "ehr.example");
  EXPECT_EQ(p->port, 8443);
  EXPECT_EQ(p->path, "/fhir/R4/Task");
  EXPECT_EQ(p->query, "_id=1");
  EXPECT_EQ(p->Origin(), "https://ehr.example:8443");
  EXPECT_EQ(p->PathAndQuery(), "/fhir/R4/Task?_id=1");

  StatusOr<UrlParts> d = ParseUrl("http://[::1]");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->host, "[::1]");
  EXPECT_EQ(d->port, 80);
  EXPECT_EQ(d->path, "/");
  EXPECT_EQ(d->Origin(), "http://[::1]");
}

TEST(UrlTest, ParseUrlRejectsWhatWouldLeakOrMislead) {
  EXPECT_FALSE(ParseUrl("ftp://h/x").ok());
  EXPECT_FALSE(ParseUrl("Task/1").ok());
  EXPECT_FALSE(ParseUrl("https://user:pw@h/x").ok());
  EXPECT_FALSE(ParseUrl("https://h/x#frag").ok());
  EXPECT_FALSE(ParseUrl("https://h:99999/").ok());
  EXPECT_FALSE(ParseUrl("https://:80/").ok());
}

TEST(UrlTest, SameOriginComparesSchemeHostAndPort) {
  EXPECT_TRUE(SameOrigin("https://h/fhir", "https://H:443/fhir/Task?page=2"));
  EXPECT_FALSE(SameOrigin("https://h/fhir", "http://h/fhir"));
  EXPECT_FALSE(SameOrigin("https://h/fhir", "https://evil.example/fhir"));
  EXPECT_FALSE(SameOrigin("https://h/fhir", "https://h:8443/fhir"));
  EXPECT_FALSE(SameOrigin("https://h/fhir", "not a url"));
}

TEST(UrlTest, JoinUrlPutsExactlyOneSlash) {
  EXPECT_EQ(JoinUrl("https://h/fhir", "Task/1"), "https://h/fhir/Task/1");
  EXPECT_EQ(JoinUrl("https://h/fhir/", "/Task/1"), "https://h/fhir/Task/1");
  EXPECT_EQ(JoinUrl("https://h/fhir/", ""), "https://h/fhir");
}

}  // namespace
}  // namespace sa::fhir
