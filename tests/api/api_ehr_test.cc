// The API with the bundled FHIR server as the EHR, delivery and Task status
// sync running in the background: previous actions show the status a
// clinician set in the EHR (RS-11); a cancellation revokes a delivered plan.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/api/api_fixture.h"
#include "tests/integration/server_fixture.h"

namespace sa::testing {
namespace {

class ApiEhrTest : public ApiTest {
 protected:
  bool WithFhirServer() const override { return true; }

  // Polls `done` every 200 ms for up to 60 s.
  static bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 300; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return done();
  }

  std::vector<json> Tasks() { return Resources(fhir()->root(), "Task"); }
  std::vector<json> CarePlans() { return Resources(fhir()->root(), "CarePlan"); }
};

TEST_F(ApiEhrTest, Rs11_PreviousActionsShowTheStatusAClinicianSetInTheEhr) {
  SeedPatient(fhir()->base_url(), "nhs-9434765919", "9434765919");
  Submit(Session("S-E1", "P-10", {"P-20"}));
  ASSERT_TRUE(WaitFor([&] { return Tasks().size() == 2; })) << "the plan was not delivered";
  json task = Tasks()[0];
  json changed = task;
  changed.erase("meta");
  changed["status"] = "completed";
  int code = 0;
  Admin(fhir()->base_url() + "/Task/" + task["id"].get<std::string>(), fhir::HttpMethod::kPut, changed, &code);
  ASSERT_EQ(code, 200);

  const std::string supervisor = Token("P-10", {"supervisor"});
  json view;
  ASSERT_TRUE(WaitFor([&] {
    ClientResponse r = Get("/v1/supervisees/P-20/previous-actions", supervisor);
    if (r.status != 200) return false;
    view = r.Json();
    int completed = 0;
    for (const auto& a : view["actions"]) {
      if (a["ehr"].is_object() && a["ehr"]["status"] == "completed") ++completed;
    }
    return completed == 1;
  })) << view.dump(2);
  ASSERT_EQ(view["actions"].size(), 2u) << view.dump(2);  // the completed one is recent, the other open
  int open = 0;
  for (const auto& a : view["actions"]) open += a["open"].get<bool>() ? 1 : 0;
  EXPECT_EQ(open, 1) << view.dump(2);
  for (const auto& c : canaries()) EXPECT_EQ(view.dump().find(c), std::string::npos);
  // The supervisee sees their own; a stranger is refused.
  EXPECT_EQ(Get("/v1/supervisees/P-20/previous-actions", Token("P-20", {"supervisee"})).status, 200);
  EXPECT_EQ(Get("/v1/supervisees/P-20/previous-actions", Token("P-11", {"supervisor"})).status, 403);
}

TEST_F(ApiEhrTest, CancellationAfterDeliveryRevokesTheCarePlanAndCancelsItsTasks) {
  SeedPatient(fhir()->base_url(), "nhs-9434765919", "9434765919");
  Submit(Session("S-E2", "P-10", {"P-20"}));
  ASSERT_TRUE(WaitFor([&] { return Tasks().size() == 2 && CarePlans().size() == 1; }));
  ClientResponse r = Post("/v1/sessions/S-E2/cancellation?organisation=EPUT", office_token_,
                          {{"reason", "rearranged"}, {"rebookedTo", "2026-12-01T10:00:00Z"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["state"], "cancelled");
  ASSERT_TRUE(WaitFor([&] {
    auto plans = CarePlans();
    if (plans.size() != 1 || plans[0]["status"] != "revoked") return false;
    for (const auto& t : Tasks()) {
      if (t["status"] != "cancelled") return false;
    }
    return Tasks().size() == 2;
  })) << json(CarePlans()).dump() << json(Tasks()).dump();
  // Nothing of the discussion reached the EHR on the way.
  std::string wire = Admin(fhir()->root() + "/$admin/requests").dump();
  for (const auto& c : canaries()) EXPECT_EQ(wire.find(c), std::string::npos) << c;
}

TEST_F(ApiEhrTest, ReadinessFollowsTheFhirEndpoint) {
  EXPECT_EQ(Get("/readyz", "").status, 200);
  fhir()->Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(5'500));  // past the readiness cache
  ClientResponse r = Get("/readyz", "");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
}

}  // namespace
}  // namespace sa::testing
