#include "adapter/auth/jwt_validator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "adapter/auth/auth_test_support.h"
#include "adapter/auth/jwt_claims.h"
#include "fhir/clock.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;
using testing::B64;
using testing::KeyPair;
using testing::SignJws;
using testing::WriteTemp;

constexpr char kIss[] = "https://idp.example/realms/sa";
constexpr char kAud[] = "supervision-api";
constexpr char kSub[] = "P-10";

class JwtValidatorTest : public ::testing::Test {
 protected:
  std::int64_t Now() {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch())
        .count();
  }

  static IssuerConfig Issuer(const std::string& iss, std::vector<std::string> algorithms) {
    IssuerConfig c;
    c.issuer = iss;
    c.audiences = {"other-api", kAud};
    c.algorithms = std::move(algorithms);
    return c;
  }
  // An issuer trusting KeyPair(alg) through a PEM public key file.
  static IssuerConfig PemIssuer(const std::string& alg, const std::string& iss = kIss) {
    IssuerConfig c = Issuer(iss, {alg});
    c.public_key_file = WriteTemp(alg + "-pub.pem", KeyPair(alg).public_pem);
    return c;
  }
  // An issuer trusting KeyPair(alg) through a one-key JWKS file.
  static IssuerConfig JwksIssuer(const std::string& alg, const std::string& iss = kIss) {
    IssuerConfig c = Issuer(iss, {alg});
    c.jwks_file = WriteTemp(alg + "-jwks.json", KeyPair(alg).jwks_json);
    return c;
  }

  std::unique_ptr<JwtValidator> Make(std::vector<IssuerConfig> issuers, int skew = 60) {
    ApiAuthConfig config;
    config.issuers = std::move(issuers);
    config.clock_skew_seconds = skew;
    StatusOr<std::unique_ptr<JwtValidator>> v = JwtValidator::Create(config, &clock_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? std::move(v).value() : nullptr;
  }

  json Claims() {
    return {{"iss", kIss},     {"aud", kAud},  {"sub", kSub},  {"roles", {"supervisor"}},
            {"org", {"ORG1"}}, {"iat", Now()}, {"nbf", Now()}, {"exp", Now() + 300},
            {"jti", "j1"}};
  }
  static json Header(const std::string& alg) {
    return {{"alg", alg}, {"typ", "JWT"}, {"kid", KeyPair(alg).key_id}};
  }
  static std::string Sign(const json& header, const json& claims, const std::string& key_alg) {
    return SignJws(header, claims, KeyPair(key_alg).private_pem);
  }

  fhir::FakeClock clock_;
};

// Refusals must never carry token contents.
void ExpectRefused(const StatusOr<Principal>& result, const std::string& token,
                   const std::string& reason) {
  ASSERT_FALSE(result.ok()) << "expected refusal: " << reason;
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(result.status().message().find(reason), std::string::npos) << result.status().message();
  EXPECT_EQ(result.status().message().find(kSub), std::string::npos);
  if (token.size() > 12) {
    EXPECT_EQ(result.status().message().find(token.substr(0, 12)), std::string::npos);
  }
}

TEST_F(JwtValidatorTest, ValidTokensViaPemAndViaJwks) {
  for (const std::string alg : {"RS256", "ES256", "ES384", "PS256", "RS384", "RS512"}) {
    for (bool jwks : {false, true}) {
      SCOPED_TRACE(alg + (jwks ? " jwks" : " pem"));
      auto v = Make({jwks ? JwksIssuer(alg) : PemIssuer(alg)});
      ASSERT_NE(v, nullptr);
      StatusOr<Principal> p = v->Validate(Sign(Header(alg), Claims(), alg));
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_EQ(p->subject, kSub);
      EXPECT_EQ(p->roles, std::set<std::string>{"supervisor"});
      EXPECT_EQ(p->organisations, std::vector<std::string>{"ORG1"});
      EXPECT_EQ(p->issuer, kIss);
      EXPECT_EQ(p->via, "jwt");
      EXPECT_EQ(p->AuditActor(), "api:P-10");
    }
  }
}

