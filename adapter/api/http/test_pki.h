// Test support: a throwaway PKI made with the OpenSSL API at test time (with
// fhir/test_keys.h's certificate maker): a CA, a server certificate for 127.0.0.1, a
// client certificate, and an unrelated CA with its own client, written as PEM
// files under the test temp dir. Test-only.
#ifndef SA_ADAPTER_API_HTTP_TEST_PKI_H_
#define SA_ADAPTER_API_HTTP_TEST_PKI_H_

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "fhir/test_keys.h"

namespace sa::adapter::api::testing {

struct PkiFiles {
  std::string ca_cert;                              // the CA clients and the server trust
  std::string server_cert, server_key;              // CN=127.0.0.1, SAN IP:127.0.0.1
  std::string client_cert, client_key;              // O=Example Trust, CN=office.example
  std::string other_ca_cert;                        // an unrelated CA
  std::string rogue_client_cert, rogue_client_key;  // signed by the unrelated CA
};

// The files WriteTestFile wrote, removed when the test process exits (they
// hold test keys; nothing of a test run is left in the temp dir).
class TestFiles {
 public:
  static TestFiles& Get() {
    static TestFiles files;
    return files;
  }
  void Add(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    paths_.push_back(path);
  }
  ~TestFiles() {
    for (const auto& p : paths_) std::remove(p.c_str());
  }

 private:
  std::mutex mu_;
  std::vector<std::string> paths_;
};

// Writes `content` to a file named after this process and `name`.
inline std::string WriteTestFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/sa-http-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << content;
  TestFiles::Get().Add(path);
  return path;
}

// Makes the PKI (P-256 keys) and writes it out.
inline PkiFiles MakeTestPki() {
  auto key = [] { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); };
  EVP_PKEY *ca_key = key(), *server_key = key(), *client_key = key();
  EVP_PKEY *other_key = key(), *rogue_key = key();
  using fhir::test_keys::MakeCert;
  X509* ca = MakeCert(ca_key, "Test CA", nullptr, nullptr, "ca", 1);
  X509* server = MakeCert(server_key, "127.0.0.1", ca, ca_key, "server", 2);
  X509* client = MakeCert(client_key, "office.example", ca, ca_key, "client", 3, "Example Trust");
  X509* other = MakeCert(other_key, "Other CA", nullptr, nullptr, "ca", 4);
  X509* rogue = MakeCert(rogue_key, "rogue.example", other, other_key, "client", 5);
  auto pem = [](X509* cert) { return fhir::test_keys::CertPem(cert); };
  auto key_pem = [](EVP_PKEY* k) { return fhir::test_keys::KeyPem(k); };
  PkiFiles f;
  f.ca_cert = WriteTestFile("ca.pem", pem(ca));
  f.server_cert = WriteTestFile("server.pem", pem(server));
  f.server_key = WriteTestFile("server.key", key_pem(server_key));
  f.client_cert = WriteTestFile("client.pem", pem(client));
  f.client_key = WriteTestFile("client.key", key_pem(client_key));
  f.other_ca_cert = WriteTestFile("other-ca.pem", pem(other));
  f.rogue_client_cert = WriteTestFile("rogue.pem", pem(rogue));
  f.rogue_client_key = WriteTestFile("rogue.key", key_pem(rogue_key));
  for (X509* c : {ca, server, client, other, rogue}) X509_free(c);
  for (EVP_PKEY* k : {ca_key, server_key, client_key, other_key, rogue_key}) EVP_PKEY_free(k);
  return f;
}

}  // namespace sa::adapter::api::testing

#endif  // SA_ADAPTER_API_HTTP_TEST_PKI_H_
