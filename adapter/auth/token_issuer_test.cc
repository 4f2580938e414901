#include "adapter/auth/token_issuer.h"

#include <gtest/gtest.h>

#include "adapter/auth/auth_test_support.h"
#include "adapter/auth/jwt_validator.h"
#include "fhir/clock.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;
using testing::KeyPair;
using testing::WriteTemp;

json Part(const std::string& token, int part) {
  std::size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  std::string text = part == 0 ? token.substr(0, dot1) : token.substr(dot1 + 1, dot2 - dot1 - 1);
  return json::parse(*fhir::Base64UrlDecode(text));
}

TokenIssueConfig IssueConfig(const std::string& alg) {
  TokenIssueConfig c;
  c.private_key_file = WriteTemp("issuer-" + alg + ".pem", KeyPair(alg).private_pem);
  c.issuer = "https://adapter.local";
  c.audience = "supervision-api";
  c.key_id = KeyPair(alg).key_id;
  c.algorithm = alg;
  c.max_ttl_seconds = 900;
  return c;
}

TEST(TokenIssuerTest, IssuedTokensValidateForEveryAlgorithm) {
  fhir::FakeClock clock;
  for (const std::string& alg : SupportedJwsAlgorithmNames()) {
    SCOPED_TRACE(alg);
    TokenIssueConfig issue = IssueConfig(alg);
    StatusOr<std::string> token =
        IssueToken(issue, "P-10", {"supervisor", "auditor"}, {"ORG1"}, 600, clock.Now());
    ASSERT_TRUE(token.ok()) << token.status().ToString();

    ApiAuthConfig config;
    IssuerConfig trusted;
    trusted.issuer = issue.issuer;
    trusted.audiences = {issue.audience};
    trusted.jwks_file = WriteTemp("issuer-" + alg + ".jwks.json", KeyPair(alg).jwks_json);
    trusted.algorithms = {alg};
    config.issuers = {trusted};
    auto validator = JwtValidator::Create(config, &clock).value();
    StatusOr<Principal> p = validator->Validate(*token);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->subject, "P-10");
    EXPECT_EQ(p->roles, (std::set<std::string>{"auditor", "supervisor"}));
    EXPECT_EQ(p->organisations, std::vector<std::string>{"ORG1"});
    EXPECT_EQ(p->issuer, "https://adapter.local");

    clock.Advance(std::chrono::seconds(600 + 60));  // past exp and the default skew
    EXPECT_FALSE(validator->Validate(*token).ok());
  }
}

TEST(TokenIssuerTest, TokenCarriesTheDocumentedClaims) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  TokenIssueConfig issue = IssueConfig("ES256");
  std::string token = IssueToken(issue, "S-1", {"safeguarding-lead"}, {}, 300, now).value();
  EXPECT_EQ(Part(token, 0),
            (json{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", KeyPair("ES256").key_id}}));
  json claims = Part(token, 1);
  EXPECT_EQ(claims["iss"], "https://adapter.local");
  EXPECT_EQ(claims["aud"], "supervision-api");
  EXPECT_EQ(claims["sub"], "S-1");
  EXPECT_EQ(claims["roles"], json({"safeguarding-lead"}));
  EXPECT_EQ(claims["org"], json::array());
  EXPECT_EQ(claims["iat"], 1'700'000'000);
  EXPECT_EQ(claims["nbf"], 1'700'000'000);
  EXPECT_EQ(claims["exp"], 1'700'000'300);
  EXPECT_EQ(claims["jti"].get<std::string>().size(), 32u);
  std::string again = IssueToken(issue, "S-1", {"safeguarding-lead"}, {}, 300, now).value();
  EXPECT_NE(Part(again, 1)["jti"], claims["jti"]);
}

TEST(TokenIssuerTest, RefusesTtlOverMaxUnknownRolesAndBadKeys) {
  const auto now = std::chrono::system_clock::now();
  TokenIssueConfig issue = IssueConfig("ES384");
  auto refused = [&](const TokenIssueConfig& c, const std::string& sub,
                     const std::vector<std::string>& roles, int ttl) {
    StatusOr<std::string> t = IssueToken(c, sub, roles, {}, ttl, now);
    return !t.ok() && t.status().code() == StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(IssueToken(issue, "P-1", {"supervisor"}, {}, 900, now).ok());
  EXPECT_TRUE(refused(issue, "P-1", {"supervisor"}, 901));
  EXPECT_TRUE(refused(issue, "P-1", {"supervisor"}, 0));
  EXPECT_TRUE(refused(issue, "P-1", {"supervisor"}, -5));
  EXPECT_TRUE(refused(issue, "P-1", {"supervisor", "root"}, 60));
  EXPECT_TRUE(refused(issue, "P-1", {}, 60));
  EXPECT_TRUE(refused(issue, "", {"supervisor"}, 60));
  TokenIssueConfig bad = issue;
  bad.algorithm = "HS256";
  EXPECT_TRUE(refused(bad, "P-1", {"supervisor"}, 60));
  bad = issue;
  bad.algorithm = "ES256";  // a P-384 key
  EXPECT_TRUE(refused(bad, "P-1", {"supervisor"}, 60));
  bad = issue;
  bad.private_key_file = testing::TempPath("missing.pem");
  EXPECT_TRUE(refused(bad, "P-1", {"supervisor"}, 60));
}

TEST(TokenIssuerTest, GeneratedKeyPairsMatchTheirAlgorithm) {
  for (const std::string& alg : SupportedJwsAlgorithmNames()) {
    SCOPED_TRACE(alg);
    const IssuerKeyPair& pair = KeyPair(alg);
    EXPECT_NE(pair.private_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
    EXPECT_NE(pair.public_pem.find("BEGIN PUBLIC KEY"), std::string::npos);
    json jwks = json::parse(pair.jwks_json);
    ASSERT_EQ(jwks["keys"].size(), 1u);
    const json& jwk = jwks["keys"][0];
    EXPECT_EQ(jwk["kid"], pair.key_id);
    EXPECT_EQ(jwk["alg"], alg);
    EXPECT_EQ(jwk["use"], "sig");
    for (const char* secret : {"d", "p", "q", "dp", "dq", "qi"}) EXPECT_FALSE(jwk.contains(secret));
    EXPECT_EQ(pair.key_id.size(), 43u);  // base64url of a SHA-256 thumbprint
  }
  EXPECT_NE(KeyPair("ES256").key_id, KeyPair("ES256", 1).key_id);
  EXPECT_FALSE(GenerateIssuerKeyPair("HS256").ok());
  EXPECT_FALSE(GenerateIssuerKeyPair("none").ok());
  EXPECT_FALSE(GenerateIssuerKeyPair("EdDSA").ok());
}

}  // namespace
}  // namespace sa::adapter::auth
