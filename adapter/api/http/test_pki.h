// Test support: a throwaway PKI made with the OpenSSL API at test time (the
// approach of fhir/test_keys.h): a CA, a server certificate for 127.0.0.1, a
// client certificate, and an unrelated CA with its own client, written as PEM
// files under the test temp dir. Test-only.
#ifndef SA_ADAPTER_API_HTTP_TEST_PKI_H_
#define SA_ADAPTER_API_HTTP_TEST_PKI_H_

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace sa::adapter::api::testing {

struct PkiFiles {
  std::string ca_cert;                              // the CA clients and the server trust
  std::string server_cert, server_key;              // CN=127.0.0.1, SAN IP:127.0.0.1
  std::string client_cert, client_key;              // O=Example Trust, CN=office.example
  std::string other_ca_cert;                        // an unrelated CA
  std::string rogue_client_cert, rogue_client_key;  // signed by the unrelated CA
};

inline std::string PemOf(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

inline std::string PemOf(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

// A certificate for `key` with subject O=`org` (when not empty), CN=`cn`,
// signed by `issuer` (self-signed when null); `role` is "ca", "server" or
// "client".
inline X509* MakeTestCert(EVP_PKEY* key, const std::string& org, const std::string& cn,
                          X509* issuer, EVP_PKEY* issuer_key, const std::string& role,
                          long serial) {
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
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
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

// Writes `content` to a file named after this process and `name`.
inline std::string WriteTestFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/sa-http-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// Makes the PKI (P-256 keys) and writes it out.
inline PkiFiles MakeTestPki() {
  auto key = [] { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); };
  EVP_PKEY *ca_key = key(), *server_key = key(), *client_key = key();
  EVP_PKEY *other_key = key(), *rogue_key = key();
  X509* ca = MakeTestCert(ca_key, "", "Test CA", nullptr, nullptr, "ca", 1);
  X509* server = MakeTestCert(server_key, "", "127.0.0.1", ca, ca_key, "server", 2);
  X509* client =
      MakeTestCert(client_key, "Example Trust", "office.example", ca, ca_key, "client", 3);
  X509* other = MakeTestCert(other_key, "", "Other CA", nullptr, nullptr, "ca", 4);
  X509* rogue = MakeTestCert(rogue_key, "", "rogue.example", other, other_key, "client", 5);
  PkiFiles f;
  f.ca_cert = WriteTestFile("ca.pem", PemOf(ca));
  f.server_cert = WriteTestFile("server.pem", PemOf(server));
  f.server_key = WriteTestFile("server.key", PemOf(server_key));
  f.client_cert = WriteTestFile("client.pem", PemOf(client));
  f.client_key = WriteTestFile("client.key", PemOf(client_key));
  f.other_ca_cert = WriteTestFile("other-ca.pem", PemOf(other));
  f.rogue_client_cert = WriteTestFile("rogue.pem", PemOf(rogue));
  f.rogue_client_key = WriteTestFile("rogue.key", PemOf(rogue_key));
  for (X509* c : {ca, server, client, other, rogue}) X509_free(c);
  for (EVP_PKEY* k : {ca_key, server_key, client_key, other_key, rogue_key}) EVP_PKEY_free(k);
  return f;
}

}  // namespace sa::adapter::api::testing

#endif  // SA_ADAPTER_API_HTTP_TEST_PKI_H_
