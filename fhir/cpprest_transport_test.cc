// The cpprest transport against a cpprest http_listener on 127.0.0.1.
// (Built with _TURN_OFF_PLATFORM_STRING, like cpprest_transport.cc.)
#include "fhir/cpprest_transport.h"

#include <arpa/inet.h>
#include <cpprest/http_listener.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "fhir/test_keys.h"

namespace sa::fhir {
namespace {

using web::http::http_request;
using web::http::http_response;
using web::http::experimental::listener::http_listener;
using web::http::experimental::listener::http_listener_config;

// A port nobody listens on right now (bound to 0, read back, released).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// What the listener saw of one request.
struct Seen {
  std::string method;
  std::string uri;
  std::string authorization;
  std::string content_type;
  std::string body;
};

class LocalServer {
 public:
  // Plain HTTP, or HTTPS when `tls` carries an SSL context callback.
  explicit LocalServer(std::function<void(http_request)> reply,
                       std::optional<http_listener_config> tls = std::nullopt)
      : base_(std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(FreePort())),
        listener_(web::uri(base_), tls.value_or(http_listener_config())) {
    listener_.support([this, reply](http_request request) {
      Seen seen;
      seen.method = request.method();
      seen.uri = request.relative_uri().to_string();
      auto h = request.headers();
      if (h.has("Authorization")) seen.authorization = h["Authorization"];
      if (h.has("Content-Type")) seen.content_type = h["Content-Type"];
      std::vector<unsigned char> body = request.extract_vector().get();
      seen.body.assign(body.begin(), body.end());
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(seen);
      }
      reply(request);
    });
    listener_.open().wait();
  }
  ~LocalServer() { listener_.close().wait(); }

  const std::string& base() const { return base_; }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  std::string base_;
  http_listener listener_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

// Bodies go in as bytes: cpprest's std::string overloads type-pun stream
// buffers, which UBSan flags inside cpprest's own headers.
std::vector<unsigned char> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::unique_ptr<HttpTransport> Transport(TransportOptions options = {}) {
  StatusOr<std::unique_ptr<HttpTransport>> t = MakeCpprestTransport(options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

TEST(CpprestTransportTest, SendsMethodHeadersBodyAndReadsResponse) {
  LocalServer server([](http_request r) {
    http_response resp(201);
    resp.headers().add("X-Thing", "v1");
    resp.headers().add("Location", "Task/1/_history/1");
    resp.headers().set_content_type("application/fhir+json");
    resp.set_body(Bytes(R"({"ok":true})"));
    r.reply(resp).wait();
  });
  auto transport = Transport();
  HttpRequest req;
  req.method = HttpMethod::kPost;
  req.url = server.base() + "/fhir/Task?identifier=a%7Cb";
  req.headers.Set("Authorization", "Bearer abc");
  req.headers.Set("Content-Type", "application/fhir+json");
  req.headers.Set("Accept", "application/fhir+json");
  req.body = R"({"resourceType":"Task"})";
  StatusOr<HttpResponse> resp = transport->Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->headers.Get("x-thing"), "v1");
  EXPECT_EQ(resp->headers.Get("LOCATION"), "Task/1/_history/1");
  EXPECT_EQ(resp->body, R"({"ok":true})");
  std::vector<Seen> seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].uri, "/fhir/Task?identifier=a%7Cb");
  EXPECT_EQ(seen[0].authorization, "Bearer abc");
  EXPECT_EQ(seen[0].content_type, "application/fhir+json");
  EXPECT_EQ(seen[0].body, R"({"resourceType":"Task"})");
}

TEST(CpprestTransportTest, ResponseOverTheLimitIsRefused) {
  LocalServer server([](http_request r) {
    http_response resp(200);
    if (r.relative_uri().path() == "/chunked") {
      // No length: sent chunked, so only the streaming check can catch it.
      resp.set_body(concurrency::streams::bytestream::open_istream(Bytes(std::string(5000, 'x'))));
    } else {
      resp.set_body(Bytes(std::string(5000, 'x')));
    }
    r.reply(resp).wait();
  });
  TransportOptions options;
  options.max_response_bytes = 1000;
  auto transport = Transport(options);
  for (const char* path : {"/sized", "/chunked"}) {
    HttpRequest req;
    req.url = server.base() + path;
    StatusOr<HttpResponse> resp = transport->Send(req);
    ASSERT_FALSE(resp.ok()) << path;
    EXPECT_EQ(resp.status().code(), StatusCode::kPermanent) << path;
  }
  options.max_response_bytes = 5000;  // exactly at the limit is fine
  HttpRequest req;
  req.url = server.base() + "/chunked";
  StatusOr<HttpResponse> resp = Transport(options)->Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body.size(), 5000u);
}

TEST(CpprestTransportTest, ConnectionRefusedIsUnavailable) {
  auto transport = Transport();
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(FreePort()) + "/fhir/metadata";
  StatusOr<HttpResponse> resp = transport->Send(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable);
}

TEST(CpprestTransportTest, SlowServerTimesOutAsUnavailable) {
  LocalServer server([](http_request r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    r.reply(200).wait();
  });
  TransportOptions options;
  options.request_timeout = std::chrono::milliseconds(300);
  auto transport = Transport(options);
  HttpRequest req;
  req.url = server.base() + "/slow";
  auto start = std::chrono::steady_clock::now();
  StatusOr<HttpResponse> resp = transport->Send(req);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
}

