// The server end to end: a real server on 127.0.0.1:0, a real client.
#include "adapter/api/http/server.h"

#include <gtest/gtest.h>

#include <future>
#include <regex>
#include <stdexcept>

#include "adapter/api/http/problem.h"
#include "adapter/api/http/test_client.h"

namespace sa::adapter::api {
namespace {

using testing::Call;
using testing::ClientRequest;
using testing::ClientResponse;
using testing::LogCapture;
using testing::ParseRawResponse;
using testing::RawExchange;

// Answers with what the handler saw.
HttpResponse Echo(HttpRequest& r) {
  nlohmann::json query = nlohmann::json::array();
  for (const auto& [k, v] : r.query) query.push_back({k, v});
  return HttpResponse::Json(200, {{"method", r.method},
                                  {"path", r.path},
                                  {"route", r.route},
                                  {"params", r.path_params},
                                  {"query", query},
                                  {"body", r.body},
                                  {"requestId", r.request_id},
                                  {"remote", r.remote_address},
                                  {"subject", r.client_cert_subject}});
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/v1/sessions/{id}", Echo);
    router_.Add("DELETE", "/v1/sessions/{id}", Echo);
    router_.Add("POST", "/v1/sessions/{id}/signatures", Echo);
    router_.Add("GET", "/v1/throws", [](HttpRequest&) -> HttpResponse {
      throw std::runtime_error("secret-exception-text 9434765919");
    });
    router_.Add("GET", "/v1/status",
                [](HttpRequest&) { return FromStatus(Status::Internal("internal-detail-xyz")); });
    router_.Add("GET", "/v1/custom", [](HttpRequest&) {
      HttpResponse r = HttpResponse::Json(201, {{"ok", true}});
      r.headers = {
          {"Cache-Control", "max-age=60"}, {"X-Bad", "a\r\nInjected: 1"}, {"ETag", "\"v1\""}};
      return r;
    });
    router_.Add("GET", "/metrics", [this](HttpRequest&) {
      HttpResponse r;
      r.content_type = kMetricsContentType;
      r.body = metrics_.Render();
      return r;
    });
  }

  void Start(ServerOptions options = {}) {
    options.log = log_.Sink();
    options.metrics = &metrics_;
    auto server = HttpServer::Start(std::move(options), &router_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  int port() const { return server_->port(); }

  Router router_;
  MetricsRegistry metrics_;
  LogCapture log_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, RoutesWithDecodedParamsAndQuery) {
  Start();
  ClientResponse r = Call(port(), {.path = "/v1/sessions/S%2F1%20x?from=2024-01-01&q=a+b"});
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json j = r.Json();
  EXPECT_EQ(j["route"], "/v1/sessions/{id}");
  EXPECT_EQ(j["params"]["id"], "S/1 x");
  EXPECT_EQ(j["path"], "/v1/sessions/S/1 x");
  EXPECT_EQ(j["query"], nlohmann::json::array({nlohmann::json::array({"from", "2024-01-01"}),
                                               nlohmann::json::array({"q", "a b"})}));
  EXPECT_EQ(j["remote"], "127.0.0.1");
  EXPECT_EQ(j["subject"], "");
  EXPECT_EQ(server_->base_url(), "http://127.0.0.1:" + std::to_string(port()));
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Start();
  ClientResponse r = Call(port(), {.path = "/v1/nothing"});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  r = Call(port(), {.method = "PUT",
                    .path = "/v1/sessions/S-1",
                    .body = "{}",
                    .content_type = "application/json"});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "DELETE, GET");
  EXPECT_EQ(r.Json()["status"], 405);
}

TEST_F(HttpServerTest, ProblemBodiesCarryTheRequestId) {
  Start();
  ClientResponse r =
      Call(port(), {.path = "/v1/nothing", .headers = {{"X-Request-Id", "abc-123"}}});
  nlohmann::json j = r.Json();
  EXPECT_EQ(j["type"], "about:blank");
  EXPECT_EQ(j["title"], "Not Found");
  EXPECT_EQ(j["status"], 404);
  EXPECT_EQ(j["requestId"], "abc-123");
  EXPECT_EQ(r.Header("x-request-id"), "abc-123");
}

TEST_F(HttpServerTest, RequestIdIsEchoedWhenValidAndGeneratedOtherwise) {
  Start();
  std::string ok_id = "Ab.c_d-" + std::string(57, '9');  // 64 characters
  ClientResponse r = Call(port(), {.path = "/v1/sessions/1", .headers = {{"X-Request-Id", ok_id}}});
  EXPECT_EQ(r.Header("x-request-id"), ok_id);
  EXPECT_EQ(r.Json()["requestId"], ok_id);
  for (std::string bad :
       {ok_id + "0", std::string("has space"), std::string("a/b"), std::string("")}) {
    r = Call(port(), {.path = "/v1/sessions/1", .headers = {{"X-Request-Id", bad}}});
    std::string id = r.Header("x-request-id");
    EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{16}"))) << bad << " -> " << id;
    EXPECT_EQ(r.Json()["requestId"], id);
  }
  EXPECT_NE(Call(port(), {.path = "/v1/sessions/1"}).Header("x-request-id"),
            Call(port(), {.path = "/v1/sessions/1"}).Header("x-request-id"));
}

TEST_F(HttpServerTest, EveryResponseHasTheStandardHeaders) {
  Start();
  for (const char* path : {"/v1/sessions/1", "/v1/nothing", "/v1/custom", "/v1/throws"}) {
    ClientResponse r = Call(port(), {.path = path});
    EXPECT_EQ(r.Header("cache-control"), "no-store") << path;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << path;
    EXPECT_FALSE(r.Header("x-request-id").empty()) << path;
  }
  ClientResponse r = Call(port(), {.path = "/v1/custom"});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.Header("etag"), "\"v1\"");
  EXPECT_EQ(r.Header("x-bad"), "");  // a header value with CR/LF is dropped
  EXPECT_EQ(r.Header("injected"), "");
}

TEST_F(HttpServerTest, ThrowingHandlerIs500WithoutTheExceptionText) {
  Start();
  ClientResponse r = Call(port(), {.path = "/v1/throws"});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.Json()["detail"], kInternalErrorDetail);
  EXPECT_EQ(r.body.find("secret-exception-text"), std::string::npos);
  EXPECT_EQ(log_.Text().find("secret-exception-text"), std::string::npos);
  EXPECT_NE(log_.Text().find("handler_exception"), std::string::npos);
  r = Call(port(), {.path = "/v1/status"});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("internal-detail-xyz"), std::string::npos);
}

