// The API over TLS as configured (/api/tls), with the office system
// authenticated by its client certificate (mutual TLS, mapped by
// /api/auth/clientCertificates) instead of a bearer token.
#include <gtest/gtest.h>

#include "adapter/api/http/test_pki.h"
#include "tests/api/api_fixture.h"

namespace sa::testing {
namespace {

using adapter::api::testing::CallTls;
using adapter::api::testing::ClientContext;
using adapter::api::testing::ClientRequest;

class ApiTlsTest : public ApiTest {
 protected:
  void Configure(json& config) override {
    pki_ = adapter::api::testing::MakeTestPki();
    config["api"]["tls"] = {{"certFile", pki_.server_cert},
                            {"keyFile", pki_.server_key},
                            {"clientCaFile", pki_.ca_cert}};
    config["api"]["auth"]["clientCertificates"] = {{{"subject", "CN=office.example,O=Example Trust"},
                                                    {"principal", "office-mtls"},
                                                    {"roles", {"office-system"}},
                                                    {"organisations", {"EPUT"}}}};
  }
  adapter::api::testing::PkiFiles pki_;
};

TEST_F(ApiTlsTest, TheOfficeSystemAuthenticatesWithItsClientCertificate) {
  ClientRequest post;
  post.method = "POST";
  post.path = "/v1/sessions";
  post.content_type = "application/json";
  post.body = Session("S-T1", "P-10", {"P-20"}).dump();
  ClientResponse r = CallTls(port(), ClientContext(pki_.ca_cert, pki_.client_cert, pki_.client_key), post);
  ASSERT_EQ(r.status, 201) << r.body;
  // The same request without a certificate (and no token) is not authenticated.
  ClientResponse anon = CallTls(port(), ClientContext(pki_.ca_cert), post);
  EXPECT_EQ(anon.status, 401) << anon.body;
  ClientRequest health;
  health.path = "/healthz";
  EXPECT_EQ(CallTls(port(), ClientContext(pki_.ca_cert), health).status, 200);
  // The certificate grants only what its rule says: no discussion reads.
  ClientRequest read;
  read.path = "/v1/sessions/S-T1/discussion";
  EXPECT_EQ(CallTls(port(), ClientContext(pki_.ca_cert, pki_.client_cert, pki_.client_key), read).status,
            403);
}

}  // namespace
}  // namespace sa::testing
