// The HTTP API end to end over real HTTP: intake, signatures (RS-8), the
// discussion read under access rules (RS-3, RS-6), the practitioner record
// (RS-7), register (RS-9), transfer and departure (RS-10), disclosure per
// profile (RS-4, RS-5), errors as problem+json, and no confidential text in
// any error body or log line.
#include <gtest/gtest.h>

#include "adapter/api/api.h"
#include "tests/api/api_fixture.h"

namespace sa::testing {
namespace {

const char kSessions[] = "/v1/sessions";

class ApiFlowTest : public ApiTest {};

TEST_F(ApiFlowTest, IntakeAnswers201Then200ThenProblemWithPointers) {
  json record = Session("S-1", "P-10", {"P-20"});
  ClientResponse first = Post(kSessions, office_token_, record);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.Json()["result"], "created");
  EXPECT_EQ(first.Header("etag"), "\"v1\"");
  ClientResponse again = Post(kSessions, office_token_, record);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["result"], "unchanged");

  json bad = record;
  bad["cases"][0]["actions"][0].erase("due");
  bad["durationMinutes"] = "ninety";
  ClientResponse r = Post(kSessions, office_token_, bad);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  std::set<std::string> pointers;
  const json problem = r.Json();
  for (const auto& e : problem["errors"]) pointers.insert(e["pointer"].get<std::string>());
  EXPECT_TRUE(pointers.count("/cases/0/actions/0/due")) << r.body;
  EXPECT_TRUE(pointers.count("/durationMinutes")) << r.body;
  for (const auto& c : canaries()) EXPECT_EQ(r.body.find(c), std::string::npos);
}

