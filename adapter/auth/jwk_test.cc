#include "adapter/auth/jwk.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include "adapter/auth/auth_test_support.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;
using testing::KeyPair;

TEST(JwkTest, ThumbprintMatchesRfc7638Example) {
  // RFC 7638 §3.1.
  json jwk = {
      {"kty", "RSA"},
      {"e", "AQAB"},
      {"alg", "RS256"},
      {"kid", "2011-04-29"},
      {"n",
       "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
       "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
       "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNL"
       "yrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJ"
       "zKnqDKgw"}};
  StatusOr<std::string> thumbprint = JwkThumbprint(jwk);
  ASSERT_TRUE(thumbprint.ok()) << thumbprint.status().ToString();
  EXPECT_EQ(*thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  // The same key loads (it is the RFC 7517 A.1 example, 2048 bits).
  StatusOr<EvpKey> key = PublicKeyFromJwk(jwk);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*KeyFamilyOf(key->get()), KeyFamily::kRsa);
}

TEST(JwkTest, PublicJwkRoundTripsForEveryFamily) {
  for (const std::string alg : {"RS256", "ES256", "ES384"}) {
    SCOPED_TRACE(alg);
    json jwk = json::parse(KeyPair(alg).jwks_json)["keys"][0];
    StatusOr<EvpKey> key = PublicKeyFromJwk(jwk);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    StatusOr<json> back = PublicJwk(key->get());
    ASSERT_TRUE(back.ok());
    json required = jwk;
    for (const char* extra : {"kid", "alg", "use"}) required.erase(extra);
    EXPECT_EQ(*back, required);
    EXPECT_EQ(*JwkThumbprint(*back), KeyPair(alg).key_id);
  }
}

// The public JWK of a real, but too short, RSA key.
json Rsa1024Jwk() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  auto bn = [&](const char* name) {
    BIGNUM* v = nullptr;
    EVP_PKEY_get_bn_param(key, name, &v);
    std::string bytes(static_cast<size_t>(BN_num_bytes(v)), '\0');
    BN_bn2bin(v, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(v);
    return fhir::Base64UrlEncode(bytes);
  };
  json jwk = {{"kty", "RSA"}, {"n", bn("n")}, {"e", bn("e")}};
  EVP_PKEY_free(key);
  return jwk;
}

TEST(JwkTest, RefusesBadOrPrivateKeys) {
  json ec = json::parse(KeyPair("ES256").jwks_json)["keys"][0];
  json rsa = json::parse(KeyPair("RS256").jwks_json)["keys"][0];
  struct Case {
    const char* name;
    json jwk;
    const char* reason;
  };
  auto with = [](json j, const char* k, json v) {
    j[k] = std::move(v);
    return j;
  };
  auto without = [](json j, const char* k) {
    j.erase(k);
    return j;
  };
  // A point not on P-256: x and y of the real key, y changed.
  std::string y = *fhir::Base64UrlDecode(ec["y"].get<std::string>());
  y[31] = static_cast<char>(y[31] ^ 1);
  const std::vector<Case> cases = {
      {"NotObject", json::array(), "not a JSON object"},
      {"NoKty", without(ec, "kty"), "'kty' is missing"},
      {"Oct", json{{"kty", "oct"}, {"k", "c2VjcmV0"}}, "private key material"},
      {"OkpUnsupported", with(ec, "kty", "OKP"), "key type not supported"},
      {"PrivateEc", with(ec, "d", "AAAA"), "private key material"},
      {"PrivateRsa", with(rsa, "p", "AAAA"), "private key material"},
      {"CurveP521", with(ec, "crv", "P-521"), "curve not supported"},
      {"ShortX", with(ec, "x", fhir::Base64UrlEncode(std::string(31, 'a'))), "wrong size"},
      {"PaddedX", with(ec, "x", ec["x"].get<std::string>() + "="), "not base64url"},
      {"PointOffCurve", with(ec, "y", fhir::Base64UrlEncode(y)), "not a valid EC public key"},
      {"RsaNoN", without(rsa, "n"), "'n' is missing"},
      {"Rsa1024", Rsa1024Jwk(), "shorter than 2048"},
      {"RsaSmallFactor", with(rsa, "n", fhir::Base64UrlEncode(std::string(256, '\xC3'))),
       "not a valid RSA public key"},  // 0xC3C3... is a multiple of 195
      {"RsaExponentOne", with(rsa, "e", "AQ"), "not a valid RSA public key"},
      {"RsaHuge", with(rsa, "n", fhir::Base64UrlEncode(std::string(2000, '\xC3'))), "too long"},
      {"RsaEvenModulus", with(rsa, "n", fhir::Base64UrlEncode(std::string(256, '\xC2'))),
       "not a valid RSA public key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    StatusOr<EvpKey> key = PublicKeyFromJwk(c.jwk);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(key.status().message().find(c.reason), std::string::npos) << key.status().message();
  }
}

}  // namespace
}  // namespace sa::adapter::auth
