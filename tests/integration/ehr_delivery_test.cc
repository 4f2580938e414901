// Delivery of plans to the bundled FHIR server (a real engine on loopback):
// idempotency, updates, cancellation, patient matching, faults, and RS-1/RS-2
// at the wire.
#include <chrono>
#include <thread>

#include "tests/integration/server_fixture.h"

namespace sa::testing {
namespace {

using adapter::DeliveryOutcome;
using Kind = DeliveryOutcome::Kind;

class EhrDeliveryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new adapter::LocalFhirServer();
    Status s = server_->Start(Src(adapter::kBundledServerScript));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    Admin(server_->root() + "/$admin/reset", fhir::HttpMethod::kPost, {{"faults", true}, {"tokens", true}});
    auto c = adapter::EhrConnection::Open(ConfigFor(server_->base_url()));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ehr_ = std::move(*c);
  }
  std::string root() const { return server_->root(); }
  std::string base() const { return server_->base_url(); }
  json RequestLog() { return Admin(root() + "/$admin/requests"); }

  static adapter::LocalFhirServer* server_;
  std::unique_ptr<adapter::EhrConnection> ehr_;
};
adapter::LocalFhirServer* EhrDeliveryTest::server_ = nullptr;

json Example() { return ReadJsonFile("tests/data/valid-eput-sbar.json"); }

TEST_F(EhrDeliveryTest, AgreedPlanBecomesOneCarePlanAndOneTaskPerAction) {
  SeedPatient(base(), "lily", "9434765919");
  auto out = DeliverAll(*ehr_, SeparateJson(Example()));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, Kind::kDelivered) << out[0].reason;
  auto plans = Resources(root(), "CarePlan");
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0]["subject"]["reference"], "Patient/lily");
  auto tasks = Resources(root(), "Task");
  ASSERT_EQ(tasks.size(), 2u);
  for (const auto& t : tasks) {
    EXPECT_EQ(t["for"]["reference"], "Patient/lily");
    EXPECT_EQ(t["status"], "requested");
    EXPECT_TRUE(t["basedOn"][0]["reference"].get<std::string>().rfind("CarePlan/", 0) == 0) << t.dump();
  }
}

// The outbox's first delivery of a plan (nothing of it sent before): ONE
// request, whose conditional Patient reference the server resolves to the
// Patient's literal id in the CarePlan and every Task.
TEST_F(EhrDeliveryTest, FirstDeliveryIsOneRequestAndTheServerResolvesThePatient) {
  SeedPatient(base(), "lily", "9434765919");
  Admin(root() + "/$admin/requests", fhir::HttpMethod::kDelete);
  auto out = DeliverAll(*ehr_, SeparateJson(Example()), 1, adapter::PlanHistory::kNeverSent);
  ASSERT_EQ(out[0].kind, Kind::kDelivered) << out[0].reason;
  json log = RequestLog();
  ASSERT_EQ(log.size(), 1u) << log.dump();
  EXPECT_EQ(log[0]["method"], "POST");
  EXPECT_NE(log[0]["body"].get<std::string>().find(R"("reference":"Patient?identifier=)"),
            std::string::npos);
  auto plans = Resources(root(), "CarePlan");
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0]["subject"]["reference"], "Patient/lily");
  EXPECT_EQ(plans[0]["subject"]["identifier"]["value"], "9434765919");
  auto tasks = Resources(root(), "Task");
  ASSERT_EQ(tasks.size(), 2u);
  for (const auto& t : tasks) EXPECT_EQ(t["for"]["reference"], "Patient/lily");
}

