#include "fhir/smart_backend.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fhir/fake_transport.h"
#include "fhir/test_keys.h"
#include "fhir/url.h"

namespace sa::fhir {
namespace {

using std::chrono::seconds;
using test_keys::JwsPart;
using test_keys::VerifyJws;

constexpr char kTokenUrl[] = "https://Auth.Example:8443/oauth2/token/";

struct KeyFiles {
  std::string rsa_pem = test_keys::MakeKeyPem("RSA", 2048);
  std::string ec_pem = test_keys::MakeKeyPem("EC", 0, "P-384");
  std::string rsa_path = test_keys::WriteTempFile("smart_rsa.pem", rsa_pem);
  std::string ec_path = test_keys::WriteTempFile("smart_ec.pem", ec_pem);
};

const KeyFiles& Keys() {
  static const KeyFiles* keys = new KeyFiles();
  return *keys;
}

AuthConfig Config(const std::string& algorithm = "ES384") {
  AuthConfig c;
  c.method = "smart-backend";
  c.token_url = kTokenUrl;
  c.client_id = "adapter-client";
  c.key_id = "kid-1";
  c.algorithm = algorithm;
  c.private_key_file = algorithm == "ES384" ? Keys().ec_path : Keys().rsa_path;
  c.scopes = {"system/Task.cu", "system/CarePlan.cu"};
  c.extra_claims = Json{{"tenant", "north"}};
  return c;
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < body.size()) {
    size_t amp = body.find('&', start);
    if (amp == std::string::npos) amp = body.size();
    std::string pair = body.substr(start, amp - start);
    size_t eq = pair.find('=');
    out[*PercentDecode(pair.substr(0, eq))] = *PercentDecode(pair.substr(eq + 1));
    start = amp + 1;
  }
  return out;
}

std::string TokenBody(const std::string& token, int expires_in) {
  return Json{{"access_token", token}, {"token_type", "bearer"}, {"expires_in", expires_in}}.dump();
}

TEST(ClientAssertionTest, ClaimsAndSignaturesForEachAlgorithm) {
  FakeClock clock;
  for (const char* alg : {"ES384", "RS384", "RS512"}) {
    AuthConfig config = Config(alg);
    auto builder = ClientAssertionBuilder::Create(config);
    ASSERT_TRUE(builder.ok()) << builder.status().ToString();
    std::string jws = *(*builder)->Build(clock.Now());
    Json header = JwsPart(jws, 0);
    EXPECT_EQ(header, Json({{"alg", alg}, {"typ", "JWT"}, {"kid", "kid-1"}}));
    Json claims = JwsPart(jws, 1);
    EXPECT_EQ(claims["iss"], "adapter-client");
    EXPECT_EQ(claims["sub"], "adapter-client");
    EXPECT_EQ(claims["aud"], kTokenUrl);  // exactly as configured, not normalised
    int64_t now = std::chrono::duration_cast<seconds>(clock.Now().time_since_epoch()).count();
    EXPECT_EQ(claims["iat"], now);
    EXPECT_EQ(claims["exp"].get<int64_t>() - now, 300);
    EXPECT_EQ(claims["tenant"], "north");
    const std::string& pem = std::string(alg) == "ES384" ? Keys().ec_pem : Keys().rsa_pem;
    EXPECT_TRUE(VerifyJws(jws, pem, *ParseJwtAlgorithm(alg))) << alg;
  }
}

TEST(ClientAssertionTest, ShorterLifetimeAndUniqueJtiOver1000) {
  AuthConfig config = Config("ES384");
  config.assertion_lifetime = seconds(120);
  auto builder = ClientAssertionBuilder::Create(config).value();
  FakeClock clock;
  std::set<std::string> jtis;
  for (int i = 0; i < 1000; ++i) {
    std::string jws = *builder->Build(clock.Now());
    Json claims = JwsPart(jws, 1);
    ASSERT_LE(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 120);
    ASSERT_TRUE(jtis.insert(claims["jti"].get<std::string>()).second) << "repeated jti";
  }
}

TEST(ClientAssertionTest, RejectsBadConfigListingEveryProblem) {
  AuthConfig c = Config();
  c.assertion_lifetime = seconds(301);
  c.extra_claims = Json{{"aud", "x"}, {"jti", "fixed"}};
  c.scopes = {"system/Task.cu system/*.read"};
  c.algorithm = "HS256";
  StatusOr<std::unique_ptr<ClientAssertionBuilder>> b = ClientAssertionBuilder::Create(c);
  ASSERT_FALSE(b.ok());
  for (const char* part : {"assertion_lifetime", "'aud'", "'jti'", "single scope", "HS256"}) {
    EXPECT_NE(b.status().message().find(part), std::string::npos) << part;
  }
  c = Config();
  c.token_url = "http://auth.example/token";
  EXPECT_FALSE(ClientAssertionBuilder::Create(c).ok());  // plain http off loopback
  c.token_url = "http://127.0.0.1:9/token";
  EXPECT_TRUE(ClientAssertionBuilder::Create(c).ok());
  c = Config();
  c.scopes.clear();
  EXPECT_FALSE(ClientAssertionBuilder::Create(c).ok());
}

class SmartAuthTest : public ::testing::Test {
 protected:
  std::unique_ptr<SmartBackendAuthenticator> Make(AuthConfig config = Config()) {
    auto auth = SmartBackendAuthenticator::Create(config, &transport_, &clock_);
    EXPECT_TRUE(auth.ok()) << auth.status().ToString();
    return auth.ok() ? std::move(auth).value() : nullptr;
  }
  FakeTransport transport_;
  FakeClock clock_;
};

TEST_F(SmartAuthTest, TokenRequestIsFormEncodedClientCredentials) {
  transport_.Respond(200, TokenBody("tok-1", 300));
  auto auth = Make();
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-1");
  ASSERT_EQ(transport_.requests().size(), 1u);
  const HttpRequest r = transport_.requests()[0];
  EXPECT_EQ(r.method, HttpMethod::kPost);
  EXPECT_EQ(r.url, kTokenUrl);
  EXPECT_EQ(r.headers.Get("content-type"), "application/x-www-form-urlencoded");
  std::map<std::string, std::string> form = ParseForm(r.body);
  EXPECT_EQ(form["grant_type"], "client_credentials");
  EXPECT_EQ(form["scope"], "system/Task.cu system/CarePlan.cu");
  EXPECT_EQ(form["client_assertion_type"], kJwtBearerAssertionType);
  EXPECT_TRUE(VerifyJws(form["client_assertion"], Keys().ec_pem, JwtAlgorithm::kES384));
  EXPECT_EQ(JwsPart(form["client_assertion"], 1)["aud"], kTokenUrl);
}

TEST_F(SmartAuthTest, TokenIsCachedUntilShortlyBeforeExpiry) {
  transport_.Respond(200, TokenBody("tok-1", 300));
  transport_.Respond(200, TokenBody("tok-2", 300));
  auto auth = Make();  // refresh margin 60 s: refresh due at 240 s
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-1");
  clock_.Advance(seconds(239));
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-1");
  EXPECT_EQ(auth->token_requests(), 1);
  clock_.Advance(seconds(1));
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-2");
  EXPECT_EQ(auth->token_requests(), 2);
}

TEST_F(SmartAuthTest, ShortLivedTokenRefreshesAtHalfLife) {
  transport_.Respond(200, TokenBody("tok-1", 30));
  transport_.Respond(200, TokenBody("tok-2", 30));
  auto auth = Make();
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-1");
  clock_.Advance(seconds(14));
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-1");
  clock_.Advance(seconds(1));
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-2");
}

TEST_F(SmartAuthTest, InvalidateForcesRefresh) {
  transport_.Respond(200, TokenBody("tok-1", 300));
  transport_.Respond(200, TokenBody("tok-2", 300));
  auto auth = Make();
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-1");
  auth->Invalidate();
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-2");
  // Each request carries a fresh assertion.
  EXPECT_NE(ParseForm(transport_.requests()[0].body)["client_assertion"],
            ParseForm(transport_.requests()[1].body)["client_assertion"]);
}

TEST_F(SmartAuthTest, TokenEndpointErrorsAreClassifiedAndTruncated) {
  std::string description(1000, 'd');
  transport_.Respond(400, Json{{"error", "invalid_client"}, {"error_description", description}}.dump());
  auto auth = Make();
  StatusOr<std::string> h = auth->AuthorizationHeader();
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(h.status().message().find("invalid_client"), std::string::npos);
  EXPECT_LT(h.status().message().size(), kMaxOAuthErrorChars + 100);

  transport_.Respond(503, "<html>busy</html>");
  EXPECT_EQ(auth->AuthorizationHeader().status().code(), StatusCode::kUnavailable);
  transport_.Fail(Status::Unavailable("connection reset"));
  EXPECT_EQ(auth->AuthorizationHeader().status().code(), StatusCode::kUnavailable);
}

TEST_F(SmartAuthTest, MalformedTokenResponsesAreRejected) {
  auto auth = Make();
  transport_.Respond(200, R"({"token_type":"bearer","expires_in":300})");
  EXPECT_FALSE(auth->AuthorizationHeader().ok());
  transport_.Respond(200, R"({"access_token":"t","token_type":"mac"})");
  EXPECT_FALSE(auth->AuthorizationHeader().ok());
  transport_.Respond(200, R"({"access_token":"a b\r\nX-Evil: 1","token_type":"Bearer"})");
  EXPECT_FALSE(auth->AuthorizationHeader().ok());
  transport_.Respond(200, "not json");
  EXPECT_FALSE(auth->AuthorizationHeader().ok());
  // expires_in absent: a default lifetime, token accepted; huge: clamped.
  transport_.Respond(200, R"({"access_token":"t1","token_type":"Bearer"})");
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer t1");
  auth->Invalidate();
  transport_.Respond(200, R"({"access_token":"t2","token_type":"Bearer","expires_in":1e300})");
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer t2");
}

}  // namespace
}  // namespace sa::fhir