struct RefusalCase {
  const char* name;
  std::function<void(json& header, json& claims)> change;
  const char* reason;
  const char* sign_as = "RS256";  // whose private key signs
};

TEST_F(JwtValidatorTest, RefusesEachBadHeaderOrClaim) {
  const std::int64_t now = Now();
  const std::vector<RefusalCase> cases = {
      {"AlgNone", [](json& h, json&) { h["alg"] = "none"; }, "algorithm refused"},
      {"AlgNoneAnyCase", [](json& h, json&) { h["alg"] = "nOnE"; }, "algorithm refused"},
      {"AlgMissing", [](json& h, json&) { h.erase("alg"); }, "no algorithm"},
      {"AlgNotString", [](json& h, json&) { h["alg"] = 256; }, "no algorithm"},
      {"AlgUnknown", [](json& h, json&) { h["alg"] = "PS512"; }, "algorithm not supported"},
      {"AlgNotPinnedForIssuer", [](json& h, json&) { h["alg"] = "RS512"; },
       "algorithm not allowed for this issuer"},
      // PS256 is pinned for the issuer, but the JWK says "alg": "RS256".
      {"AlgNotAllowedForKey", [](json& h, json&) { h["alg"] = "PS256"; },
       "algorithm not allowed for this key"},
      {"CritHeader", [](json& h, json&) { h["crit"] = {"exp"}; }, "critical header"},
      {"TypNotJwt", [](json& h, json&) { h["typ"] = "JOSE+JSON"; }, "token type not accepted"},
      {"KidUnknown", [](json& h, json&) { h["kid"] = "another-key"; }, "key id not known"},
      {"KidNotString", [](json& h, json&) { h["kid"] = 7; }, "key id malformed"},
      {"WrongIssuer", [](json&, json& c) { c["iss"] = "https://evil.example"; },
       "issuer not trusted"},
      {"IssuerMissing", [](json&, json& c) { c.erase("iss"); }, "issuer missing"},
      {"WrongAudience", [](json&, json& c) { c["aud"] = "someone-else"; }, "audience not accepted"},
      {"WrongAudienceArray",
       [](json&, json& c) {
         c["aud"] = {"a", "b"};
       },
       "audience not accepted"},
      {"AudienceMissing", [](json&, json& c) { c.erase("aud"); }, "audience missing"},
      {"AudienceNumber", [](json&, json& c) { c["aud"] = 1; }, "audience malformed"},
      {"ExpiredPastSkew", [now](json&, json& c) { c["exp"] = now - 61; }, "token expired"},
      {"ExpiredAtSkewEdge", [now](json&, json& c) { c["exp"] = now - 60; }, "token expired"},
      {"ExpMissing", [](json&, json& c) { c.erase("exp"); }, "expiry (exp) missing"},
      {"ExpString", [now](json&, json& c) { c["exp"] = std::to_string(now + 60); },
       "time claim malformed"},
      {"NbfInFuture", [now](json&, json& c) { c["nbf"] = now + 61; }, "token not yet valid"},
      {"IatInFuture", [now](json&, json& c) { c["iat"] = now + 3600; }, "issued in the future"},
      {"SubMissing", [](json&, json& c) { c.erase("sub"); }, "subject missing"},
      {"SubEmpty", [](json&, json& c) { c["sub"] = ""; }, "subject missing"},
      {"SubNotString", [](json&, json& c) { c["sub"] = 10; }, "subject missing"},
      {"SubWithNewline", [](json&, json& c) { c["sub"] = "x\nforged audit line"; },
       "subject malformed"},
      {"SubTooLong", [](json&, json& c) { c["sub"] = std::string(kMaxSubjectBytes + 1, 'a'); },
       "subject malformed"},
      {"NoKnownRole",
       [](json&, json& c) {
         c["roles"] = {"admin", "root"};
       },
       "no known role"},
      {"RolesMissing", [](json&, json& c) { c.erase("roles"); }, "no known role"},
      {"RolesEmptyString", [](json&, json& c) { c["roles"] = " "; }, "no known role"},
      {"RolesNotStrings",
       [](json&, json& c) {
         c["roles"] = {"supervisor", 1};
       },
       "roles claim malformed"},
      {"RolesObject",
       [](json&, json& c) {
         c["roles"] = {{"supervisor", true}};
       },
       "roles claim malformed"},
      {"OrganisationsNumber", [](json&, json& c) { c["org"] = 5; },
       "organisations claim malformed"},
      {"OrganisationsEmptyString",
       [](json&, json& c) {
         c["org"] = {"ORG1", ""};
       },
       "organisations claim malformed"},
      // Signed by a key the issuer does not have, under the issuer's own kid.
      {"SignedByAnotherKey", [](json& h, json&) { h["kid"] = KeyPair("RS256").key_id; },
       "signature does not verify", "PS256"},
  };
  IssuerConfig issuer = JwksIssuer("RS256");
  issuer.algorithms = {"RS256", "PS256"};
  auto v = Make({issuer});
  ASSERT_NE(v, nullptr);
  for (const RefusalCase& c : cases) {
    SCOPED_TRACE(c.name);
    json header = Header("RS256");
    json claims = Claims();
    c.change(header, claims);
    std::string token = Sign(header, claims, c.sign_as);
    ExpectRefused(v->Validate(token), token, c.reason);
  }
}

