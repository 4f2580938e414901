// Graceful shutdown: in-flight requests finish, new connections are refused.
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "adapter/api/http/server.h"
#include "adapter/api/http/test_client.h"

namespace sa::adapter::api {
namespace {

using std::chrono::milliseconds;
using testing::Call;
using testing::ClientResponse;
using testing::ConnectRefused;
using testing::LogCapture;

class HttpServerShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/v1/slow", [](HttpRequest&) {
      std::this_thread::sleep_for(milliseconds(300));
      return HttpResponse::Json(200, {{"done", true}});
    });
    router_.Add("GET", "/v1/fast", [](HttpRequest&) { return HttpResponse::Json(200, {}); });
    ServerOptions o;
    o.log = log_.Sink();
    auto server = HttpServer::Start(std::move(o), &router_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  void WaitForInFlight(int n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (server_->in_flight() != n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(2));
    }
    ASSERT_EQ(server_->in_flight(), n);
  }

  Router router_;
  LogCapture log_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerShutdownTest, InFlightRequestCompletesWhileNewConnectionsAreRefused) {
  int port = server_->port();
  auto slow = std::async(std::launch::async, [port] { return Call(port, {.path = "/v1/slow"}); });
  WaitForInFlight(1);
  auto shutdown =
      std::async(std::launch::async, [&] { server_->Shutdown(std::chrono::seconds(5)); });
  // Shutdown refuses new connections at once, well before the slow handler ends.
  bool refused = false;
  auto deadline = std::chrono::steady_clock::now() + milliseconds(250);
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    refused = ConnectRefused(port);
    if (!refused) std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(server_->in_flight(), 1);  // the slow request is still running
  ClientResponse r = slow.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["done"], true);
  EXPECT_EQ(r.Header("connection"), "close");
  shutdown.get();
  EXPECT_EQ(server_->in_flight(), 0);
  EXPECT_TRUE(ConnectRefused(port));
}

TEST_F(HttpServerShutdownTest, IdleKeepAliveConnectionsDoNotDelayShutdown) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
  Poco::Net::HTTPRequest req("GET", "/v1/fast", Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  session.receiveResponse(resp).ignore(1 << 20);
  ASSERT_EQ(resp.getStatus(), 200);  // the connection stays open, idle
  auto start = std::chrono::steady_clock::now();
  server_->Shutdown(std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
}

TEST_F(HttpServerShutdownTest, DrainTimeCutsARequestThatTakesTooLong) {
  int port = server_->port();
  auto slow = std::async(std::launch::async, [port] {
    try {
      return Call(port, {.path = "/v1/slow"}).status;
    } catch (const Poco::Exception&) {
      return -1;  // the connection was cut
    }
  });
  WaitForInFlight(1);
  server_->Shutdown(milliseconds(50));  // shorter than the handler
  EXPECT_EQ(server_->in_flight(), 0);   // Shutdown waited for the handler to return
  EXPECT_EQ(slow.get(), -1);
  EXPECT_NE(log_.Text().find("server_drain_expired"), std::string::npos);
}

TEST_F(HttpServerShutdownTest, ShutdownIsIdempotentAndTheDestructorIsSafe) {
  server_->Shutdown(milliseconds(100));
  server_->Shutdown(milliseconds(100));
  server_.reset();
}

}  // namespace
}  // namespace sa::adapter::api
