// The service on PostgreSQL (several adapter instances share one database):
// every kind of write and read the API does, once, so the SQL of the
// services is proven on both databases.
#include <gtest/gtest.h>

#include "tests/api/api_fixture.h"

namespace sa::testing {
namespace {

class ApiPostgresTest : public ApiTest {
 protected:
  bool OnPostgres() const override { return true; }
};

TEST_F(ApiPostgresTest, EveryServiceWorksOnPostgres) {
  const std::string lead = Token("SG-1", {"safeguarding-lead"});
  const std::string sup = Token("P-10", {"supervisor"});
  const std::string see = Token("P-20", {"supervisee"});
  Submit(Session("S-P1", "P-10", {"P-20"}, /*signed_by_all=*/false));
  Submit(Session("G-P1", "P-10", {"P-20", "P-21"}));
  ASSERT_EQ(Post("/v1/sessions/S-P1/signatures", sup, json::object()).status, 201);
  ClientResponse agreed = Post("/v1/sessions/S-P1/signatures", see, json::object());
  ASSERT_EQ(agreed.status, 201) << agreed.body;
  EXPECT_EQ(agreed.Json()["state"], "agreed");
  EXPECT_EQ(Get("/v1/sessions/S-P1", sup).status, 200);
  EXPECT_EQ(Get("/v1/sessions/S-P1/discussion", see).status, 200);
  EXPECT_EQ(Get("/v1/sessions/G-P1/discussion", Token("P-21", {"supervisee"})).status, 200);
  EXPECT_EQ(Get("/v1/sessions/S-P1/discussion", Token("P-21", {"supervisee"})).status, 403);
  ASSERT_EQ(Post("/v1/agreements", lead, Agreement("P-20", "P-10", {"M-1"})).status, 201);
  EXPECT_EQ(Get("/v1/agreements", lead).status, 200);
  EXPECT_EQ(Get("/v1/practitioners/P-20/record", Token("M-1", {"line-manager"})).status, 200);
  EXPECT_EQ(Get("/v1/supervisees/P-20/previous-actions", sup).status, 200);

  json request = {{"organisation", "EPUT"},
                  {"sessionId", "S-P1"},
                  {"records", {"discussion"}},
                  {"requester", {{"name", "Reviewer"}, {"organisation", "LSCP"}, {"role", "chair"}}},
                  {"ground", "practice-review"},
                  {"reference", "LCSPR-2026-4"},
                  {"purpose", "review"},
                  {"urgent", false}};
  ClientResponse d = Post("/v1/disclosures", lead, request);
  ASSERT_EQ(d.status, 201) << d.body;
  const std::string id = d.Json()["id"];
  ASSERT_EQ(Post("/v1/disclosures/" + id + "/notice", lead,
                 {{"what", "the form"}, {"why", "a practice review"}, {"consequences", "read by the panel"}})
                .status,
            200);
  ASSERT_EQ(Post("/v1/disclosures/" + id + "/approval", Token("SG-2", {"safeguarding-lead"}), json::object()).status,
            200);
  ClientResponse package = Get("/v1/disclosures/" + id + "/package", lead);
  ASSERT_EQ(package.status, 200) << package.body;
  EXPECT_EQ(Get("/v1/supervisees/P-20/notices", see).Json()["notices"].size(), 1u);
  EXPECT_EQ(Post("/v1/disclosures", lead, {{"organisation", "EPUT"}, {"sessionId", "S-P1"},
                                          {"records", {"discussion"}},
                                          {"requester", {{"name", "A"}, {"organisation", "B"}, {"role", "C"}}},
                                          {"ground", "audit"}, {"reference", "AU-1"}, {"purpose", "x"},
                                          {"urgent", false}})
                .status,
            403);

  ASSERT_EQ(Post("/v1/sessions/G-P1/cancellation?organisation=EPUT", office_token_,
                 {{"reason", "sickness"}})
                .status,
            201);
  ASSERT_EQ(Post("/v1/supervisees/P-20/transfer", lead, {{"newSupervisor", "P-11"}, {"reason", "team-change"}})
                .status,
            201);
  EXPECT_EQ(Get("/v1/sessions/S-P1/discussion", Token("P-11", {"supervisor"})).status, 200);
  EXPECT_EQ(Get("/v1/sessions/S-P1/discussion", sup).status, 403);
  ClientResponse reg = Get("/v1/register?from=2026-11-01&to=2026-12-01&format=csv", lead);
  EXPECT_EQ(reg.status, 200);
  EXPECT_NE(reg.body.find("G-P1"), std::string::npos);
  EXPECT_EQ(Get("/v1/compliance?from=2026-01-01&to=2026-12-01", lead).status, 200);
  ASSERT_EQ(Post("/v1/supervisees/P-20/departure", lead, json::object()).status, 201);
  EXPECT_EQ(Get("/v1/sessions/S-P1/discussion", see).status, 403);
  EXPECT_GE(AuditCount("refuse:"), 3);
}

}  // namespace
}  // namespace sa::testing
