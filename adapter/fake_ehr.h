// A scripted EHR for plan delivery tests (of adapter/ and above): a
// FakeTransport answering the requests delivery sends as a FHIR server
// would, with what each test sets: how many Patients have the NHS number,
// which Tasks the EHR holds, and which transactions it refuses. It records
// every request, so a test can say exactly which requests a delivery made.
#ifndef SA_ADAPTER_FAKE_EHR_H_
#define SA_ADAPTER_FAKE_EHR_H_

#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fhir/client.h"
#include "fhir/fake_transport.h"

namespace sa::adapter::testing {

class FakeEhr {
 public:
  static constexpr char kBase[] = "https://ehr.example/fhir/R4";

  // One attempt per call, so a refused or unavailable answer is final at once
  // (no backoff sleeps in tests).
  FakeEhr() {
    transport_.SetHandler([this](const fhir::HttpRequest& r) { return Answer(r); });
    fhir::FhirClientOptions options;
    options.base_url = kBase;
    options.retry.max_attempts = 1;
    client_ = std::move(fhir::FhirClient::Create(options, {&transport_})).value();
  }

  fhir::FhirClient& client() { return *client_; }

  // How many Patients a search by NHS number finds (ids pat-1, pat-2…).
  void set_patients(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    patients_ = n;
  }
  // What a Task search answers (the Task resources).
  void set_tasks(nlohmann::json tasks) {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_ = std::move(tasks);
  }
  // The HTTP statuses of the next transactions, in order (an
  // OperationOutcome body); later ones succeed.
  void RefuseNextTransactions(std::vector<int> statuses) {
    std::lock_guard<std::mutex> lock(mu_);
    refusals_.insert(refusals_.end(), statuses.begin(), statuses.end());
  }

  // Every request so far, in order, as "POST" (a transaction), "GET Patient"
  // or "GET Task" (searches).
  std::vector<std::string> Sequence() const {
    std::vector<std::string> out;
    for (const auto& r : transport_.requests()) {
      if (r.method == fhir::HttpMethod::kPost) {
        out.push_back("POST");
      } else {
        std::string path = r.url.substr(0, r.url.find('?'));
        out.push_back("GET " + path.substr(path.rfind('/') + 1));
      }
    }
    return out;
  }
  // The transaction Bundles posted, in order.
  std::vector<nlohmann::json> Transactions() const {
    std::vector<nlohmann::json> out;
    for (const auto& r : transport_.requests()) {
      if (r.method == fhir::HttpMethod::kPost) out.push_back(nlohmann::json::parse(r.body));
    }
    return out;
  }

 private:
  static nlohmann::json Searchset(const nlohmann::json& resources) {
    nlohmann::json b = {{"resourceType", "Bundle"},
                        {"type", "searchset"},
                        {"total", resources.size()},
                        {"entry", nlohmann::json::array()}};
    for (const auto& r : resources)
      b["entry"].push_back({{"resource", r}, {"search", {{"mode", "match"}}}});
    return b;
  }

  StatusOr<fhir::HttpResponse> Answer(const fhir::HttpRequest& request) {
    std::lock_guard<std::mutex> lock(mu_);
    fhir::HttpResponse out;
    out.status = 200;
    nlohmann::json body;
    if (request.method == fhir::HttpMethod::kPost) {
      if (!refusals_.empty()) {
        out.status = refusals_.front();
        refusals_.pop_front();
        body = {
            {"resourceType", "OperationOutcome"},
            {"issue", nlohmann::json::array({{{"severity", "error"}, {"code", "processing"}}})}};
      } else {
        body = {{"resourceType", "Bundle"},
                {"type", "transaction-response"},
                {"entry", nlohmann::json::array()}};
        const auto entries = nlohmann::json::parse(request.body)["entry"];
        for (std::size_t i = 0; i < entries.size(); ++i) {
          body["entry"].push_back(
              {{"response", {{"status", "200 OK"}, {"location", "Basic/x" + std::to_string(i)}}}});
        }
      }
    } else if (request.url.find("/Patient?") != std::string::npos) {
      nlohmann::json found = nlohmann::json::array();
      for (int i = 1; i <= patients_; ++i) {
        found.push_back({{"resourceType", "Patient"}, {"id", "pat-" + std::to_string(i)}});
      }
      body = Searchset(found);
    } else {
      body = Searchset(tasks_);
    }
    out.body = body.dump();
    return out;
  }

  fhir::FakeTransport transport_;
  std::unique_ptr<fhir::FhirClient> client_;
  std::mutex mu_;
  int patients_ = 1;
  nlohmann::json tasks_ = nlohmann::json::array();
  std::deque<int> refusals_;
};

}  // namespace sa::adapter::testing

#endif  // SA_ADAPTER_FAKE_EHR_H_
