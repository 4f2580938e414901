#include "fhir/http.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace sa::fhir {
namespace {

TEST(HttpHeadersTest, LookupIsCaseInsensitive) {
  HttpHeaders h;
  h.Add("Retry-After", "5");
  h.Add("ETag", "W/\"1\"");
  EXPECT_EQ(h.Get("retry-after"), "5");
  EXPECT_EQ(h.Get("RETRY-AFTER"), "5");
  EXPECT_EQ(h.Get("etag"), "W/\"1\"");
  EXPECT_EQ(h.Get("Location"), std::nullopt);
}

TEST(HttpHeadersTest, SetReplacesAddKeepsAndRemoveDrops) {
  HttpHeaders h;
  h.Add("Accept", "a");
  h.Add("accept", "b");
  EXPECT_EQ(h.fields().size(), 2u);
  h.Set("ACCEPT", "c");
  ASSERT_EQ(h.fields().size(), 1u);
  EXPECT_EQ(h.Get("Accept"), "c");
  h.Remove("accept");
  EXPECT_TRUE(h.fields().empty());
}

TEST(HttpTest, MethodNames) {
  EXPECT_STREQ(HttpMethodName(HttpMethod::kGet), "GET");
  EXPECT_STREQ(HttpMethodName(HttpMethod::kPut), "PUT");
  EXPECT_STREQ(HttpMethodName(HttpMethod::kDelete), "DELETE");
}

TEST(TransportOptionsTest, DefaultsAreSafe) {
  TransportOptions o;
  EXPECT_TRUE(o.verify_tls);
  EXPECT_EQ(o.max_response_bytes, kDefaultMaxResponseBytes);
  EXPECT_EQ(kDefaultMaxResponseBytes, 16u * 1024 * 1024);
  EXPECT_TRUE(ValidateTransportOptions(o).ok());
}

TEST(TransportOptionsTest, ReportsEveryProblem) {
  TransportOptions o;
  o.client_cert_file = "/nonexistent/cert.pem";
  o.ca_file = "/nonexistent/ca.pem";
  o.request_timeout = std::chrono::milliseconds(0);
  o.max_response_bytes = 0;
  Status s = ValidateTransportOptions(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  for (const char* part : {"set together", "ca_file", "client_cert_file", "request_timeout",
                           "max_response_bytes"}) {
    EXPECT_NE(s.message().find(part), std::string::npos) << part << " in " << s.message();
  }
}

}  // namespace
}  // namespace sa::fhir