TEST_F(JwtValidatorTest, Hs256KeyedWithTheRsaPublicKeyIsRefused) {
  // The classic confusion: an attacker signs HS256 with the issuer's PUBLIC
  // key as the HMAC secret, hoping the verifier feeds its RSA key to HMAC.
  for (bool jwks : {false, true}) {
    auto v = Make({jwks ? JwksIssuer("RS256") : PemIssuer("RS256")});
    json header = {{"alg", "HS256"}, {"typ", "JWT"}};
    for (const std::string& secret : {KeyPair("RS256").public_pem, KeyPair("RS256").jwks_json}) {
      std::string token = SignJws(header, Claims(), secret);
      ExpectRefused(v->Validate(token), token, "algorithm refused");
    }
  }
}

TEST_F(JwtValidatorTest, RsaKeyNeverChecksEcdsaTokensEvenWhenBothArePinned) {
  IssuerConfig issuer = PemIssuer("RS256");
  issuer.algorithms = {"RS256", "ES256"};  // the RSA key binds to RS256 only
  auto v = Make({issuer});
  std::string token = Sign({{"alg", "ES256"}}, Claims(), "ES256");
  ExpectRefused(v->Validate(token), token, "algorithm not allowed for this key");
}

TEST_F(JwtValidatorTest, RefusesTamperedPayloadAndSignature) {
  auto v = Make({PemIssuer("RS256")});
  std::string token = Sign(Header("RS256"), Claims(), "RS256");
  ASSERT_TRUE(v->Validate(token).ok());
  const std::size_t dot1 = token.find('.'), dot2 = token.rfind('.');

  json forged = Claims();
  forged["roles"] = {"safeguarding-lead"};
  std::string tampered_payload =
      token.substr(0, dot1 + 1) + B64(forged.dump()) + token.substr(dot2);
  ExpectRefused(v->Validate(tampered_payload), tampered_payload, "signature does not verify");

  std::string tampered_sig = token;
  std::size_t mid = dot2 + (token.size() - dot2) / 2;
  tampered_sig[mid] = tampered_sig[mid] == 'A' ? 'B' : 'A';
  ExpectRefused(v->Validate(tampered_sig), tampered_sig, "signature does not verify");

  std::string short_sig = token.substr(0, token.size() - 4);
  ExpectRefused(v->Validate(short_sig), short_sig, "signature has the wrong size");
  std::string no_sig = token.substr(0, dot2 + 1);
  ExpectRefused(v->Validate(no_sig), no_sig, "signature has the wrong size");
}

