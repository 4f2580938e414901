#include "fhir/jwt.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include <set>

#include "fhir/test_keys.h"

namespace sa::fhir {
namespace {

using test_keys::JwsPart;
using test_keys::MakeKeyPem;
using test_keys::VerifyJws;

// Keys are made once: RSA generation is the slow part of this suite.
const std::string& RsaPem() {
  static const std::string pem = MakeKeyPem("RSA", 2048);
  return pem;
}
const std::string& EcPem() {
  static const std::string pem = MakeKeyPem("EC", 0, "P-384");
  return pem;
}

TEST(Base64UrlTest, KnownVectorsAndRoundTrip) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(all)), all);
  EXPECT_EQ(*Base64UrlDecode("Zm8="), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zm+v").ok());
  EXPECT_FALSE(Base64UrlDecode("Z").ok());
}

TEST(JwtAlgorithmTest, ParsesOnlySupportedNames) {
  EXPECT_EQ(*ParseJwtAlgorithm("RS384"), JwtAlgorithm::kRS384);
  EXPECT_EQ(*ParseJwtAlgorithm("RS512"), JwtAlgorithm::kRS512);
  EXPECT_EQ(*ParseJwtAlgorithm("ES384"), JwtAlgorithm::kES384);
  EXPECT_FALSE(ParseJwtAlgorithm("HS256").ok());
  EXPECT_FALSE(ParseJwtAlgorithm("none").ok());
  EXPECT_FALSE(ParseJwtAlgorithm("rs384").ok());
}

TEST(EcdsaConversionTest, DerRawRoundTripPadsShortComponents) {
  std::string raw(96, '\0');
  raw[47] = 1;          // r = 1: 47 leading zero bytes must survive
  raw[48] = '\x80';     // s with the top bit set: DER needs a sign byte
  raw[95] = 2;
  StatusOr<std::string> der = EcdsaRawToDer(raw);
  ASSERT_TRUE(der.ok());
  StatusOr<std::string> back = EcdsaDerToRaw(*der, 48);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, raw);
  EXPECT_FALSE(EcdsaDerToRaw("garbage", 48).ok());
  EXPECT_FALSE(EcdsaRawToDer("odd").ok());
}

TEST(JwtSignerTest, Es384SignaturesVerifyWithOpenSsl) {
  StatusOr<std::unique_ptr<JwtSigner>> signer =
      JwtSigner::FromPem(EcPem(), JwtAlgorithm::kES384, "kid-ec");
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  for (int i = 0; i < 200; ++i) {
    StatusOr<std::string> jws = (*signer)->Sign(Json{{"i", i}});
    ASSERT_TRUE(jws.ok());
    std::string sig = *Base64UrlDecode(jws->substr(jws->rfind('.') + 1));
    ASSERT_EQ(sig.size(), 96u);
    ASSERT_TRUE(VerifyJws(*jws, EcPem(), JwtAlgorithm::kES384)) << "signature " << i;
  }
}

TEST(JwtSignerTest, RsaSignaturesVerifyWithOpenSsl) {
  for (JwtAlgorithm alg : {JwtAlgorithm::kRS384, JwtAlgorithm::kRS512}) {
    StatusOr<std::unique_ptr<JwtSigner>> signer = JwtSigner::FromPem(RsaPem(), alg, "kid-rsa");
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    for (int i = 0; i < 50; ++i) {
      StatusOr<std::string> jws = (*signer)->Sign(Json{{"i", i}});
      ASSERT_TRUE(jws.ok());
      ASSERT_TRUE(VerifyJws(*jws, RsaPem(), alg)) << JwtAlgorithmName(alg) << " " << i;
    }
    // The other RSA hash must not verify: the algorithm really is applied.
    StatusOr<std::string> jws = (*signer)->Sign(Json::object());
    JwtAlgorithm other = alg == JwtAlgorithm::kRS384 ? JwtAlgorithm::kRS512 : JwtAlgorithm::kRS384;
    EXPECT_FALSE(VerifyJws(*jws, RsaPem(), other));
  }
}