// No patient, or two with the NHS number: the server refuses the conditional
// reference and rolls the transaction back; the search that follows says why.
TEST_F(EhrDeliveryTest, FirstDeliveryWithNoPatientOrTwoIsHeldAndWritesNothing) {
  auto methods = [&] {
    std::vector<std::string> out;
    for (const auto& e : RequestLog()) {
      const std::string url = e["url"];
      out.push_back(e["method"].get<std::string>() + " " + url.substr(0, url.find('?')));
    }
    Admin(root() + "/$admin/requests", fhir::HttpMethod::kDelete);
    return out;
  };
  Admin(root() + "/$admin/requests", fhir::HttpMethod::kDelete);
  auto none = DeliverAll(*ehr_, SeparateJson(Example()), 1, adapter::PlanHistory::kNeverSent);
  EXPECT_EQ(none[0].kind, Kind::kHeld);
  EXPECT_NE(none[0].reason.find("no patient"), std::string::npos) << none[0].reason;
  EXPECT_EQ(methods(), std::vector<std::string>({"POST /fhir/R4", "GET /fhir/R4/Patient"}));
  SeedPatient(base(), "lily-a", "9434765919");
  SeedPatient(base(), "lily-b", "9434765919");
  Admin(root() + "/$admin/requests", fhir::HttpMethod::kDelete);
  auto two = DeliverAll(*ehr_, SeparateJson(Example()), 1, adapter::PlanHistory::kNeverSent);
  EXPECT_EQ(two[0].kind, Kind::kHeld);
  EXPECT_NE(two[0].reason.find("2 patients"), std::string::npos) << two[0].reason;
  EXPECT_EQ(methods(), std::vector<std::string>({"POST /fhir/R4", "GET /fhir/R4/Patient"}));
  EXPECT_EQ(Count(root(), "CarePlan"), 0u);
  EXPECT_EQ(Count(root(), "Task"), 0u);
  EXPECT_EQ(Count(root(), "Provenance"), 0u);
}

TEST_F(EhrDeliveryTest, DeliveringTheSameBundleAgainChangesNothing) {
  SeedPatient(base(), "lily", "9434765919");
  Separated s = SeparateJson(Example());
  for (int round = 0; round < 3; ++round) {
    auto out = DeliverAll(*ehr_, s);
    ASSERT_EQ(out[0].kind, Kind::kDelivered) << out[0].reason;
  }
  EXPECT_EQ(Count(root(), "CarePlan"), 1u);
  EXPECT_EQ(Count(root(), "Task"), 2u);
  EXPECT_EQ(Count(root(), "Provenance"), 1u);
}

TEST_F(EhrDeliveryTest, NewVersionUpdatesTasksAndCancelsARemovedAction) {
  SeedPatient(base(), "lily", "9434765919");
  Separated v1 = SeparateJson(Example());
  ASSERT_EQ(DeliverAll(*ehr_, v1)[0].kind, Kind::kDelivered);
  json record = Example();
  json removed = record["cases"][0]["actions"][1];
  record["cases"][0]["actions"].erase(1);
  record["cases"][0]["actions"][0]["what"] = "Home visit to review safe sleeping and the cot";
  Separated v2 = SeparateJson(record);
  auto inputs = adapter::PlanInputs(v2.session, v2.separation, 2, "2026-11-22T09:00:00Z");
  inputs[0].removed_actions = json::array({removed});
  auto out = adapter::DeliverCasePlan(ehr_->client(), inputs[0], ehr_->config().mapping,
                                      mappings::LeakGuard(mappings::ConfidentialSources(v2.separation)), false);
  ASSERT_EQ(out.kind, Kind::kDelivered) << out.reason;
  auto tasks = Resources(root(), "Task");
  ASSERT_EQ(tasks.size(), 2u);  // updated in place, nothing deleted
  for (const auto& t : tasks) {
    if (t["identifier"][0]["value"] == "EPUT/S-2026-0001/A2") {
      EXPECT_EQ(t["status"], "cancelled");
    } else {
      EXPECT_EQ(t["status"], "requested");
      EXPECT_EQ(t["description"], "Home visit to review safe sleeping and the cot");
    }
  }
  EXPECT_EQ(Count(root(), "Provenance"), 2u);  // one per plan version
}

