#include "adapter/auth/verification_keys.h"

#include <gtest/gtest.h>

#include "adapter/auth/auth_test_support.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;
using testing::KeyPair;
using testing::WriteTemp;

using Names = std::vector<std::string>;

TEST(VerificationKeysTest, PemKeyBindsOnlyPinnedAlgorithmsThatFitItsType) {
  const Names all = SupportedJwsAlgorithmNames();
  struct Case {
    std::string key_alg;
    Names pinned;
    Names bound;
  };
  const std::vector<Case> cases = {
      {"RS256", all, {"RS256", "RS384", "RS512", "PS256"}},
      {"RS256", {"RS256"}, {"RS256"}},
      {"RS256", {"ES256", "PS256"}, {"PS256"}},
      {"ES256", all, {"ES256"}},
      {"ES384", all, {"ES384"}},
      {"ES384", {"ES256", "ES384"}, {"ES384"}},
  };
  for (const Case& c : cases) {
    StatusOr<VerificationKey> key = LoadPemPublicKey(KeyPair(c.key_alg).public_pem, c.pinned);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->AlgorithmNames(), c.bound) << c.key_alg;
    EXPECT_EQ(key->kid(), "");
  }
  StatusOr<VerificationKey> none = LoadPemPublicKey(KeyPair("ES256").public_pem, {"ES384"});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no pinned algorithm fits"), std::string::npos);
}

TEST(VerificationKeysTest, PemRefusesPrivateKeysAndGarbage) {
  EXPECT_FALSE(LoadPemPublicKey(KeyPair("RS256").private_pem, {"RS256"}).ok());
  EXPECT_FALSE(
      LoadPemPublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", {"RS256"})
          .ok());
  EXPECT_FALSE(LoadPemPublicKey("", {"RS256"}).ok());
}

TEST(VerificationKeysTest, VerifyRefusesAlgorithmsTheKeyDoesNotAllow) {
  VerificationKey key = LoadPemPublicKey(KeyPair("RS256").public_pem, {"RS256"}).value();
  Status s = key.Verify(*FindJwsAlgorithm("RS384"), "a.b", std::string(256, 'x'));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "algorithm not allowed for this key");
  s = key.Verify(*FindJwsAlgorithm("RS256"), "a.b", std::string(256, 'x'));
  EXPECT_EQ(s.message(), "signature does not verify");
}

TEST(VerificationKeysTest, JwksSkipsKeysNotForSigningOrNotPinned) {
  json rsa = json::parse(KeyPair("RS256").jwks_json)["keys"][0];
  json ec256 = json::parse(KeyPair("ES256").jwks_json)["keys"][0];
  json ec384 = json::parse(KeyPair("ES384").jwks_json)["keys"][0];
  json enc = rsa;
  enc["use"] = "enc";
  enc["kid"] = "enc-key";
  json ops = ec384;
  ops["key_ops"] = {"encrypt"};
  json no_alg = ec256;
  no_alg.erase("alg");
  no_alg["kid"] = "no-alg";
  json set = {{"keys",
               {{{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}},
                {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AAAA"}},
                enc,
                ops,
                rsa,
                ec256,
                no_alg}}};
  // Pinned RS256 and ES256: the oct, OKP, "enc" and encrypt-only keys are skipped.
  StatusOr<std::vector<VerificationKey>> keys = LoadJwks(set.dump(), {"RS256", "ES256"});
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].kid(), KeyPair("RS256").key_id);
  EXPECT_EQ((*keys)[0].AlgorithmNames(), Names{"RS256"});
  EXPECT_EQ((*keys)[1].kid(), KeyPair("ES256").key_id);
  EXPECT_EQ((*keys)[2].kid(), "no-alg");
  EXPECT_EQ((*keys)[2].AlgorithmNames(), Names{"ES256"});

  // The JWK "alg" narrows: an RS256 key is not usable when only PS256 is pinned.
  StatusOr<std::vector<VerificationKey>> ps = LoadJwks(set.dump(), {"PS256"});
  ASSERT_FALSE(ps.ok());
  EXPECT_NE(ps.status().message().find("no signature key usable"), std::string::npos);
}

TEST(VerificationKeysTest, JwksRefusesBadSets) {
  json ec = json::parse(KeyPair("ES256").jwks_json)["keys"][0];
  json bad_point = ec;
  bad_point["x"] = fhir::Base64UrlEncode(std::string(32, '\x01'));
  struct Case {
    std::string text;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"not json", "not a JSON key set"},
      {R"({"keys": {}})", "/keys must be an array"},
      {R"([])", "/keys must be an array"},
      {R"({"keys": [], "keys": []})", "not a JSON key set"},  // duplicate member
      {json{{"keys", {ec, ec}}}.dump(), "/keys/1/kid: key id used by two keys"},
      {json{{"keys", {ec, bad_point}}}.dump(), "/keys/1: JWK is not a valid EC public key"},
      {json{{"keys", {ec, 5}}}.dump(), "/keys/1: must be an object"},
      {json{{"keys", json::array()}}.dump(), "no signature key usable"},
      {json{{"keys", json::array({ec, json{{"kid", "x"}}})}}.dump(), "/keys/1: kty required"},
  };
  for (const Case& c : cases) {
    StatusOr<std::vector<VerificationKey>> keys = LoadJwks(c.text, {"ES256"});
    ASSERT_FALSE(keys.ok()) << c.text;
    EXPECT_NE(keys.status().message().find(c.reason), std::string::npos) << keys.status().message();
  }
  json many = {{"keys", json::array()}};
  for (std::size_t i = 0; i <= kMaxJwksKeys; ++i) many["keys"].push_back(ec);
  EXPECT_FALSE(LoadJwks(many.dump(), {"ES256"}).ok());
}

TEST(VerificationKeysTest, LoadIssuerKeysReadsTheNamedFileAndNamesItInErrors) {
  IssuerConfig issuer;
  issuer.issuer = "https://idp.example";
  issuer.algorithms = {"ES384"};
  issuer.jwks_file = WriteTemp("vk-es384.jwks.json", KeyPair("ES384").jwks_json);
  StatusOr<std::vector<VerificationKey>> keys = LoadIssuerKeys(issuer);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->size(), 1u);

  issuer.jwks_file = WriteTemp("vk-big.jwks.json", std::string(kMaxJwksFileBytes + 1, ' '));
  keys = LoadIssuerKeys(issuer);
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.status().message().find("too large"), std::string::npos);
  EXPECT_NE(keys.status().message().find("issuer 'https://idp.example'"), std::string::npos);

  issuer.jwks_file.reset();
  issuer.public_key_file = WriteTemp("vk-es384.pub.pem", KeyPair("ES384").public_pem);
  keys = LoadIssuerKeys(issuer);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ((*keys)[0].AlgorithmNames(), Names{"ES384"});
}

}  // namespace
}  // namespace sa::adapter::auth
