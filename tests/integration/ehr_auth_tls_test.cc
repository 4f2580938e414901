// SMART Backend Services and TLS against the bundled FHIR server, with keys
// and certificates made by openssl at test time.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <unistd.h>

#include "tests/integration/server_fixture.h"

namespace sa::testing {
namespace {

using Kind = adapter::DeliveryOutcome::Kind;
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("sa-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

void Sh(const std::string& cmd) {
  ASSERT_EQ(std::system((cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
}

int TokenRequests(const std::string& root) {
  int n = 0;
  for (const auto& e : Admin(root + "/$admin/requests")) {
    if (e["method"] == "POST" && e["url"].get<std::string>().find("/auth/token") != std::string::npos) ++n;
  }
  return n;
}

json Example() { return ReadJsonFile("tests/data/valid-eput-sbar.json"); }

struct SmartCase {
  const char* algorithm;
  const char* keygen;
};

class SmartBackendTest : public ::testing::TestWithParam<SmartCase> {};

TEST_P(SmartBackendTest, TokenObtainedCachedRefreshedOnExpiryAndAfterA401) {
  TempDir dir;
  Sh(std::string("openssl genpkey ") + GetParam().keygen + " -out " + (dir / "key.pem"));
  Sh("openssl pkey -in " + (dir / "key.pem") + " -pubout -out " + (dir / "pub.pem"));
  adapter::LocalFhirServer server;
  ASSERT_TRUE(server.Start(Src(adapter::kBundledServerScript),
                           {"--require-auth", "--token-ttl", "2", "--client", "adapter-it=" + (dir / "pub.pem")})
                  .ok());
  adapter::FhirConfig cfg = ConfigFor(server.base_url());
  cfg.auth.method = "smart-backend";
  cfg.auth.token_url = server.root() + "/auth/token";
  cfg.auth.client_id = "adapter-it";
  cfg.auth.private_key_file = dir / "key.pem";
  cfg.auth.key_id = "it-key-1";
  cfg.auth.algorithm = GetParam().algorithm;
  cfg.auth.scopes = {"system/Task.write", "system/CarePlan.write", "system/Patient.read"};
  cfg.auth.refresh_margin = std::chrono::seconds(0);
  auto ehr = adapter::EhrConnection::Open(cfg);
  ASSERT_TRUE(ehr.ok()) << ehr.status().ToString();

  // Without a token the server refuses: the patient is seeded through the admin-free FHIR API only with auth.
  int status = 0;
  Admin(server.base_url() + "/Patient?identifier=x", fhir::HttpMethod::kGet, nullptr, &status);
  EXPECT_EQ(status, 401);
  Admin(server.root() + "/$admin/auth", fhir::HttpMethod::kPost, {{"requireAuth", false}});
  SeedPatient(server.base_url(), "lily", "9434765919");
  Admin(server.root() + "/$admin/auth", fhir::HttpMethod::kPost, {{"requireAuth", true}});

  Separated s = SeparateJson(Example());
  ASSERT_EQ(DeliverAll(**ehr, s)[0].kind, Kind::kDelivered);
  ASSERT_EQ(DeliverAll(**ehr, s)[0].kind, Kind::kDelivered);
  EXPECT_EQ(TokenRequests(server.root()), 1);  // cached while valid

  std::this_thread::sleep_for(std::chrono::milliseconds(2300));  // the token expires
  ASSERT_EQ(DeliverAll(**ehr, s)[0].kind, Kind::kDelivered);
  EXPECT_EQ(TokenRequests(server.root()), 2);

  Admin(server.root() + "/$admin/auth", fhir::HttpMethod::kPost, {{"revokeTokens", true}});  // server forgets it
  ASSERT_EQ(DeliverAll(**ehr, s)[0].kind, Kind::kDelivered);  // 401 -> one refresh -> ok
  EXPECT_EQ(TokenRequests(server.root()), 3);
  EXPECT_EQ(Count(server.root(), "Task"), 2u);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SmartBackendTest,
                         ::testing::Values(SmartCase{"RS384", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"},
                                           SmartCase{"RS512", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"},
                                           SmartCase{"ES384", "-algorithm EC -pkeyopt ec_paramgen_curve:P-384"}),
                         [](const auto& info) { return std::string(info.param.algorithm); });

TEST(SmartBackendTest2, WrongKeyIsRefusedAndNothingIsWritten) {
  TempDir dir;
  Sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + (dir / "key.pem"));
  Sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + (dir / "other.pem"));
  Sh("openssl pkey -in " + (dir / "other.pem") + " -pubout -out " + (dir / "pub.pem"));
  adapter::LocalFhirServer server;
  ASSERT_TRUE(server.Start(Src(adapter::kBundledServerScript), {"--require-auth", "--client", "adapter-it=" + (dir / "pub.pem")}).ok());
  adapter::FhirConfig cfg = ConfigFor(server.base_url());
  cfg.retry.max_attempts = 2;
  cfg.auth.method = "smart-backend";
  cfg.auth.token_url = server.root() + "/auth/token";
  cfg.auth.client_id = "adapter-it";
  cfg.auth.private_key_file = dir / "key.pem";
  cfg.auth.key_id = "k";
  cfg.auth.scopes = {"system/Task.write"};
  auto ehr = adapter::EhrConnection::Open(cfg);
  ASSERT_TRUE(ehr.ok());
  auto out = DeliverAll(**ehr, SeparateJson(Example()));
  EXPECT_NE(out[0].kind, Kind::kDelivered);
  EXPECT_EQ(Count(server.root(), "Task"), 0u);
}

// A CA, a server certificate for 127.0.0.1 signed by it, a client certificate,
// and an unrelated CA.
void MakePki(const TempDir& d) {
  for (const char* ca : {"ca", "other-ca"}) {
    Sh(std::string("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=") + ca + " -keyout " + (d / (std::string(ca) + ".key")) +
       " -out " + (d / (std::string(ca) + ".pem")));
  }
  Sh("openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout " + (d / "server.key") + " -out " + (d / "server.csr"));
  Sh("printf 'subjectAltName=IP:127.0.0.1\\n' > " + (d / "san.ext"));
  Sh("openssl x509 -req -in " + (d / "server.csr") + " -CA " + (d / "ca.pem") + " -CAkey " + (d / "ca.key") +
     " -CAcreateserial -days 2 -extfile " + (d / "san.ext") + " -out " + (d / "server.pem"));
  Sh("openssl req -newkey rsa:2048 -nodes -subj /CN=adapter -keyout " + (d / "client.key") + " -out " + (d / "client.csr"));
  Sh("openssl x509 -req -in " + (d / "client.csr") + " -CA " + (d / "ca.pem") + " -CAkey " + (d / "ca.key") +
     " -CAcreateserial -days 2 -out " + (d / "client.pem"));
}

TEST(TlsTest, TrustedCaWorksWrongCaIsRefusedAndMutualTlsNeedsTheClientCertificate) {
  TempDir d;
  MakePki(d);
  adapter::LocalFhirServer server;
  ASSERT_TRUE(server.Start(Src(adapter::kBundledServerScript),
                           {"--tls-cert", d / "server.pem", "--tls-key", d / "server.key", "--tls-client-ca", d / "ca.pem"})
                  .ok());
  auto connect = [&](const std::string& ca, bool client_cert) {
    adapter::FhirConfig cfg = ConfigFor(server.base_url("https"));
    cfg.retry.max_attempts = 1;
    cfg.transport.ca_file = ca;
    if (client_cert) {
      cfg.transport.client_cert_file = d / "client.pem";
      cfg.transport.client_key_file = d / "client.key";
    }
    auto c = adapter::EhrConnection::Open(cfg);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(c).value();
  };
  auto good = connect(d / "ca.pem", true);
  auto caps = good->client().ReadCapabilities();
  EXPECT_TRUE(caps.ok()) << caps.status().ToString();

  auto wrong_ca = connect(d / "other-ca.pem", true);
  auto refused = wrong_ca->client().ReadCapabilities();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();

  auto no_cert = connect(d / "ca.pem", false);
  EXPECT_FALSE(no_cert->client().ReadCapabilities().ok());
}

}  // namespace
}  // namespace sa::testing