TEST_F(JwtValidatorTest, RefusesEcdsaSignaturesOfTheWrongSize) {
  auto v = Make({PemIssuer("ES256")});
  std::string token = Sign(Header("ES256"), Claims(), "ES256");
  ASSERT_TRUE(v->Validate(token).ok());
  const std::size_t dot2 = token.rfind('.');
  std::string raw = *fhir::Base64UrlDecode(token.substr(dot2 + 1));
  ASSERT_EQ(raw.size(), 64u);
  for (const std::string& sig :
       {raw + '\0', raw.substr(0, 63), raw + std::string(32, '\0'), std::string(1, '\0') + raw}) {
    std::string bad = token.substr(0, dot2 + 1) + B64(sig);
    ExpectRefused(v->Validate(bad), bad, "signature has the wrong size");
  }
  // An ES384-sized (96-byte) signature on an ES256 token.
  std::string es384 = Sign(Header("ES384"), Claims(), "ES384");
  std::string mixed = token.substr(0, dot2) + es384.substr(es384.rfind('.'));
  ExpectRefused(v->Validate(mixed), mixed, "signature has the wrong size");
  std::string zeros = token.substr(0, dot2 + 1) + B64(std::string(64, '\0'));
  ExpectRefused(v->Validate(zeros), zeros, "signature does not verify");
}

TEST_F(JwtValidatorTest, RefusesMalformedTokens) {
  auto v = Make({PemIssuer("RS256")});
  std::string good = Sign(Header("RS256"), Claims(), "RS256");
  const std::string sig = good.substr(good.rfind('.'));
  const std::string payload = B64(Claims().dump());
  struct Case {
    std::string token;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"", "not three base64url parts"},
      {"abc", "not three base64url parts"},
      {"a.b", "not three base64url parts"},
      {good + ".x", "not three base64url parts"},
      {"!!!.???.###", "not three base64url parts"},
      {"..", "not three base64url parts"},
      {"Zm9v=." + payload + sig, "not three base64url parts"},
      {"A." + payload + sig, "not three base64url parts"},  // 1 char: not base64url
      {B64("not json") + "." + payload + sig, "token header is not a JSON object"},
      {B64("[1,2]") + "." + payload + sig, "token header is not a JSON object"},
      {B64(R"({"alg":"RS256","alg":"none"})") + "." + payload + sig,
       "token header is not a JSON object"},
      {B64(Header("RS256").dump()) + "." + B64("{\"iss\":") + sig,
       "token payload is not a JSON object"},
      {B64(Header("RS256").dump()) + "." + B64("\"just a string\"") + sig,
       "token payload is not a JSON object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.token.substr(0, 40));
    ExpectRefused(v->Validate(c.token), c.token, c.reason);
  }
}

TEST_F(JwtValidatorTest, RefusesOversizeTokensBeforeDecoding) {
  auto v = Make({PemIssuer("RS256")});
  json claims = Claims();
  claims["pad"] = std::string(kMaxTokenBytes, 'x');
  std::string token = Sign(Header("RS256"), claims, "RS256");
  ExpectRefused(v->Validate(token), token, "token too large");
  ExpectRefused(v->Validate(std::string(kMaxTokenBytes + 1, 'A')), "", "token too large");
}

TEST_F(JwtValidatorTest, ClockSkewAppliesToExpNbfAndIat) {
  auto v = Make({PemIssuer("ES384")}, /*skew=*/60);
  json claims = Claims();
  claims["exp"] = Now() + 10;
  claims["nbf"] = Now() + 50;
  claims["iat"] = Now() + 50;
  std::string token = Sign(Header("ES384"), claims, "ES384");
  EXPECT_TRUE(v->Validate(token).ok());  // nbf/iat in the future but within skew
  clock_.Advance(std::chrono::seconds(69));
  EXPECT_TRUE(v->Validate(token).ok());  // expired 59 s ago: within skew
  clock_.Advance(std::chrono::seconds(1));
  ExpectRefused(v->Validate(token), token, "token expired");

  auto strict = Make({PemIssuer("ES384")}, /*skew=*/0);
  claims = Claims();
  claims["exp"] = Now();
  ExpectRefused(strict->Validate(Sign(Header("ES384"), claims, "ES384")), "", "token expired");
  claims["exp"] = Now() + 1;
  claims["nbf"] = Now() + 1;
  ExpectRefused(strict->Validate(Sign(Header("ES384"), claims, "ES384")), "", "not yet valid");
  claims["nbf"] = Now();
  claims["exp"] = static_cast<double>(Now()) + 0.5;  // fractional NumericDate
  EXPECT_TRUE(strict->Validate(Sign(Header("ES384"), claims, "ES384")).ok());
}

