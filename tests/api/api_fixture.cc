#include "tests/api/api_fixture.h"

#include <fstream>
#include <map>

#include "adapter/api/http/log.h"
#include "adapter/audit/audit_log.h"
#include "adapter/auth/token_issuer.h"
#include "adapter/crypto/kek.h"
#include "mappings/catalog.h"

namespace sa::testing {

namespace {

std::string Src(const std::string& rel) { return std::string(SA_SOURCE_DIR) + "/" + rel; }

// Every log line of the process while a test runs (tests run one per process
// under ctest, so one capture is enough).
adapter::api::testing::LogCapture& Capture() {
  static auto* capture = new adapter::api::testing::LogCapture();
  return *capture;
}

}  // namespace

void ApiTest::SetUp() {
  dir_ = std::make_unique<adapter::store::testing::TempDir>();
  const std::string d = dir_->path();
  std::ofstream(d + "/kek.b64") << *adapter::crypto::GenerateKekBase64() << "\n";
  auto pair = adapter::auth::GenerateIssuerKeyPair("ES256");
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  std::ofstream(d + "/issuer.pem") << pair->private_pem;
  std::ofstream(d + "/issuer.jwks") << pair->jwks_json;
  json config = {
      {"store", {{"sqlite", d + "/adapter.db"}}},
      {"keys", {{"kekFile", d + "/kek.b64"}}},
      {"api",
       {{"listen", "127.0.0.1:0"},
        {"drainMs", 2000},
        {"deliveryPollMs", 100},
        {"limits", {{"rateLimitPerSecond", 10000}, {"rateLimitBurst", 10000}}},
        {"auth",
         {{"issuers",
           {{{"issuer", "test-issuer"},
             {"audience", "supervision-adapter"},
             {"jwksFile", d + "/issuer.jwks"},
             {"algorithms", {"ES256"}}}}},
          {"tokenIssue",
           {{"privateKeyFile", d + "/issuer.pem"},
            {"issuer", "test-issuer"},
            {"audience", "supervision-adapter"},
            {"keyId", pair->key_id},
            {"algorithm", "ES256"}}}}}}}};
  if (OnPostgres()) {
    auto pg = adapter::store::PgHarness::Start();
    ASSERT_TRUE(pg.ok()) << pg.status().ToString();
    pg_ = std::move(*pg);
    auto conninfo = pg_->CreateDatabase();
    ASSERT_TRUE(conninfo.ok()) << conninfo.status().ToString();
    config["store"] = {{"postgres", *conninfo}};
  }
  if (WithFhirServer()) {
    fhir_ = std::make_unique<adapter::LocalFhirServer>();
    Status s = fhir_->Start(Src(adapter::kBundledServerScript));
    ASSERT_TRUE(s.ok()) << s.ToString();
    config["fhir"] = {{"baseUrl", fhir_->base_url()}, {"auth", {{"type", "none"}}}};
    config["sync"] = {{"intervalSeconds", 1}, {"overlapSeconds", 5}};
  }
  Configure(config);
  std::ofstream(d + "/adapter.json") << config.dump(2);
  Capture();  // constructed before the sink refers to it
  adapter::api::SetLogSink(Capture().Sink());
  auto rt = adapter::Runtime::Open(d + "/adapter.json");
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  runtime_ = std::move(*rt);
  issue_ = *runtime_->config.api.auth.token_issue;
  adapter::api::HostOptions options;
  options.listen_override = "127.0.0.1:0";
  options.deliver = options.sync = WithFhirServer();
  auto host = adapter::api::ServiceHost::Start(runtime_.get(), options);
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  host_ = std::move(*host);
  office_token_ = Token("office-1", {"office-system"}, {"EPUT", "SGSCB", "HSCP", "CALDERDALE", "CROYDON"});
}

void ApiTest::TearDown() {
  if (host_) host_->Stop();
  host_.reset();
  runtime_.reset();
  if (fhir_) fhir_->Stop();
  pg_.reset();
  adapter::api::SetLogSink({});
}

std::string ApiTest::Token(const std::string& sub, const std::vector<std::string>& roles,
                           const std::vector<std::string>& orgs) {
  auto t = adapter::auth::IssueToken(issue_, sub, roles, orgs, 600, std::chrono::system_clock::now());
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : "";
}

ClientResponse ApiTest::Get(const std::string& path, const std::string& token) {
  adapter::api::testing::ClientRequest r;
  r.method = "GET";
  r.path = path;
  if (!token.empty()) r.headers.push_back({"Authorization", "Bearer " + token});
  return adapter::api::testing::Call(port(), r);
}

ClientResponse ApiTest::PostRaw(const std::string& path, const std::string& token,
                                const std::string& body,
                                std::vector<std::pair<std::string, std::string>> headers) {
  adapter::api::testing::ClientRequest r;
  r.method = "POST";
  r.path = path;
  r.body = body;
  r.content_type = "application/json";
  r.headers = std::move(headers);
  if (!token.empty()) r.headers.push_back({"Authorization", "Bearer " + token});
  return adapter::api::testing::Call(port(), r);
}

ClientResponse ApiTest::Post(const std::string& path, const std::string& token, const json& body,
                             std::vector<std::pair<std::string, std::string>> headers) {
  return PostRaw(path, token, body.dump(), std::move(headers));
}

json ApiTest::Session(const std::string& sid, const std::string& supervisor,
                      const std::vector<std::string>& supervisees, bool signed_by_all,
                      const std::string& org) {
  json r = json::parse(*mappings::ReadTextFile(Src("tests/data/valid-eput-sbar.json")));
  r["organisation"] = org;
  r["sessionId"] = sid;
  r["supervisor"] = {{"id", supervisor}, {"name", "Sup " + supervisor}, {"role", "Named Nurse"}};
  r["supervisees"] = json::array();
  for (const auto& s : supervisees) {
    r["supervisees"].push_back({{"id", s}, {"name", "Staff " + s}, {"role", "Health Visitor"}});
  }
  if (supervisees.size() > 1) r["type"] = "group";
  auto canary = [&](const std::string& field) {
    std::string c = "CANARY-" + sid + "-" + field + "-" + std::to_string(canary_seq_++) + "-zq";
    canaries_.push_back(c);
    return c;
  };
  // Each profile's own recording template (the example's sbar is EPUT's).
  const std::map<std::string, std::pair<std::string, std::vector<std::string>>> kTemplates = {
      {"SGSCB", {"sgscb-recording", {"carriedForward", "caseloadManagement", "revisedTargets", "professionalJudgement"}}},
      {"HSCP", {"free", {"notes"}}},
      {"CROYDON", {"free", {"notes"}}},
      {"CALDERDALE", {"calderdale-summary", {"agendaItems", "summary", "carriedForward"}}}};
  if (auto t = kTemplates.find(org); t != kTemplates.end()) {
    r["template"] = t->second.first;
    r["cases"][0]["discussion"] = json::object();
    for (const auto& k : t->second.second) r["cases"][0]["discussion"][k] = "";
  }
  for (auto& [key, value] : r["cases"][0]["discussion"].items()) value = canary(key);
  for (auto& a : r["cases"][0]["actions"]) a["owner"] = r["supervisees"][0];
  r["practitioner"] = {{"support", canary("support")}, {"development", canary("development")},
                       {"wellbeing", nullptr}, {"competenceConcern", canary("competence")}};
  if (supervisees.size() > 1) r["practitioner"]["about"] = supervisees[0];
  r["signatures"] = json::array();
  if (signed_by_all) {
    r["signatures"].push_back({{"by", supervisor}, {"role", "supervisor"}, {"at", "2026-11-20T11:40:00Z"}});
    for (const auto& s : supervisees) {
      r["signatures"].push_back({{"by", s},
                                 {"role", supervisees.size() > 1 ? "attendee" : "supervisee"},
                                 {"at", "2026-11-20T11:41:00Z"}});
    }
  }
  return r;
}

void ApiTest::Submit(const json& record) {
  ClientResponse r = Post("/v1/sessions", office_token_, record);
  ASSERT_EQ(r.status, 201) << r.body;
}

json ApiTest::Agreement(const std::string& supervisee, const std::string& supervisor,
                        const std::vector<std::string>& managers, const std::string& org) {
  json staff = json::array();
  for (const auto& m : managers) staff.push_back({{"id", m}, {"name", "Mgr " + m}, {"role", "Team Lead"}});
  return {{"organisation", org},
          {"supervisee", {{"id", supervisee}, {"name", "Staff " + supervisee}, {"role", "Health Visitor"}}},
          {"supervisor", {{"id", supervisor}, {"name", "Sup " + supervisor}, {"role", "Named Nurse"}}},
          {"lineManagers", staff},
          {"namedManagers", staff},
          {"staffGroup", "community"},
          {"frequency", {{"maxGapDays", 42}, {"minSessionsPer12Months", nullptr}}},
          {"sessionMinutes", 90},
          {"startDate", "2026-01-05"},
          {"signedAt", "2026-01-20"},
          {"reviewDate", "2027-01-05"}};
}

int64_t ApiTest::AuditCount(const std::string& prefix) {
  auto s = runtime_->db->Connect();
  EXPECT_TRUE(s.ok());
  auto rows = (*s)->Query("SELECT action FROM audit_log");
  EXPECT_TRUE(rows.ok());
  int64_t n = 0;
  for (const auto& r : *rows) {
    if (adapter::store::AsText(r[0]).value().rfind(prefix, 0) == 0) ++n;
  }
  return n;
}

std::string ApiTest::LogText() const { return Capture().Text(); }

}  // namespace sa::testing