TEST_F(EhrDeliveryTest, ReDeliveryKeepsTheStatusAClinicianSetInTheEhr) {
  SeedPatient(base(), "lily", "9434765919");
  ASSERT_EQ(DeliverAll(*ehr_, SeparateJson(Example()))[0].kind, Kind::kDelivered);
  // A clinician completes Task A1 in the EHR.
  for (auto t : Resources(root(), "Task")) {
    if (t["identifier"][0]["value"] != "EPUT/S-2026-0001/A1") continue;
    t["status"] = "completed";
    t["businessStatus"] = {{"text", "Visit done, cot in place"}};
    int status = 0;
    Admin(base() + "/Task/" + t["id"].get<std::string>(), fhir::HttpMethod::kPut, t, &status);
    ASSERT_LT(status, 300);
  }
  // The supervisor edits the session: a new version, A1 reworded.
  json record = Example();
  record["cases"][0]["actions"][0]["what"] = "Home visit to review safe sleeping (cot checked)";
  ASSERT_EQ(DeliverAll(*ehr_, SeparateJson(record), 2)[0].kind, Kind::kDelivered);
  for (const auto& t : Resources(root(), "Task")) {
    if (t["identifier"][0]["value"] == "EPUT/S-2026-0001/A1") {
      EXPECT_EQ(t["status"], "completed");
      EXPECT_EQ(t["businessStatus"]["text"], "Visit done, cot in place");
      EXPECT_EQ(t["description"], "Home visit to review safe sleeping (cot checked)");
    } else {
      EXPECT_EQ(t["status"], "requested");
    }
  }
}

TEST_F(EhrDeliveryTest, CancelledSessionRevokesThePlanAndCancelsItsTasks) {
  SeedPatient(base(), "lily", "9434765919");
  Separated s = SeparateJson(Example());
  ASSERT_EQ(DeliverAll(*ehr_, s)[0].kind, Kind::kDelivered);
  auto inputs = adapter::PlanInputs(s.session, s.separation, 2, "2026-11-22T09:00:00Z");
  inputs[0].revoke = true;
  auto out = adapter::DeliverCasePlan(ehr_->client(), inputs[0], ehr_->config().mapping, mappings::LeakGuard({}), false);
  ASSERT_EQ(out.kind, Kind::kDelivered) << out.reason;
  auto plans = Resources(root(), "CarePlan");
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0]["status"], "revoked");
  for (const auto& t : Resources(root(), "Task")) EXPECT_EQ(t["status"], "cancelled");
}

TEST_F(EhrDeliveryTest, MissingPatientHoldsThePlanAndWritesNothing) {
  auto out = DeliverAll(*ehr_, SeparateJson(Example()));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, Kind::kHeld);
  EXPECT_NE(out[0].reason.find("no patient"), std::string::npos);
  EXPECT_EQ(Count(root(), "CarePlan"), 0u);
  EXPECT_EQ(Count(root(), "Task"), 0u);
}

TEST_F(EhrDeliveryTest, AmbiguousPatientHoldsThePlanNeverGuesses) {
  SeedPatient(base(), "lily-a", "9434765919");
  SeedPatient(base(), "lily-b", "9434765919");
  auto out = DeliverAll(*ehr_, SeparateJson(Example()));
  EXPECT_EQ(out[0].kind, Kind::kHeld);
  EXPECT_NE(out[0].reason.find("2 patients"), std::string::npos) << out[0].reason;
  EXPECT_EQ(Count(root(), "Task"), 0u);
}

TEST_F(EhrDeliveryTest, InvalidResourceIsAPermanentErrorAndIsNotRetried) {
  SeedPatient(base(), "lily", "9434765919");
  Admin(root() + "/$admin/requests", fhir::HttpMethod::kDelete);
  json bad = {{"resourceType", "Bundle"}, {"type", "transaction"},
              {"entry", json::array({{{"fullUrl", "urn:uuid:0b7e5c6e-3c1f-4c53-9a53-6f3b2a1d0c01"},
                                      {"resource", {{"resourceType", "Task"}, {"status", "bogus"}, {"intent", "plan"}}},
                                      {"request", {{"method", "POST"}, {"url", "Task"}}}}})}};
  auto r = ehr_->client().Transaction(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermanent) << r.status().ToString();
  int posts = 0;
  for (const auto& e : RequestLog()) posts += e["method"] == "POST" ? 1 : 0;
  EXPECT_EQ(posts, 1);
}

