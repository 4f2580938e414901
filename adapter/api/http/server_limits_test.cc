// The server's limits over real connections: 413, 431, 414, 408, and that
// the connection survives only when it can.
#include <gtest/gtest.h>

#include "adapter/api/http/server.h"
#include "adapter/api/http/test_client.h"

namespace sa::adapter::api {
namespace {

using testing::Call;
using testing::ClientRequest;
using testing::ClientResponse;
using testing::LogCapture;
using testing::ParseRawResponse;
using testing::RawExchange;

class HttpServerLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("POST", "/v1/echo", [](HttpRequest& r) {
      return HttpResponse::Json(200, {{"bytes", r.body.size()}});
    });
    router_.Add("GET", "/v1/ok", [](HttpRequest&) { return HttpResponse::Json(200, {}); });
  }
  void Start(ServerOptions options = {}) {
    options.log = log_.Sink();
    auto server = HttpServer::Start(std::move(options), &router_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  ClientResponse Raw(const std::string& bytes) {
    return ParseRawResponse(RawExchange(server_->port(), bytes));
  }

  Router router_;
  LogCapture log_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerLimitsTest, DefaultsAreTheNamedConstants) {
  ServerLimits l;
  EXPECT_EQ(l.max_body_bytes, 1u << 20);
  EXPECT_EQ(l.max_header_count, 64u);
  EXPECT_EQ(l.max_header_line_bytes, 8u << 10);
  EXPECT_EQ(l.max_uri_bytes, 8u << 10);
  EXPECT_EQ(l.max_threads, ServerLimits::kMaxThreads);
  EXPECT_EQ(l.rate_limit_per_second, ServerLimits::kRateLimitPerSecond);
}

TEST_F(HttpServerLimitsTest, BodyAtTheLimitIsAccepted) {
  Start();
  ClientRequest req{.method = "POST",
                    .path = "/v1/echo",
                    .body = std::string(ServerLimits::kMaxBodyBytes, 'x'),
                    .content_type = "application/json"};
  ClientResponse r = Call(server_->port(), req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["bytes"], ServerLimits::kMaxBodyBytes);
}

TEST_F(HttpServerLimitsTest, ContentLengthOverTheLimitIs413BeforeTheBodyIsSent) {
  Start();
  // Only the head is sent: the answer cannot depend on reading the body.
  ClientResponse r =
      Raw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: " +
          std::to_string(ServerLimits::kMaxBodyBytes + 1) + "\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_EQ(r.Json()["status"], 413);
}

TEST_F(HttpServerLimitsTest, ChunkedBodyOverTheLimitIs413) {
  Start();
  ClientRequest req{.method = "POST",
                    .path = "/v1/echo",
                    .body = std::string(ServerLimits::kMaxBodyBytes + 64 * 1024, 'x'),
                    .content_type = "application/json",
                    .chunked = true};
  ClientResponse r = Call(server_->port(), req);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Json()["title"], "Content Too Large");
  req.body = std::string(1000, 'y');
  EXPECT_EQ(Call(server_->port(), req).Json()["bytes"], 1000);  // chunked within the limit
}

TEST_F(HttpServerLimitsTest, TooManyHeadersIs431) {
  Start();
  auto request = [](size_t fields) {  // Host, Connection, then X-H fields
    std::string head = "GET /v1/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    for (size_t i = 2; i < fields; ++i) head += "X-H" + std::to_string(i) + ": v\r\n";
    return head + "\r\n";
  };
  EXPECT_EQ(Raw(request(ServerLimits::kMaxHeaderCount)).status, 200);
  EXPECT_EQ(Raw(request(ServerLimits::kMaxHeaderCount + 1)).status, 431);
}

TEST_F(HttpServerLimitsTest, HeaderLineTooLongIs431) {
  Start();
  ClientResponse r = Raw("GET /v1/ok HTTP/1.1\r\nHost: x\r\nX-Long: " +
                         std::string(ServerLimits::kMaxHeaderLineBytes, 'a') + "\r\n\r\n");
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.Json()["status"], 431);
  EXPECT_FALSE(r.Json()["requestId"].get<std::string>().empty());
}

TEST_F(HttpServerLimitsTest, UriTooLongIs414) {
  Start();
  std::string path = "/v1/ok?q=" + std::string(ServerLimits::kMaxUriBytes, 'a');
  EXPECT_EQ(Raw("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").status, 414);
  EXPECT_EQ(Call(server_->port(), {.path = path}).status, 414);  // a real client too
}

TEST_F(HttpServerLimitsTest, ConfiguredLimitsApply) {
  ServerOptions o;
  o.limits.max_body_bytes = 10;
  o.limits.max_header_count = 4;
  Start(o);
  ClientRequest req{.method = "POST",
                    .path = "/v1/echo",
                    .body = std::string(11, 'x'),
                    .content_type = "application/json"};
  EXPECT_EQ(Call(server_->port(), req).status, 413);
  EXPECT_EQ(Raw("GET /v1/ok HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n").status,
            431);
}

TEST_F(HttpServerLimitsTest, SlowRequestIs408) {
  ServerOptions o;
  o.limits.request_timeout = std::chrono::milliseconds(300);
  Start(o);
  auto start = std::chrono::steady_clock::now();
  ClientResponse r =
      Raw("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: 10\r\n\r\nabc");  // 7 bytes never come
  EXPECT_EQ(r.status, 408);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(HttpServerLimitsTest, MalformedRequestsAre400AndLogged) {
  Start();
  EXPECT_EQ(Raw("GET /v1/ok HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                .status,
            400);
  EXPECT_EQ(Raw("GET /v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  EXPECT_EQ(Raw("GET /v1/ok HTTP/1.1\r\n\r\n").status, 400);
  bool logged = false;
  for (const auto& l : log_.Lines())
    logged |= l.value("status", 0) == 400 && l["route"] == "unmatched";
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace sa::adapter::api
