// Test support: the bundled FHIR server on loopback, its admin API, and a
// session record separated and ready to deliver.
#ifndef SA_TESTS_INTEGRATION_SERVER_FIXTURE_H_
#define SA_TESTS_INTEGRATION_SERVER_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapter/config.h"
#include "adapter/ehr_connection.h"
#include "adapter/local_fhir_server.h"
#include "adapter/plan_delivery.h"
#include "fhir/cpprest_transport.h"
#include "mappings/catalog.h"
#include "mappings/separation.h"
#include "mappings/session_parser.h"

namespace sa::testing {

using nlohmann::json;

inline std::string Src(const std::string& rel) { return std::string(SA_SOURCE_DIR) + "/" + rel; }

inline const mappings::Catalog& Catalog() {
  static auto c = *mappings::Catalog::Load({});
  return *c;
}

// Sends a plain HTTP request (admin API, seeding) and parses a JSON answer.
inline json Admin(const std::string& url, fhir::HttpMethod method = fhir::HttpMethod::kGet,
                  const json& body = nullptr, int* status = nullptr) {
  static std::unique_ptr<fhir::HttpTransport> transport = fhir::MakeCpprestTransport({}).value();
  fhir::HttpRequest req;
  req.method = method;
  req.url = url;
  if (!body.is_null()) {
    req.body = body.dump();
    req.headers.Set("Content-Type", url.find("/fhir/") != std::string::npos ? "application/fhir+json" : "application/json");
  }
  auto resp = transport->Send(req);
  EXPECT_TRUE(resp.ok()) << resp.status().ToString();
  if (!resp.ok()) return nullptr;
  if (status) *status = resp->status;
  return resp->body.empty() ? json() : json::parse(resp->body, nullptr, false);
}

struct Separated {
  mappings::Session session;
  mappings::Separation separation;
};

inline Separated SeparateJson(const json& record) {
  mappings::SessionParse p = mappings::ParseSession(record.dump(), Catalog());
  EXPECT_TRUE(p.ok) << (p.errors.empty() ? "" : p.errors[0].ToString());
  auto s = mappings::Separate(p.session, p.document, Catalog());
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return {p.session, *s};
}

inline json ReadJsonFile(const std::string& rel) { return json::parse(*mappings::ReadTextFile(Src(rel))); }

// Stores a Patient with `nhs` (and a fixed id) in the server.
inline void SeedPatient(const std::string& base, const std::string& id, const std::string& nhs) {
  int status = 0;
  Admin(base + "/Patient/" + id, fhir::HttpMethod::kPut,
        {{"resourceType", "Patient"}, {"id", id},
         {"identifier", json::array({{{"system", "https://fhir.nhs.uk/Id/nhs-number"}, {"value", nhs}}})}},
        &status);
  EXPECT_LT(status, 300);
}

// Number of resources of `type` the server holds.
inline std::size_t Count(const std::string& root, const std::string& type) {
  json all = Admin(root + "/$admin/resources?type=" + type);
  if (all.is_array()) return all.size();
  if (all.is_object() && all.contains("resources")) return all["resources"].size();
  return 0;
}

inline std::vector<json> Resources(const std::string& root, const std::string& type) {
  json all = Admin(root + "/$admin/resources?type=" + type);
  const json& list = all.is_array() ? all : all["resources"];
  return std::vector<json>(list.begin(), list.end());
}

// Delivers every case of a separated session; returns the outcomes.
// `history` kNeverSent: the first delivery as the outbox makes it (no Task read).
inline std::vector<adapter::DeliveryOutcome> DeliverAll(
    adapter::EhrConnection& ehr, const Separated& s, int version = 1,
    adapter::PlanHistory history = adapter::PlanHistory::kMaybeSent) {
  std::vector<adapter::DeliveryOutcome> out;
  mappings::LeakGuard guard(mappings::ConfidentialSources(s.separation));
  for (auto& in : adapter::PlanInputs(s.session, s.separation, version, "2026-11-21T09:00:00Z")) {
    out.push_back(
        adapter::DeliverCasePlan(ehr.client(), in, ehr.config().mapping, guard, false, history));
  }
  return out;
}

inline adapter::FhirConfig ConfigFor(const std::string& base) {
  adapter::FhirConfig c;
  c.base_url = base;
  c.auth.method = "none";
  c.retry.base_delay = std::chrono::milliseconds(10);
  c.retry.max_delay = std::chrono::milliseconds(100);
  c.retry.max_retry_after = std::chrono::milliseconds(1500);
  c.transport.request_timeout = std::chrono::milliseconds(3000);
  return c;
}

}  // namespace sa::testing

#endif  // SA_TESTS_INTEGRATION_SERVER_FIXTURE_H_