TEST(CpprestTransportTest, RedirectsAreNotFollowed) {
  LocalServer server([](http_request r) {
    http_response resp(302);
    resp.headers().add("Location", "/elsewhere");
    r.reply(resp).wait();
  });
  HttpRequest req;
  req.url = server.base() + "/start";
  req.headers.Set("Authorization", "Bearer secret");
  StatusOr<HttpResponse> resp = Transport()->Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 302);
  EXPECT_EQ(server.seen().size(), 1u);
}

TEST(CpprestTransportTest, BadUrlsAndTlsFilesFailWithoutThrowing) {
  auto transport = Transport();
  HttpRequest req;
  req.url = "not a url";
  EXPECT_EQ(transport->Send(req).status().code(), StatusCode::kInvalidArgument);

  TransportOptions options;
  options.ca_file = test_keys::WriteTempFile("garbage_ca.pem", "not a certificate");
  EXPECT_EQ(MakeCpprestTransport(options).status().code(), StatusCode::kInvalidArgument);
  options = {};
  options.client_cert_file = test_keys::WriteTempFile("only_cert.pem", "x");
  EXPECT_EQ(MakeCpprestTransport(options).status().code(), StatusCode::kInvalidArgument);
  options.client_key_file = test_keys::WriteTempFile("only_key.pem", "y");
  EXPECT_EQ(MakeCpprestTransport(options).status().code(), StatusCode::kInvalidArgument);
}

// An HTTPS listener with the PKI's server certificate; when `require_client`
// the handshake demands a client certificate issued by the PKI's CA.
http_listener_config TlsConfig(const test_keys::TestPki& pki, bool require_client) {
  http_listener_config config;
  config.set_ssl_context_callback([pki, require_client](boost::asio::ssl::context& ctx) {
    ctx.set_options(boost::asio::ssl::context::default_workarounds);
    ctx.use_certificate_chain(boost::asio::buffer(pki.server_cert));
    ctx.use_private_key(boost::asio::buffer(pki.server_key), boost::asio::ssl::context::pem);
    if (require_client) {
      ctx.set_verify_mode(boost::asio::ssl::verify_peer |
                          boost::asio::ssl::verify_fail_if_no_peer_cert);
      ctx.add_certificate_authority(boost::asio::buffer(pki.ca_cert));
    }
  });
  return config;
}

const test_keys::TestPki& Pki() {
  static const test_keys::TestPki* pki = new test_keys::TestPki(test_keys::MakePki());
  return *pki;
}

void ReplyOk(http_request r) {
  http_response resp(200);
  resp.set_body(Bytes("tls ok"));
  r.reply(resp).wait();
}

StatusOr<HttpResponse> Get(const std::string& url, const TransportOptions& options) {
  StatusOr<std::unique_ptr<HttpTransport>> transport = MakeCpprestTransport(options);
  if (!transport.ok()) return transport.status();
  HttpRequest req;
  req.url = url;
  return (*transport)->Send(req);
}

TEST(CpprestTransportTlsTest, PinnedCaIsTrustedAndNothingElse) {
  LocalServer server(ReplyOk, TlsConfig(Pki(), false));
  TransportOptions options;
  options.ca_file = test_keys::WriteTempFile("pki_ca.pem", Pki().ca_cert);
  StatusOr<HttpResponse> ok = Get(server.base() + "/x", options);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->body, "tls ok");

  // The system store does not know the test CA.
  EXPECT_EQ(Get(server.base() + "/x", TransportOptions{}).status().code(),
            StatusCode::kUnavailable);
  // Another CA, set as the only trusted one, does not vouch for this server.
  options.ca_file = test_keys::WriteTempFile("other_ca.pem", test_keys::MakePki().ca_cert);
  EXPECT_EQ(Get(server.base() + "/x", options).status().code(), StatusCode::kUnavailable);
  // Verification can be turned off explicitly (test set-ups only).
  TransportOptions unverified;
  unverified.verify_tls = false;
  EXPECT_TRUE(Get(server.base() + "/x", unverified).ok());
}

TEST(CpprestTransportTlsTest, MutualTlsPresentsTheClientCertificate) {
  LocalServer server(ReplyOk, TlsConfig(Pki(), true));
  TransportOptions options;
  options.ca_file = test_keys::WriteTempFile("mtls_ca.pem", Pki().ca_cert);
  EXPECT_EQ(Get(server.base() + "/x", options).status().code(), StatusCode::kUnavailable);
  options.client_cert_file = test_keys::WriteTempFile("mtls_cert.pem", Pki().client_cert);
  options.client_key_file = test_keys::WriteTempFile("mtls_key.pem", Pki().client_key);
  StatusOr<HttpResponse> ok = Get(server.base() + "/x", options);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);
}

TEST(CpprestTransportTlsTest, MismatchedClientKeyFailsAtStartUp) {
  TransportOptions options;
  options.client_cert_file = test_keys::WriteTempFile("mm_cert.pem", Pki().client_cert);
  options.client_key_file = test_keys::WriteTempFile("mm_key.pem", Pki().server_key);
  StatusOr<std::unique_ptr<HttpTransport>> t = MakeCpprestTransport(options);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("does not match"), std::string::npos);
}

}  // namespace
}  // namespace sa::fhir
