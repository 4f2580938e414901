// Test support for adapter/auth: issuer key pairs made once per process,
// temp files named with the process id (ctest runs tests in parallel
// processes), and a JWS signer that will sign ANY header, including ones the
// adapter must refuse (alg none, HS256 keyed with a public key, crit).
// Test-only; links OpenSSL directly.
#ifndef SA_ADAPTER_AUTH_AUTH_TEST_SUPPORT_H_
#define SA_ADAPTER_AUTH_AUTH_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "adapter/auth/token_issuer.h"
#include "fhir/jwt.h"

namespace sa::adapter::auth::testing {

using nlohmann::json;

// A path under the test temp dir, unique to this process.
inline std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-auth-" + name;
}

// Files written by WriteTemp, removed when the process exits.
struct TempFiles {
  std::set<std::string> paths;
  ~TempFiles() {
    for (const std::string& p : paths) std::remove(p.c_str());
  }
};
inline TempFiles& WrittenTempFiles() {
  static TempFiles files;
  return files;
}

// Writes `content` to TempPath(name) and returns the path.
inline std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  WrittenTempFiles().paths.insert(path);
  return path;
}

// One generated key pair per (algorithm, slot), kept for the process:
// RSA generation is the slow part of these suites.
inline const IssuerKeyPair& KeyPair(const std::string& algorithm, int slot = 0) {
  static auto* pairs = new std::map<std::pair<std::string, int>, IssuerKeyPair>;
  auto key = std::make_pair(algorithm, slot);
  auto it = pairs->find(key);
  if (it == pairs->end()) {
    StatusOr<IssuerKeyPair> made = GenerateIssuerKeyPair(algorithm);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    it = pairs->emplace(key, made.ok() ? *made : IssuerKeyPair{}).first;
  }
  return it->second;
}

inline std::string B64(const std::string& bytes) { return fhir::Base64UrlEncode(bytes); }

// The raw JWS signature of `input` under `alg` with the PEM private key
// `pem`. "HS256" uses `pem` itself as the HMAC secret (the classic RS/HS
// confusion attack passes the PUBLIC key here); "none" signs nothing.
inline std::string RawSignature(const std::string& input, const std::string& alg,
                                const std::string& pem) {
  if (alg == "none") return "";
  if (alg == "HS256") {
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t len = 0;
    EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, pem.data(), pem.size(),
              reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, sizeof out,
              &len);
    return std::string(reinterpret_cast<char*>(out), len);
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EXPECT_NE(key, nullptr);
  const EVP_MD* md = alg.ends_with("256")   ? EVP_sha256()
                     : alg.ends_with("384") ? EVP_sha384()
                                            : EVP_sha512();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, md, nullptr, key);
  if (alg.starts_with("PS")) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx, nullptr, &len, data, input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (EVP_PKEY_is_a(key, "EC")) {  // JWS wants raw r||s, sized by the key's curve
    const std::size_t half = EVP_PKEY_get_bits(key) == 256 ? 32 : 48;
    sig = fhir::EcdsaDerToRaw(sig, half).value();
  }
  EVP_PKEY_free(key);
  return sig;
}

// A compact JWS of exactly `header` and `payload`, signed per RawSignature
// under header["alg"].
inline std::string SignJws(const json& header, const json& payload, const std::string& pem) {
  std::string input = B64(header.dump()) + "." + B64(payload.dump());
  auto alg = header.find("alg");
  std::string name = alg != header.end() && alg->is_string() ? alg->get<std::string>() : "none";
  return input + "." + B64(RawSignature(input, name, pem));
}

}  // namespace sa::adapter::auth::testing

#endif  // SA_ADAPTER_AUTH_AUTH_TEST_SUPPORT_H_