TEST_F(HttpServerTest, PostBodiesMustBeJson) {
  Start();
  ClientRequest req{.method = "POST", .path = "/v1/sessions/S-1/signatures", .body = "{\"a\":1}"};
  req.content_type = "text/plain";
  EXPECT_EQ(Call(port(), req).status, 415);
  req.content_type = "";
  EXPECT_EQ(Call(port(), req).status, 415);
  req.content_type = "application/json; charset=utf-8";
  ClientResponse r = Call(port(), req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["body"], "{\"a\":1}");
  req.content_type = "application/merge-patch+json";
  EXPECT_EQ(Call(port(), req).status, 200);
  req.body = "";
  req.content_type = "";
  EXPECT_EQ(Call(port(), req).status, 200);  // no body: no media type needed
}

TEST_F(HttpServerTest, OneLogLinePerRequestWithoutBodiesOrSecrets) {
  Start();
  ClientRequest req{
      .method = "POST",
      .path = "/v1/sessions/S-1/signatures?token=qv",
      .body = "{\"secret\":\"body-text-42\"}",
      .content_type = "application/json",
      .headers = {{"Authorization", "Bearer tok-secret-77"}, {"X-Request-Id", "rid-1"}}};
  ASSERT_EQ(Call(port(), req).status, 200);
  std::vector<nlohmann::json> lines;
  for (const auto& l : log_.Lines()) {
    if (l.value("event", "") == "http_request") lines.push_back(l);
  }
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json& l = lines[0];
  EXPECT_EQ(l["requestId"], "rid-1");
  EXPECT_EQ(l["level"], "info");
  EXPECT_EQ(l["method"], "POST");
  EXPECT_EQ(l["route"], "/v1/sessions/{id}/signatures");
  EXPECT_EQ(l["status"], 200);
  EXPECT_EQ(l["client"], "127.0.0.1");
  EXPECT_EQ(l["bytesIn"], req.body.size());
  EXPECT_GT(l["bytesOut"].get<int>(), 0);
  EXPECT_TRUE(l["durationMs"].is_number());
  EXPECT_TRUE(l["ts"].is_string());
  std::string text = log_.Text();
  for (const char* secret : {"body-text-42", "tok-secret-77", "Bearer", "S-1", "qv"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
}

TEST_F(HttpServerTest, MetricsAreRecordedAndExposed) {
  Start();
  Call(port(), {.path = "/v1/sessions/1"});
  Call(port(), {.path = "/v1/sessions/2"});
  Call(port(), {.path = "/v1/nothing"});
  ClientResponse r = Call(port(), {.path = "/metrics"});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# TYPE http_requests_total counter\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("http_requests_total{route=\"/v1/sessions/{id}\",method=\"GET\","
                        "status=\"200\"} 2\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(
      r.body.find("http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"),
      std::string::npos);
  EXPECT_NE(r.body.find("# TYPE http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(
      r.body.find(
          "http_request_duration_seconds_bucket{route=\"/v1/sessions/{id}\",le=\"+Inf\"} 2\n"),
      std::string::npos);
  EXPECT_NE(r.body.find("http_request_duration_seconds_count{route=\"/v1/sessions/{id}\"} 2\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("http_requests_in_flight 1\n"), std::string::npos);  // the scrape itself
  // Every line is a comment or "name{labels} value".
  std::regex sample(R"((#.*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+))");
  size_t start = 0;
  while (start < r.body.size()) {
    size_t end = r.body.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_TRUE(std::regex_match(r.body.substr(start, end - start), sample))
        << r.body.substr(start, end - start);
    start = end + 1;
  }
}

TEST_F(HttpServerTest, RateLimitIs429WithRetryAfterAndRecoversWhenTheBucketRefills) {
  fhir::FakeClock clock;
  ServerOptions options;
  options.limits.rate_limit_per_second = 1;
  options.limits.rate_limit_burst = 3;
  options.clock = &clock;
  Start(options);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Call(port(), {.path = "/v1/sessions/1"}).status, 200);
  ClientResponse r = Call(port(), {.path = "/v1/sessions/1"});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("retry-after"), "1");
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  EXPECT_EQ(r.Json()["status"], 429);
  EXPECT_EQ(Call(port(), {.path = "/v1/nothing"}).status, 429);  // before routing
  clock.Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(Call(port(), {.path = "/v1/sessions/1"}).status, 200);
  EXPECT_EQ(Call(port(), {.path = "/v1/sessions/1"}).status, 429);
  clock.Advance(std::chrono::milliseconds(5000));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Call(port(), {.path = "/v1/sessions/1"}).status, 200);
}

TEST_F(HttpServerTest, RateLimitKeyIsConfigurable) {
  fhir::FakeClock clock;
  ServerOptions options;
  options.limits.rate_limit_per_second = 1;
  options.limits.rate_limit_burst = 1;
  options.clock = &clock;
  options.client_key = [](const HttpRequest& r) { return r.Header("x-client").value_or(""); };
  Start(options);
  EXPECT_EQ(Call(port(), {.path = "/v1/sessions/1", .headers = {{"X-Client", "a"}}}).status, 200);
  EXPECT_EQ(Call(port(), {.path = "/v1/sessions/1", .headers = {{"X-Client", "a"}}}).status, 429);
  EXPECT_EQ(Call(port(), {.path = "/v1/sessions/1", .headers = {{"X-Client", "b"}}}).status, 200);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start();
  std::string one = "GET /v1/sessions/1 HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string raw = RawExchange(port(), one + one +
                                            "GET /v1/sessions/2 HTTP/1.1\r\nHost: x\r\n"
                                            "Connection: close\r\n\r\n");
  size_t count = 0;
  for (size_t at = raw.find("HTTP/1.1 200"); at != std::string::npos;
       at = raw.find("HTTP/1.1 200", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u) << raw;
  EXPECT_NE(raw.find("Connection: close"), std::string::npos);
}

TEST_F(HttpServerTest, MoreClientsThanThreadsAreAllServed) {
  ServerOptions options;
  options.limits.max_threads = 3;
  options.limits.rate_limit_per_second = 0;  // off: one client IP sends everything here
  Start(options);
  std::vector<std::future<int>> clients;
  for (int c = 0; c < 12; ++c) {
    clients.push_back(std::async(std::launch::async, [this, c] {
      int ok = 0;
      for (int i = 0; i < 5; ++i) {
        std::string path = "/v1/sessions/" + std::to_string(c * 10 + i);
        ok += Call(port(), {.path = path}).Json()["params"]["id"] == std::to_string(c * 10 + i);
      }
      return ok;
    }));
  }
  for (auto& f : clients) EXPECT_EQ(f.get(), 5);
}

TEST_F(HttpServerTest, StartRefusesABadRouterAndBadOptions) {
  Router bad;
  bad.Add("GET", "no-slash", Echo);
  EXPECT_EQ(HttpServer::Start({}, &bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(HttpServer::Start({}, nullptr).ok());
  for (std::string listen : {"127.0.0.1", "127.0.0.1:99999", ":80", "[::1"}) {
    ServerOptions o;
    o.listen = listen;
    EXPECT_EQ(HttpServer::Start(o, &router_).status().code(), StatusCode::kInvalidArgument)
        << listen;
  }
  ServerOptions o;
  o.limits.max_threads = 0;
  EXPECT_FALSE(HttpServer::Start(o, &router_).ok());
  Start();
  ServerOptions taken;
  taken.listen = "127.0.0.1:" + std::to_string(port());
  EXPECT_EQ(HttpServer::Start(taken, &router_).status().code(), StatusCode::kUnavailable);
}

TEST_F(HttpServerTest, HeadAndExpectContinue) {
  router_.Add("HEAD", "/v1/sessions/{id}", Echo);
  Start();
  std::string raw = RawExchange(port(),
                                "HEAD /v1/sessions/1 HTTP/1.1\r\nHost: x\r\n"
                                "Connection: close\r\n\r\n");
  ClientResponse r = ParseRawResponse(raw);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.Header("content-length"), "0");
  EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), "");  // no body
  raw = RawExchange(port(),
                    "POST /v1/sessions/1/signatures HTTP/1.1\r\nHost: x\r\n"
                    "Expect: 100-continue\r\nContent-Type: application/json\r\n"
                    "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_EQ(raw.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 0), 0u) << raw;
}

}  // namespace
}  // namespace sa::adapter::api