TEST_F(JwtValidatorTest, AcceptsTypesAndAudienceArrays) {
  auto v = Make({PemIssuer("RS256")});
  for (const char* typ : {"JWT", "jwt", "at+jwt", "application/at+jwt"}) {
    json header = Header("RS256");
    header["typ"] = typ;
    EXPECT_TRUE(v->Validate(Sign(header, Claims(), "RS256")).ok()) << typ;
  }
  json header = Header("RS256");
  header.erase("typ");
  json claims = Claims();
  claims["aud"] = {"x", kAud};
  EXPECT_TRUE(v->Validate(Sign(header, claims, "RS256")).ok());
}

TEST_F(JwtValidatorTest, MapsRolesAndOrganisations) {
  auto v = Make({PemIssuer("ES256")});
  json claims = Claims();
  claims["roles"] = "supervisor  auditor unknown-role";
  claims["org"] = "ORG1";
  StatusOr<Principal> p = v->Validate(Sign(Header("ES256"), claims, "ES256"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->roles, (std::set<std::string>{"auditor", "supervisor"}));
  EXPECT_EQ(p->organisations, std::vector<std::string>{"ORG1"});

  claims["roles"] = {"line-manager", "not-a-role", "line-manager"};
  claims["org"] = {"ORG2", "ORG1", "ORG2"};
  p = v->Validate(Sign(Header("ES256"), claims, "ES256"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->roles, std::set<std::string>{"line-manager"});
  EXPECT_EQ(p->organisations, (std::vector<std::string>{"ORG2", "ORG1"}));
  EXPECT_TRUE(p->ActsFor("ORG1"));

  claims.erase("org");
  p = v->Validate(Sign(Header("ES256"), claims, "ES256"));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->organisations.empty());
}

TEST_F(JwtValidatorTest, UsesTheConfiguredClaimNames) {
  IssuerConfig issuer = PemIssuer("ES256");
  issuer.subject_claim = "preferred_username";
  issuer.roles_claim = "groups";
  issuer.organisations_claim = "tenants";
  auto v = Make({issuer});
  json claims = Claims();
  claims["preferred_username"] = "S-7";
  claims["groups"] = {"safeguarding-lead"};
  claims["tenants"] = {"ORG9"};
  StatusOr<Principal> p = v->Validate(Sign(Header("ES256"), claims, "ES256"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->subject, "S-7");
  EXPECT_EQ(p->roles, std::set<std::string>{"safeguarding-lead"});
  EXPECT_EQ(p->organisations, std::vector<std::string>{"ORG9"});
}

TEST_F(JwtValidatorTest, PicksTheKeyByKidAndNeverGuesses) {
  json set = json::parse(KeyPair("ES256", 0).jwks_json);
  set["keys"].push_back(json::parse(KeyPair("ES256", 1).jwks_json)["keys"][0]);
  IssuerConfig issuer = Issuer(kIss, {"ES256"});
  issuer.jwks_file = WriteTemp("two-keys.jwks.json", set.dump());
  auto v = Make({issuer});
  ASSERT_NE(v, nullptr);
  const std::string key1 = KeyPair("ES256", 1).private_pem;
  std::string token =
      SignJws({{"alg", "ES256"}, {"kid", KeyPair("ES256", 1).key_id}}, Claims(), key1);
  EXPECT_TRUE(v->Validate(token).ok());
  std::string no_kid = SignJws({{"alg", "ES256"}}, Claims(), key1);
  ExpectRefused(v->Validate(no_kid), no_kid, "no key id and the issuer has several keys");
  std::string wrong_kid =
      SignJws({{"alg", "ES256"}, {"kid", KeyPair("ES256", 0).key_id}}, Claims(), key1);
  ExpectRefused(v->Validate(wrong_kid), wrong_kid, "signature does not verify");
}

TEST_F(JwtValidatorTest, PemKeyAcceptsTokensWithOrWithoutKid) {
  auto v = Make({PemIssuer("RS256")});
  EXPECT_TRUE(v->Validate(Sign({{"alg", "RS256"}}, Claims(), "RS256")).ok());
  EXPECT_TRUE(v->Validate(Sign({{"alg", "RS256"}, {"kid", "any"}}, Claims(), "RS256")).ok());
}

TEST_F(JwtValidatorTest, TrustsSeveralIssuersEachWithItsOwnKeys) {
  auto v =
      Make({PemIssuer("RS256", "https://a.example"), JwksIssuer("ES384", "https://b.example")});
  json a = Claims();
  a["iss"] = "https://a.example";
  json b = Claims();
  b["iss"] = "https://b.example";
  EXPECT_EQ(v->Validate(Sign(Header("RS256"), a, "RS256"))->issuer, "https://a.example");
  EXPECT_EQ(v->Validate(Sign(Header("ES384"), b, "ES384"))->issuer, "https://b.example");
  // Issuer b's algorithm and key under issuer a's name: refused.
  std::string crossed = Sign(Header("ES384"), a, "ES384");
  ExpectRefused(v->Validate(crossed), crossed, "algorithm not allowed for this issuer");
}

TEST_F(JwtValidatorTest, ValidateIsThreadSafe) {
  auto v = Make({PemIssuer("ES256")});
  std::string good = Sign(Header("ES256"), Claims(), "ES256");
  std::string bad = good.substr(0, good.size() - 2) + (good.back() == 'A' ? "BB" : "AA");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!v->Validate(good).ok() || v->Validate(bad).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(JwtValidatorTest, CreateRefusesBadConfiguration) {
  ApiAuthConfig config;
  EXPECT_FALSE(JwtValidator::Create(config, nullptr).ok());
  auto create = [&](IssuerConfig issuer) {
    ApiAuthConfig c;
    c.issuers = {std::move(issuer)};
    return JwtValidator::Create(c, &clock_).status();
  };
  auto expect = [](const Status& s, const std::string& text) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find(text), std::string::npos) << s.message();
  };
  IssuerConfig i = PemIssuer("RS256");
  i.algorithms = {"RS256", "HS256"};
  expect(create(i), "never accepted");
  i.algorithms = {"none"};
  expect(create(i), "never accepted");
  i.algorithms = {};
  expect(create(i), "no algorithms");
  i = PemIssuer("RS256");
  i.algorithms = {"ES256"};  // an RSA key fits no pinned algorithm
  expect(create(i), "no pinned algorithm fits");
  i = PemIssuer("RS256");
  i.public_key_file = WriteTemp("private-as-public.pem", KeyPair("RS256").private_pem);
  expect(create(i), "not a PEM public key");
  i.public_key_file = testing::TempPath("does-not-exist.pem");
  expect(create(i), "cannot open");
  i.jwks_file = JwksIssuer("RS256").jwks_file;
  expect(create(i), "exactly one of publicKeyFile or jwksFile");
  i = JwksIssuer("RS256");
  i.audiences.clear();
  expect(create(i), "no audience");
  ApiAuthConfig twice;
  twice.issuers = {PemIssuer("RS256"), JwksIssuer("RS256")};
  expect(JwtValidator::Create(twice, &clock_).status(), "listed twice");
  twice.issuers.pop_back();
  twice.clock_skew_seconds = 301;
  expect(JwtValidator::Create(twice, &clock_).status(), "clock skew");
}

}  // namespace
}  // namespace sa::adapter::auth
