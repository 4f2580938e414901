// Test support: fresh private keys as PEM, and JWS verification with
// OpenSSL's own verify, so signing tests check real signatures rather than
// our code's opinion of them. Test-only; links OpenSSL directly.
#ifndef SA_FHIR_TEST_KEYS_H_
#define SA_FHIR_TEST_KEYS_H_

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fstream>

#include <unistd.h>
#include <string>

#include "fhir/jwt.h"

namespace sa::fhir::test_keys {

// An unencrypted PKCS#8 PEM of `key` (private half).
inline std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

// A PEM (PKCS#8) private key: "RSA" with `bits`, or "EC" on `curve`.
inline std::string MakeKeyPem(const std::string& type, int bits = 2048,
                              const std::string& curve = "P-384") {
  EVP_PKEY* key = type == "RSA" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", (size_t)bits)
                                : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve.c_str());
  if (!key) return "";
  std::string pem = KeyPem(key);
  EVP_PKEY_free(key);
  return pem;
}

// The same key, encrypted with a passphrase (which we must refuse to load).
inline std::string EncryptPem(const std::string& pem) {
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                const_cast<char*>("passphrase"));
  char* data = nullptr;
  long len = BIO_get_mem_data(out, &data);
  std::string enc(data, static_cast<size_t>(len));
  BIO_free(out);
  EVP_PKEY_free(key);
  return enc;
}

// Writes `content` to a fresh file under the test temp dir; returns its path.
// The name carries the process id: ctest runs each test as its own process,
// in parallel, and two processes must never share (and overwrite) a key file.
inline std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// Verifies a compact JWS with the public half of `private_pem`, converting
// an ES384 raw r||s signature back to DER first. Returns false on any error.
inline bool VerifyJws(const std::string& jws, const std::string& private_pem,
                      JwtAlgorithm algorithm) {
  size_t dot2 = jws.rfind('.');
  if (dot2 == std::string::npos) return false;
  std::string input = jws.substr(0, dot2);
  StatusOr<std::string> sig = Base64UrlDecode(jws.substr(dot2 + 1));
  if (!sig.ok()) return false;
  std::string der = *sig;
  if (algorithm == JwtAlgorithm::kES384) {
    if (sig->size() != 96) return false;
    StatusOr<std::string> d = EcdsaRawToDer(*sig);
    if (!d.ok()) return false;
    der = *d;
  }
  BIO* bio = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = algorithm == JwtAlgorithm::kRS512 ? EVP_sha512() : EVP_sha384();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                             reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

// Decodes the header (part 0) or claims (part 1) of a compact JWS.
inline Json JwsPart(const std::string& jws, int part) {
  size_t dot1 = jws.find('.');
  size_t dot2 = jws.rfind('.');
  std::string text = part == 0 ? jws.substr(0, dot1) : jws.substr(dot1 + 1, dot2 - dot1 - 1);
  StatusOr<std::string> raw = Base64UrlDecode(text);
  if (!raw.ok()) return Json();
  StatusOr<Json> json = ParseJson(*raw);
  return json.ok() ? *json : Json();
}

// A throwaway PKI for TLS tests: a CA, a server certificate for IP
// 127.0.0.1 and a client certificate, all on P-256, as PEM.
struct TestPki {
  std::string ca_cert;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
};

inline std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

// A certificate for `key` with subject O=`org` (when not empty), CN=`cn`,
// signed by `issuer` (self-signed when null); `role` is "ca", "server" or
// "client".
inline X509* MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
                      const std::string& role, long serial, const std::string& org = "") {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  if (!org.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
  auto add = [&](int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  };
  if (role == "ca") {
    add(NID_basic_constraints, "critical,CA:TRUE");
    add(NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add(NID_basic_constraints, "CA:FALSE");
    add(NID_ext_key_usage, role == "server" ? "serverAuth" : "clientAuth");
    if (role == "server") add(NID_subject_alt_name, "IP:127.0.0.1");
  }
  X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
  return x;
}

inline TestPki MakePki() {
  EVP_PKEY* ca_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  EVP_PKEY* server_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  EVP_PKEY* client_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* ca = MakeCert(ca_key, "Test CA", nullptr, nullptr, "ca", 1);
  X509* server = MakeCert(server_key, "127.0.0.1", ca, ca_key, "server", 2);
  X509* client = MakeCert(client_key, "adapter", ca, ca_key, "client", 3);
  TestPki pki{CertPem(ca), CertPem(server), KeyPem(server_key), CertPem(client),
              KeyPem(client_key)};
  X509_free(ca);
  X509_free(server);
  X509_free(client);
  EVP_PKEY_free(ca_key);
  EVP_PKEY_free(server_key);
  EVP_PKEY_free(client_key);
  return pki;
}

}  // namespace sa::fhir::test_keys

#endif  // SA_FHIR_TEST_KEYS_H_