TEST_F(ApiFlowTest, IfMatchOnAnOlderVersionIs409) {
  json record = Session("S-2", "P-10", {"P-20"});
  Submit(record);
  record["durationMinutes"] = 60;
  ClientResponse ok = Post(kSessions, office_token_, record, {{"If-Match", "\"v1\""}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.Json()["version"], 2);
  record["durationMinutes"] = 45;
  ClientResponse stale = Post(kSessions, office_token_, record, {{"If-Match", "\"v1\""}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.Header("content-type"), "application/problem+json");
}

TEST_F(ApiFlowTest, Rs8_SignaturesThroughTheApiAgreeTheRecordAndQueueThePlan) {
  const json unsigned_record = Session("S-3", "P-10", {"P-20"}, /*signed_by_all=*/false);
  Submit(unsigned_record);
  std::string sup = Token("P-10", {"supervisor"});
  std::string see = Token("P-20", {"supervisee"});
  ClientResponse view = Get("/v1/sessions/S-3", sup);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(view.Json()["state"], "awaiting-signatures");
  EXPECT_EQ(view.Json()["agreement"]["awaiting"].size(), 2u);

  ClientResponse s1 = Post("/v1/sessions/S-3/signatures", sup, json::object());
  ASSERT_EQ(s1.status, 201) << s1.body;
  EXPECT_EQ(s1.Json()["state"], "awaiting-signatures");
  EXPECT_EQ(s1.Json()["outboxRows"], 0);  // EPUT sends only once agreed
  ClientResponse twice = Post("/v1/sessions/S-3/signatures", sup, json::object());
  EXPECT_EQ(twice.status, 200) << twice.body;
  ClientResponse s2 = Post("/v1/sessions/S-3/signatures", see, json::object());
  ASSERT_EQ(s2.status, 201) << s2.body;
  EXPECT_EQ(s2.Json()["state"], "agreed");
  EXPECT_EQ(s2.Json()["outboxRows"], 1);
  // Someone who is not a party cannot sign.
  ClientResponse other = Post("/v1/sessions/S-3/signatures", Token("P-99", {"supervisee"}), json::object());
  EXPECT_EQ(other.status, 403) << other.body;
  // The office system resending its unsigned record does not undo the agreement.
  ClientResponse resend = Post(kSessions, office_token_, unsigned_record);
  EXPECT_EQ(resend.status, 200) << resend.body;
  EXPECT_EQ(Get("/v1/sessions/S-3", sup).Json()["state"], "agreed");
}

TEST_F(ApiFlowTest, Rs3_DiscussionIsForItsAccessListAndEveryReadAndRefusalIsAudited) {
  Submit(Session("S-4", "P-10", {"P-20"}));
  const int64_t reads = AuditCount("read-discussion");
  const int64_t refusals = AuditCount("refuse:discussion.read");
  ClientResponse own = Get("/v1/sessions/S-4/discussion", Token("P-20", {"supervisee"}));
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_NE(own.body.find(canaries()[0]), std::string::npos);
  EXPECT_EQ(Get("/v1/sessions/S-4/discussion", Token("P-10", {"supervisor"})).status, 200);
  EXPECT_EQ(Get("/v1/sessions/S-4/discussion", Token("SG-1", {"safeguarding-lead"})).status, 200);
  for (const auto& who : {Token("P-21", {"supervisee"}), Token("P-11", {"supervisor"}),
                          Token("office-1", {"office-system"}), Token("A-1", {"auditor"}),
                          Token("P-20", {"supervisee"}, {"SGSCB"})}) {
    ClientResponse r = Get("/v1/sessions/S-4/discussion?organisation=EPUT", who);
    EXPECT_TRUE(r.status == 403 || r.status == 404) << r.status << " " << r.body;
    for (const auto& c : canaries()) EXPECT_EQ(r.body.find(c), std::string::npos);
  }
  EXPECT_EQ(AuditCount("read-discussion"), reads + 3);
  EXPECT_EQ(AuditCount("refuse:discussion.read"), refusals + 4);  // the other org sees 404
}

TEST_F(ApiFlowTest, Rs6_GroupNotesAreForTheGroupsMembersOnly) {
  Submit(Session("G-1", "P-10", {"P-20", "P-21", "P-22"}));
  Submit(Session("G-2", "P-10", {"P-30", "P-31"}));
  EXPECT_EQ(Get("/v1/sessions/G-1/discussion", Token("P-21", {"supervisee"})).status, 200);
  EXPECT_EQ(Get("/v1/sessions/G-1/discussion", Token("P-22", {"supervisee"})).status, 200);
  EXPECT_EQ(Get("/v1/sessions/G-1/discussion", Token("P-30", {"supervisee"})).status, 403);
  EXPECT_EQ(Get("/v1/sessions/G-2/discussion", Token("P-20", {"supervisee"})).status, 403);
}

TEST_F(ApiFlowTest, Rs7_PractitionerRecordIsForThePractitionerSupervisorAndNamedLineManager) {
  Submit(Session("S-5", "P-10", {"P-20"}));
  std::string lead = Token("SG-1", {"safeguarding-lead"});
  ASSERT_EQ(Post("/v1/agreements", lead, Agreement("P-20", "P-10", {"M-1"})).status, 201);
  ClientResponse mine = Get("/v1/practitioners/P-20/record", Token("P-20", {"supervisee"}));
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_NE(mine.body.find("competence"), std::string::npos);
  EXPECT_EQ(Get("/v1/practitioners/P-20/record", Token("P-10", {"supervisor"})).status, 200);
  EXPECT_EQ(Get("/v1/practitioners/P-20/record", Token("M-1", {"line-manager"})).status, 200);
  EXPECT_EQ(Get("/v1/practitioners/P-20/record", Token("M-2", {"line-manager"})).status, 403);
  // Group members never see each other's practitioner notes.
  Submit(Session("G-3", "P-10", {"P-20", "P-21"}));
  EXPECT_EQ(Get("/v1/practitioners/P-20/record", Token("P-21", {"supervisee"})).status, 403);
  // The discussion read does not carry practitioner notes either.
  ClientResponse group = Get("/v1/sessions/G-3/discussion", Token("P-21", {"supervisee"}));
  ASSERT_EQ(group.status, 200);
  EXPECT_EQ(group.body.find("competence"), std::string::npos);
}

TEST_F(ApiFlowTest, Rs9_RegisterListsCancelledUrgentAndAdHocSessionsAsJsonAndCsv) {
  Submit(Session("S-6", "P-10", {"P-20"}));
  json urgent = Session("S-7", "P-10", {"P-20"});
  urgent["type"] = "urgent";
  Submit(urgent);
  json adhoc = Session("S-8", "P-10", {"P-20"});
  adhoc["type"] = "ad-hoc";
  Submit(adhoc);
  Submit(Session("S-9", "P-10", {"P-20"}));
  ClientResponse cancel = Post("/v1/sessions/S-9/cancellation?organisation=EPUT", office_token_,
                               {{"reason", "sickness"}, {"rebookedTo", "2026-11-27T10:00:00Z"}});
  ASSERT_EQ(cancel.status, 201) << cancel.body;
  std::string lead = Token("SG-1", {"safeguarding-lead"});
  ClientResponse reg = Get("/v1/register?from=2026-11-01&to=2026-12-01", lead);
  ASSERT_EQ(reg.status, 200) << reg.body;
  std::map<std::string, json> lines;
  const json register_doc = reg.Json();
  for (const auto& l : register_doc["lines"]) lines[l["sessionId"]] = l;
  ASSERT_EQ(lines.size(), 4u) << reg.body;
  EXPECT_EQ(lines["S-7"]["type"], "urgent");
  EXPECT_EQ(lines["S-8"]["type"], "ad-hoc");
  EXPECT_EQ(lines["S-9"]["status"], "cancelled");
  for (const auto& c : canaries()) EXPECT_EQ(reg.body.find(c), std::string::npos);
  ClientResponse csv = Get("/v1/register?from=2026-11-01&to=2026-12-01&format=csv", lead);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.Header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_NE(csv.body.find("S-9"), std::string::npos);
  EXPECT_EQ(Get("/v1/register?from=2026-11-01&to=2026-12-01", Token("P-10", {"supervisor"})).status, 403);
  ClientResponse missing = Get("/v1/register?from=2026-11-01", lead);
  EXPECT_EQ(missing.status, 422);
}

TEST_F(ApiFlowTest, Rs10_TransferMovesAccessAndDepartureExportsToThePersonnelFileOnly) {
  Submit(Session("S-10", "P-10", {"P-20"}));
  std::string lead = Token("SG-1", {"safeguarding-lead"});
  std::string old_sup = Token("P-10", {"supervisor"});
  std::string new_sup = Token("P-11", {"supervisor"});
  EXPECT_EQ(Get("/v1/sessions/S-10/discussion", new_sup).status, 403);
  ClientResponse t = Post("/v1/supervisees/P-20/transfer", lead,
                          {{"newSupervisor", "P-11"}, {"reason", "supervisor-left"}});
  ASSERT_EQ(t.status, 201) << t.body;
  EXPECT_EQ(Get("/v1/sessions/S-10/discussion", new_sup).status, 200);
  EXPECT_EQ(Get("/v1/sessions/S-10/discussion", old_sup).status, 403);
  EXPECT_EQ(Get("/v1/supervisees/P-20/previous-actions", new_sup).status, 200);

  auto db = runtime().db->Connect();
  auto outbox_before = (*db)->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM outbox");
  EXPECT_EQ(Post("/v1/supervisees/P-20/departure", Token("M-9", {"line-manager"}), json::object()).status, 403);
  ClientResponse d = Post("/v1/supervisees/P-20/departure", lead, json::object());
  ASSERT_EQ(d.status, 201) << d.body;
  EXPECT_FALSE(d.Json()["sessions"].empty());
  EXPECT_NE(d.body.find(canaries()[0]), std::string::npos);  // the discussion went to the package
  auto outbox_after = (*db)->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM outbox");
  EXPECT_EQ((*outbox_before)[0], (*outbox_after)[0]);  // nothing to the EHR
  EXPECT_EQ(Post("/v1/supervisees/P-20/departure", lead, json::object()).status, 409);
  // The departed supervisee no longer reads the store.
  EXPECT_EQ(Get("/v1/sessions/S-10/discussion", Token("P-20", {"supervisee"})).status, 403);
}

// Requests a disclosure of S-D's discussion on `ground`.
json DisclosureBody(const std::string& org, const std::string& ground, bool urgent) {
  return {{"organisation", org},
          {"sessionId", "S-D"},
          {"records", {"discussion"}},
          {"requester", {{"name", "Judge Example"}, {"organisation", "Family Court"}, {"role", "judge"}}},
          {"ground", ground},
          {"reference", "CO-2026-118"},
          {"purpose", "care proceedings"},
          {"urgent", urgent}};
}

TEST_F(ApiFlowTest, Rs4_EputRefusesAuditAsAGroundAndSgscbAllowsIt) {
  Submit(Session("S-D", "P-10", {"P-20"}, true, "EPUT"));
  Submit(Session("S-D", "P-10", {"P-20"}, true, "SGSCB"));
  ClientResponse eput = Post("/v1/disclosures", Token("SG-1", {"safeguarding-lead"}, {"EPUT"}),
                             DisclosureBody("EPUT", "audit", false));
  EXPECT_EQ(eput.status, 403) << eput.body;
  EXPECT_FALSE(eput.Header("location").empty());
  ClientResponse sgscb = Post("/v1/disclosures", Token("SG-2", {"safeguarding-lead"}, {"SGSCB"}),
                              DisclosureBody("SGSCB", "audit", false));
  EXPECT_EQ(sgscb.status, 201) << sgscb.body;
  EXPECT_EQ(sgscb.Json()["state"], "awaiting-notice");
}

TEST_F(ApiFlowTest, Rs5_NoticeBeforeReleaseThenApprovalThenExactlyTheDisclosedContent) {
  Submit(Session("S-D", "P-10", {"P-20"}));
  std::string lead = Token("SG-1", {"safeguarding-lead"});
  ClientResponse req = Post("/v1/disclosures", lead, DisclosureBody("EPUT", "court-order", false));
  ASSERT_EQ(req.status, 201) << req.body;
  const std::string id = req.Json()["id"];
  EXPECT_EQ(Get("/v1/disclosures/" + id + "/package", lead).status, 409);  // not yet
  EXPECT_EQ(Post("/v1/disclosures/" + id + "/approval", Token("SG-2", {"safeguarding-lead"}), json::object()).status,
            409);  // notice first
  ClientResponse notice = Post("/v1/disclosures/" + id + "/notice", lead,
                               {{"what", "the discussion form of S-D"},
                                {"why", "a court order"},
                                {"consequences", "the court will read it"}});
  ASSERT_EQ(notice.status, 200) << notice.body;
  ClientResponse mine = Get("/v1/supervisees/P-20/notices", Token("P-20", {"supervisee"}));
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(mine.Json()["notices"].size(), 1u);
  EXPECT_EQ(mine.Json()["notices"][0]["why"], "a court order");
  EXPECT_EQ(Post("/v1/disclosures/" + id + "/approval", Token("P-10", {"supervisor"}), json::object()).status, 403);
  // Separation of duties: the lead who recorded the request cannot approve it.
  EXPECT_EQ(Post("/v1/disclosures/" + id + "/approval", lead, json::object()).status, 403);
  ASSERT_EQ(Post("/v1/disclosures/" + id + "/approval", Token("SG-2", {"safeguarding-lead"}), json::object()).status, 200);
  ClientResponse package = Get("/v1/disclosures/" + id + "/package", lead);
  ASSERT_EQ(package.status, 200) << package.body;
  EXPECT_EQ(package.Json()["reference"], "CO-2026-118");
  EXPECT_NE(package.body.find(canaries()[0]), std::string::npos);
  EXPECT_EQ(package.body.find("competence"), std::string::npos);  // only the discussion was asked for
  EXPECT_EQ(Get("/v1/disclosures/" + id, lead).Json()["state"], "released");
  EXPECT_GE(AuditCount("disclose"), 1);
}

TEST_F(ApiFlowTest, Rs5_UrgentChildProtectionReleaseComesFirstAndTheNoticeGapIsRecorded) {
  Submit(Session("S-D", "P-10", {"P-20"}));
  std::string lead = Token("SG-1", {"safeguarding-lead"});
  ClientResponse req = Post("/v1/disclosures", lead, DisclosureBody("EPUT", "child-protection", true));
  ASSERT_EQ(req.status, 201) << req.body;
  const std::string id = req.Json()["id"];
  EXPECT_EQ(req.Json()["state"], "awaiting-approval");
  ASSERT_EQ(Post("/v1/disclosures/" + id + "/approval", Token("SG-2", {"safeguarding-lead"}), json::object()).status,
            200);
  ASSERT_EQ(Get("/v1/disclosures/" + id + "/package", lead).status, 200);
  ClientResponse notice = Post("/v1/disclosures/" + id + "/notice", lead,
                               {{"what", "the discussion"}, {"why", "urgent child protection"},
                                {"consequences", "shared with social care"}});
  ASSERT_EQ(notice.status, 200) << notice.body;
  EXPECT_FALSE(notice.Json()["noticeGapSeconds"].is_null()) << notice.body;
}

TEST_F(ApiFlowTest, NoCredentialsIs401AndABadTokenIs401WithoutEchoingIt) {
  Submit(Session("S-11", "P-10", {"P-20"}));
  ClientResponse none = Get("/v1/sessions/S-11?organisation=EPUT", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_FALSE(none.Header("www-authenticate").empty());
  std::string forged = Token("P-10", {"supervisor"});
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  ClientResponse bad = Get("/v1/sessions/S-11", forged);
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.body.find(forged), std::string::npos);
  EXPECT_EQ(LogText().find(forged), std::string::npos);
}

TEST_F(ApiFlowTest, NoConfidentialTextInAnyLogLine) {
  Submit(Session("S-12", "P-10", {"P-20"}));
  Submit(Session("G-12", "P-10", {"P-20", "P-21"}));
  Get("/v1/sessions/S-12/discussion", Token("P-20", {"supervisee"}));
  Get("/v1/sessions/S-12/discussion", Token("P-29", {"supervisee"}));
  Get("/v1/practitioners/P-20/record", Token("P-20", {"supervisee"}));
  const std::string logs = LogText();
  ASSERT_FALSE(logs.empty());
  for (const auto& c : canaries()) EXPECT_EQ(logs.find(c), std::string::npos) << c;
}

TEST_F(ApiFlowTest, OpenApiDocumentsEveryRouteTheServerHas) {
  json doc = json::parse(adapter::api::OpenApiDocument());
  ClientResponse served = Get("/openapi.json", "");
  ASSERT_EQ(served.status, 200);
  EXPECT_EQ(served.Json(), doc);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  adapter::api::Router router;
  adapter::api::ApiContext context;
  adapter::api::AddApiRoutes(router, context);
  std::set<std::pair<std::string, std::string>> routes, documented;
  for (const auto& r : router.Routes()) {
    std::string m = r.method;
    for (auto& ch : m) ch = static_cast<char>(std::tolower(ch));
    routes.insert({m, r.pattern});
  }
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      documented.insert({method, path});
      EXPECT_TRUE(op.contains("responses")) << method << " " << path;
    }
  }
  EXPECT_EQ(routes, documented);
}

TEST_F(ApiFlowTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(Get("/healthz", "").status, 200);
  EXPECT_EQ(Get("/readyz", "").status, 200);
  Submit(Session("S-13", "P-10", {"P-20"}));
  EXPECT_EQ(Get("/metrics", Token("SG-1", {"safeguarding-lead"})).status, 403);
  ClientResponse m = Get("/metrics", Token("ops-1", {"integrator-admin"}, {}));
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_NE(m.body.find("sa_intake_total{result=\"created\"} 1"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("sa_outbox_depth"), std::string::npos);
  EXPECT_NE(m.body.find("http_requests_total"), std::string::npos);
}

}  // namespace
}  // namespace sa::testing
