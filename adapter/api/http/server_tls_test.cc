// TLS and mutual TLS with a PKI made at test time; the client is Poco's
// HTTPSClientSession verifying the server against the test CA.
#include <Poco/Exception.h>
#include <gtest/gtest.h>

#include "adapter/api/http/server.h"
#include "adapter/api/http/test_client.h"
#include "adapter/api/http/test_pki.h"

namespace sa::adapter::api {
namespace {

using testing::CallTls;
using testing::ClientContext;
using testing::ClientResponse;
using testing::LogCapture;
using testing::PkiFiles;

class HttpServerTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new PkiFiles(testing::MakeTestPki()); }
  static void TearDownTestSuite() { delete pki_; }

  void SetUp() override {
    router_.Add("GET", "/v1/whoami", [](HttpRequest& r) {
      return HttpResponse::Json(200, {{"subject", r.client_cert_subject}});
    });
  }
  void Start(std::optional<std::string> client_ca, bool require) {
    ServerOptions o;
    o.log = log_.Sink();
    o.tls = TlsOptions{pki_->server_cert, pki_->server_key, client_ca, require};
    auto server = HttpServer::Start(std::move(o), &router_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  ClientResponse Who(Poco::Net::Context::Ptr context) {
    return CallTls(server_->port(), context, {.path = "/v1/whoami"});
  }
  // True when the exchange fails (handshake refused or connection cut).
  bool Refused(Poco::Net::Context::Ptr context) {
    try {
      Who(context);
      return false;
    } catch (const Poco::Exception&) {
      return true;
    }
  }

  static PkiFiles* pki_;
  Router router_;
  LogCapture log_;
  std::unique_ptr<HttpServer> server_;
};

PkiFiles* HttpServerTlsTest::pki_ = nullptr;

TEST_F(HttpServerTlsTest, ServesHttpsThatTheClientVerifies) {
  Start(std::nullopt, false);
  EXPECT_EQ(server_->base_url(), "https://127.0.0.1:" + std::to_string(server_->port()));
  ClientResponse r = Who(ClientContext(pki_->ca_cert));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["subject"], "");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
}

TEST_F(HttpServerTlsTest, ClientTrustingAnotherCaRefusesTheServer) {
  Start(std::nullopt, false);
  EXPECT_TRUE(Refused(ClientContext(pki_->other_ca_cert)));
}

TEST_F(HttpServerTlsTest, MutualTlsRequiredRefusesAClientWithoutACertificate) {
  Start(pki_->ca_cert, true);
  EXPECT_TRUE(Refused(ClientContext(pki_->ca_cert)));
  // The server logs the failed handshake from its own thread, possibly after
  // the client has seen the refusal.
  EXPECT_TRUE(log_.WaitFor("tls_handshake_failed")) << log_.Text();
}

TEST_F(HttpServerTlsTest, MutualTlsRequiredSetsTheVerifiedSubject) {
  Start(pki_->ca_cert, true);
  ClientResponse r = Who(ClientContext(pki_->ca_cert, pki_->client_cert, pki_->client_key));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["subject"], "CN=office.example,O=Example Trust");
}

TEST_F(HttpServerTlsTest, MutualTlsRefusesACertificateFromAnotherCa) {
  Start(pki_->ca_cert, true);
  EXPECT_TRUE(
      Refused(ClientContext(pki_->ca_cert, pki_->rogue_client_cert, pki_->rogue_client_key)));
}

TEST_F(HttpServerTlsTest, OptionalClientCertificate) {
  Start(pki_->ca_cert, false);
  EXPECT_EQ(Who(ClientContext(pki_->ca_cert)).Json()["subject"], "");
  EXPECT_EQ(
      Who(ClientContext(pki_->ca_cert, pki_->client_cert, pki_->client_key)).Json()["subject"],
      "CN=office.example,O=Example Trust");
  // Optional does not mean unchecked: a bad certificate still fails.
  EXPECT_TRUE(
      Refused(ClientContext(pki_->ca_cert, pki_->rogue_client_cert, pki_->rogue_client_key)));
}

TEST_F(HttpServerTlsTest, BadTlsOptionsAreStartErrors) {
  auto start = [&](TlsOptions tls) {
    ServerOptions o;
    o.log = log_.Sink();
    o.tls = std::move(tls);
    return HttpServer::Start(std::move(o), &router_).status();
  };
  EXPECT_EQ(start({pki_->server_cert, "/nonexistent.key", std::nullopt, false}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(start({pki_->server_cert, pki_->client_key, std::nullopt, false}).code(),
            StatusCode::kInvalidArgument);  // key does not match the certificate
  EXPECT_EQ(start({pki_->server_cert, pki_->server_key, std::nullopt, true}).code(),
            StatusCode::kInvalidArgument);  // required client certs need a CA
  EXPECT_EQ(start({"", "", std::nullopt, false}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sa::adapter::api
