// Test support for the HTTP API: a real `serve` (ServiceHost) on 127.0.0.1
// with an embedded SQLite store, a test token issuer, and a real HTTP client
// (Poco, adapter/api/http/test_client.h). Optionally the bundled FHIR server
// with delivery and sync running in the background.
#ifndef SA_TESTS_API_API_FIXTURE_H_
#define SA_TESTS_API_API_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapter/api/http/test_client.h"
#include "adapter/api/service_host.h"
#include "adapter/auth/auth_config.h"
#include "adapter/core/runtime.h"
#include "adapter/local_fhir_server.h"
#include "adapter/store/pg_harness.h"
#include "adapter/store/store_test_util.h"

namespace sa::testing {

using nlohmann::json;
using adapter::api::testing::ClientResponse;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Override to add to the configuration (e.g. limits) before start.
  virtual void Configure(json& config) { (void)config; }
  // True: start the bundled FHIR server and let delivery and sync run.
  virtual bool WithFhirServer() const { return false; }
  // True: the store is a real PostgreSQL server (started for the test)
  // instead of the embedded SQLite file.
  virtual bool OnPostgres() const { return false; }

  // A token for `sub` with `roles`, acting for `orgs`.
  std::string Token(const std::string& sub, const std::vector<std::string>& roles,
                    const std::vector<std::string>& orgs = {"EPUT"});
  ClientResponse Get(const std::string& path, const std::string& token);
  ClientResponse Post(const std::string& path, const std::string& token, const json& body,
                      std::vector<std::pair<std::string, std::string>> headers = {});
  ClientResponse PostRaw(const std::string& path, const std::string& token, const std::string& body,
                         std::vector<std::pair<std::string, std::string>> headers = {});

  // The example EPUT record with `sid`, `supervisor` and `supervisees`
  // (staff ids; group when several), signed by everyone unless `signed_by_all`
  // is false, and unique canary text in every discussion and practitioner field.
  json Session(const std::string& sid, const std::string& supervisor,
               const std::vector<std::string>& supervisees, bool signed_by_all = true,
               const std::string& org = "EPUT");
  // Submits through the API as the office system; expects 201.
  void Submit(const json& record);
  // An agreement body for `supervisee` naming `managers` (line and named).
  json Agreement(const std::string& supervisee, const std::string& supervisor,
                 const std::vector<std::string>& managers, const std::string& org = "EPUT");

  // Audit rows whose action starts with `prefix`.
  int64_t AuditCount(const std::string& prefix);
  // Every canary written by Session() so far.
  const std::vector<std::string>& canaries() const { return canaries_; }
  // Everything the service logged (stderr lines captured by the log sink).
  std::string LogText() const;

  int port() const { return host_->port(); }
  adapter::Runtime& runtime() { return *runtime_; }
  adapter::LocalFhirServer* fhir() { return fhir_.get(); }

  std::unique_ptr<adapter::store::testing::TempDir> dir_;
  std::unique_ptr<adapter::LocalFhirServer> fhir_;
  std::unique_ptr<adapter::store::PgHarness> pg_;
  std::unique_ptr<adapter::Runtime> runtime_;
  std::unique_ptr<adapter::api::ServiceHost> host_;
  adapter::auth::TokenIssueConfig issue_;
  std::vector<std::string> canaries_;
  std::string office_token_;
  int canary_seq_ = 0;
};

}  // namespace sa::testing

#endif  // SA_TESTS_API_API_FIXTURE_H_