TEST(JwtSignerTest, TamperedTokenFailsVerification) {
  auto signer = JwtSigner::FromPem(EcPem(), JwtAlgorithm::kES384, "").value();
  std::string jws = *signer->Sign(Json{{"aud", "https://a/token"}});
  std::string tampered = Base64UrlEncode(R"({"alg":"ES384","typ":"JWT"})") + "." +
                         Base64UrlEncode(R"({"aud":"https://evil/token"})") +
                         jws.substr(jws.rfind('.'));
  EXPECT_FALSE(VerifyJws(tampered, EcPem(), JwtAlgorithm::kES384));
}

TEST(JwtSignerTest, HeaderNamesAlgTypAndKid) {
  auto signer = JwtSigner::FromPem(RsaPem(), JwtAlgorithm::kRS512, "key-2024").value();
  std::string jws = *signer->Sign(Json{{"sub", "x"}});
  EXPECT_EQ(JwsPart(jws, 0), Json({{"alg", "RS512"}, {"typ", "JWT"}, {"kid", "key-2024"}}));
  EXPECT_EQ(JwsPart(jws, 1), Json({{"sub", "x"}}));
  auto no_kid = JwtSigner::FromPem(RsaPem(), JwtAlgorithm::kRS384, "").value();
  EXPECT_FALSE(JwsPart(*no_kid->Sign(Json::object()), 0).contains("kid"));
}

TEST(JwtSignerTest, RejectsKeysThatDoNotFitTheAlgorithm) {
  EXPECT_FALSE(JwtSigner::FromPem(RsaPem(), JwtAlgorithm::kES384, "").ok());
  EXPECT_FALSE(JwtSigner::FromPem(EcPem(), JwtAlgorithm::kRS384, "").ok());
  EXPECT_FALSE(JwtSigner::FromPem(MakeKeyPem("EC", 0, "P-256"), JwtAlgorithm::kES384, "").ok());
  EXPECT_FALSE(JwtSigner::FromPem(MakeKeyPem("RSA", 1024), JwtAlgorithm::kRS384, "").ok());
  EXPECT_FALSE(JwtSigner::FromPem("not a key", JwtAlgorithm::kRS384, "").ok());
  StatusOr<std::unique_ptr<JwtSigner>> encrypted =
      JwtSigner::FromPem(test_keys::EncryptPem(EcPem()), JwtAlgorithm::kES384, "");
  ASSERT_FALSE(encrypted.ok());
  EXPECT_NE(encrypted.status().message().find("encrypted"), std::string::npos);
  EXPECT_FALSE(JwtSigner::FromPemFile("/nonexistent/key.pem", JwtAlgorithm::kRS384, "").ok());
}

TEST(JwtSignerTest, LoadsFromFile) {
  std::string path = test_keys::WriteTempFile("jwt_test_ec.pem", EcPem());
  StatusOr<std::unique_ptr<JwtSigner>> signer =
      JwtSigner::FromPemFile(path, JwtAlgorithm::kES384, "k");
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ((*signer)->key_id(), "k");
}

// Verifies RS256, PS256 or ES256 with OpenSSL directly (test_keys::VerifyJws
// knows only the SMART set). `pss` selects RSASSA-PSS with a digest-long salt.
bool VerifySha256Jws(const std::string& jws, const std::string& private_pem, bool ecdsa, bool pss) {
  size_t dot2 = jws.rfind('.');
  std::string input = jws.substr(0, dot2);
  StatusOr<std::string> sig = Base64UrlDecode(jws.substr(dot2 + 1));
  if (!sig.ok()) return false;
  std::string der = *sig;
  if (ecdsa) {
    if (sig->size() != 64) return false;
    der = *EcdsaRawToDer(*sig);
  }
  BIO* bio = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, key) == 1;
  if (ok && pss) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  ok = ok &&
       EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

TEST(JwtAlgorithmTest, ParseAnyAcceptsTheSha256AlgorithmsTooButParseStaysSmart) {
  for (const char* name : {"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"}) {
    StatusOr<JwtAlgorithm> alg = ParseAnyJwtAlgorithm(name);
    ASSERT_TRUE(alg.ok()) << name;
    EXPECT_STREQ(JwtAlgorithmName(*alg), name);
  }
  for (const char* name : {"HS256", "none", "PS384", "ES512", "rs256", ""}) {
    EXPECT_FALSE(ParseAnyJwtAlgorithm(name).ok()) << name;
  }
  for (const char* name : {"RS256", "PS256", "ES256"}) {
    EXPECT_FALSE(ParseJwtAlgorithm(name).ok()) << name;
  }
}

TEST(JwtSignerTest, Sha256AlgorithmsSignAndVerifyWithOpenSsl) {
  std::string p256 = MakeKeyPem("EC", 0, "P-256");
  auto es256 = JwtSigner::FromPem(p256, JwtAlgorithm::kES256, "k").value();
  auto rs256 = JwtSigner::FromPem(RsaPem(), JwtAlgorithm::kRS256, "k").value();
  auto ps256 = JwtSigner::FromPem(RsaPem(), JwtAlgorithm::kPS256, "k").value();
  for (int i = 0; i < 50; ++i) {
    std::string es = *es256->Sign(Json{{"i", i}});
    ASSERT_TRUE(VerifySha256Jws(es, p256, true, false)) << i;
    std::string rs = *rs256->Sign(Json{{"i", i}});
    ASSERT_TRUE(VerifySha256Jws(rs, RsaPem(), false, false)) << i;
    ASSERT_FALSE(VerifySha256Jws(rs, RsaPem(), false, true)) << i;
    std::string ps = *ps256->Sign(Json{{"i", i}});
    ASSERT_TRUE(VerifySha256Jws(ps, RsaPem(), false, true)) << i;
    ASSERT_FALSE(VerifySha256Jws(ps, RsaPem(), false, false)) << i;
  }
  EXPECT_EQ(JwsPart(*ps256->Sign(Json::object()), 0)["alg"], "PS256");
  EXPECT_FALSE(JwtSigner::FromPem(EcPem(), JwtAlgorithm::kES256, "").ok());  // P-384
  EXPECT_FALSE(JwtSigner::FromPem(p256, JwtAlgorithm::kES384, "").ok());
  EXPECT_FALSE(JwtSigner::FromPem(p256, JwtAlgorithm::kPS256, "").ok());
  EXPECT_FALSE(JwtSigner::FromPem(RsaPem(), JwtAlgorithm::kES256, "").ok());
}

TEST(JwtTest, RandomJtiIs128BitHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string jti = *RandomJti();
    ASSERT_EQ(jti.size(), 32u);
    ASSERT_EQ(jti.find_first_not_of("0123456789abcdef"), std::string::npos);
    ASSERT_TRUE(seen.insert(jti).second);
  }
}

}  // namespace
}  // namespace sa::fhir