TEST_F(EhrDeliveryTest, ThrottledUnavailableAndHangingWritesAreRetriedAndDelivered) {
  SeedPatient(base(), "lily", "9434765919");
  // The patient search passes; the transaction meets 429, 500-as-503-like, then a hang.
  Admin(root() + "/$admin/faults", fhir::HttpMethod::kPost,
        {{"retryAfter", 1}, {"hangMs", 0}, {"faultScope", "writes"}, {"queue", {"429", "hang", "429"}}});
  adapter::FhirConfig cfg = ConfigFor(base());
  cfg.retry.max_attempts = 6;
  cfg.transport.request_timeout = std::chrono::milliseconds(1500);
  auto ehr = adapter::EhrConnection::Open(cfg);
  ASSERT_TRUE(ehr.ok());
  auto out = DeliverAll(**ehr, SeparateJson(Example()));
  ASSERT_EQ(out[0].kind, Kind::kDelivered) << out[0].reason;
  EXPECT_EQ(Count(root(), "Task"), 2u);
  EXPECT_EQ(Count(root(), "CarePlan"), 1u);
}

TEST_F(EhrDeliveryTest, ServerErrorsExhaustingRetriesMeanRetryLaterNotLoss) {
  SeedPatient(base(), "lily", "9434765919");
  Admin(root() + "/$admin/faults", fhir::HttpMethod::kPost, {{"fault429", 1.0}, {"retryAfter", 0}, {"faultScope", "writes"}});
  adapter::FhirConfig cfg = ConfigFor(base());
  cfg.retry.max_attempts = 2;
  auto ehr = adapter::EhrConnection::Open(cfg);
  ASSERT_TRUE(ehr.ok());
  auto out = DeliverAll(**ehr, SeparateJson(Example()));
  EXPECT_EQ(out[0].kind, Kind::kRetryLater) << out[0].reason;
  EXPECT_EQ(Count(root(), "Task"), 0u);
}

// RS-1 and RS-2 at the wire: canaries in every discussion and practitioner
// field never appear in any request (body, URL, headers); every action's
// what does.
TEST_F(EhrDeliveryTest, Rs2_NoCanaryOnTheWireAndRs1_EveryWhatIsThere) {
  std::vector<std::string> canaries, whats;
  int n = 0;
  for (const char* f : {"config/examples/eput-one-to-one.json", "config/examples/sgscb-group.json",
                        "config/examples/calderdale-adult-sbar.json", "config/examples/hscp-urgent.json",
                        "config/examples/croydon-ad-hoc.json", "config/examples/calderdale-strengthening-families.json"}) {
    json record = ReadJsonFile(f);
    for (auto& c : record["cases"]) {
      SeedPatient(base(), "p" + c["subject"]["nhsNumber"].get<std::string>(), c["subject"]["nhsNumber"]);
      for (auto it = c["discussion"].begin(); it != c["discussion"].end(); ++it) {
        std::string canary = "CANARY-wire-" + std::to_string(n++) + "-q7";
        it.value() = "Reflection " + canary + " stays in the confidential store";
        canaries.push_back(canary);
      }
      for (const auto& a : c["actions"]) whats.push_back(a["what"]);
    }
    if (record.contains("practitioner") && record["practitioner"].is_object()) {
      for (const char* k : {"support", "development", "wellbeing", "competenceConcern"}) {
        std::string canary = "CANARY-wire-" + std::to_string(n++) + "-p3";
        record["practitioner"][k] = "Practitioner note " + canary;
        canaries.push_back(canary);
      }
      // RS-7: in a group, the notes must say whose they are.
      if (record["supervisees"].size() > 1) record["practitioner"]["about"] = record["supervisees"][0]["id"];
    }
    for (const auto& out : DeliverAll(*ehr_, SeparateJson(record))) {
      ASSERT_EQ(out.kind, Kind::kDelivered) << f << ": " << out.reason;
    }
  }
  std::string wire = RequestLog().dump();
  ASSERT_GT(wire.size(), 1000u);
  for (const auto& c : canaries) EXPECT_EQ(wire.find(c), std::string::npos) << c;
  for (const auto& w : whats) {
    EXPECT_NE(wire.find(json(w).dump().substr(1, json(w).dump().size() - 2)), std::string::npos) << w;
  }
  EXPECT_GE(canaries.size(), 30u);
}

}  // namespace
}  // namespace sa::testing
