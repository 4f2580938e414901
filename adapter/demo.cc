#include "adapter/demo.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "adapter/api/service_host.h"
#include "adapter/audit/verify.h"
#include "adapter/auth/token_issuer.h"
#include "adapter/config.h"
#include "adapter/core/intake.h"
#include "adapter/core/outbox.h"
#include "adapter/core/runtime.h"
#include "adapter/core/vault.h"
#include "adapter/crypto/kek.h"
#include "adapter/ehr_connection.h"
#include "adapter/local_fhir_server.h"
#include "adapter/plan_delivery.h"
#include "fhir/cpprest_transport.h"
#include "mappings/catalog.h"
#include "mappings/separation.h"
#include "mappings/session_parser.h"

namespace sa::adapter {

using nlohmann::json;

namespace {

struct Example {
  std::string file;
  mappings::Session session;
  mappings::Separation separation;
};

std::string Counts(const mappings::Separation& s) {
  std::map<mappings::Home, int> n;
  for (const auto& r : s.routes) ++n[r.home];
  return "EHR " + std::to_string(n[mappings::Home::kEhr]) + ", confidential " +
         std::to_string(n[mappings::Home::kConfidential]) + ", practitioner " +
         std::to_string(n[mappings::Home::kPractitioner]) + ", register " +
         std::to_string(n[mappings::Home::kRegister]) + " fields";
}

}  // namespace

int RunDemo(const DemoOptions& options, std::ostream& out) {
  auto catalog = mappings::Catalog::Load({});
  if (!catalog.ok()) {
    out << "demo: " << catalog.status().message() << "\n";
    return 1;
  }
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(options.examples_dir, ec)) {
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    out << "demo: no example sessions in " << options.examples_dir << "\n";
    return 1;
  }

  std::vector<Example> examples;
  out << "1. The office system's session records, separated (every field to exactly one home)\n";
  for (const auto& f : files) {
    auto text = mappings::ReadTextFile(f);
    if (!text.ok()) return 1;
    auto parse = mappings::ParseSession(*text, **catalog);
    if (!parse.ok) {
      out << "  " << f << ": REJECTED — " << parse.errors[0].ToString() << "\n";
      continue;
    }
    auto sep = mappings::Separate(parse.session, parse.document, **catalog);
    if (!sep.ok()) {
      out << "  " << f << ": REJECTED — " << sep.status().message() << "\n";
      continue;
    }
    const auto& s = parse.session;
    out << "  " << s.session_id << " (" << s.organisation << ", " << s.type << ", " << s.status << "): "
        << Counts(*sep) << "; " << sep->release_reason << "\n";
    examples.push_back({f, parse.session, std::move(*sep)});
  }

  out << "\n2. Starting the bundled FHIR server (Medplum engine, in memory) as the EHR\n";
  LocalFhirServer server;
  if (Status st = server.Start(options.fhir_server_script); !st.ok()) {
    out << "demo: " << st.message() << "\n";
    return 1;
  }
  out << "  " << server.base_url() << "\n";
  FhirConfig config;
  config.base_url = server.base_url();
  config.auth.method = "none";
  auto ehr = EhrConnection::Open(config);
  if (!ehr.ok()) {
    out << "demo: " << ehr.status().message() << "\n";
    return 1;
  }
  // The EHR already knows the children and adults at risk in the examples.
  int seeded = 0;
  for (const auto& ex : examples) {
    for (const auto& c : ex.session.cases) {
      json patient = {{"resourceType", "Patient"}, {"id", "nhs-" + c.subject.nhs_number},
                      {"identifier", json::array({{{"system", config.mapping.nhs_number_system}, {"value", c.subject.nhs_number}}})}};
      if (c.subject.family) patient["name"] = json::array({{{"family", *c.subject.family}, {"given", json::array({c.subject.given.value_or("")})}}});
      if ((*ehr)->client().Execute(fhir::HttpMethod::kPut, "Patient/nhs-" + c.subject.nhs_number, patient.dump()).ok()) ++seeded;
    }
  }
  out << "  seeded " << seeded << " patient record(s)\n";

  out << "\n3. Starting the service (serve): HTTP API, embedded store (SQLite, WAL, synchronous=FULL),"
         " delivery and Task status sync in the background\n";
  // A fresh store, key and token issuer for each demo run, under var/demo.
  const std::string dir = std::filesystem::absolute(options.state_dir).string();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  std::filesystem::create_directories(dir);
  auto kek = crypto::GenerateKekBase64();
  auto issuer = auth::GenerateIssuerKeyPair("ES256");
  if (!kek.ok() || !issuer.ok()) return 1;
  { std::ofstream(dir + "/kek.b64") << *kek << "\n"; }
  { std::ofstream(dir + "/issuer.pem") << issuer->private_pem; }
  { std::ofstream(dir + "/issuer.jwks") << issuer->jwks_json; }
  json cfg = {{"store", {{"sqlite", dir + "/adapter.db"}}},
              {"keys", {{"kekFile", dir + "/kek.b64"}}},
              {"fhir", {{"baseUrl", server.base_url()}, {"auth", {{"type", "none"}}}}},
              {"sync", {{"intervalSeconds", 1}, {"overlapSeconds", 5}}},
              {"api",
               {{"listen", "127.0.0.1:0"},
                {"deliveryPollMs", 100},
                {"auth",
                 {{"issuers", {{{"issuer", "demo-issuer"}, {"audience", "supervision-adapter"},
                                {"jwksFile", dir + "/issuer.jwks"}, {"algorithms", {"ES256"}}}}},
                  {"tokenIssue", {{"privateKeyFile", dir + "/issuer.pem"}, {"issuer", "demo-issuer"},
                                  {"audience", "supervision-adapter"}, {"keyId", issuer->key_id},
                                  {"algorithm", "ES256"}}}}}}}};
  { std::ofstream(dir + "/adapter.json") << cfg.dump(2) << "\n"; }
  auto rt = Runtime::Open(dir + "/adapter.json");
  if (!rt.ok()) {
    out << "demo: " << rt.status().message() << "\n";
    return 1;
  }
  auto host = api::ServiceHost::Start(rt->get(), {});
  if (!host.ok()) {
    out << "demo: " << host.status().message() << "\n";
    return 1;
  }
  const std::string api_url = (*host)->base_url();
  out << "  " << api_url << " (config " << dir << "/adapter.json)\n";
  auto http = fhir::MakeCpprestTransport({});
  if (!http.ok()) return 1;
  auto token = [&](const std::string& sub, const std::string& role, const std::string& org) {
    auto t = auth::IssueToken(*(*rt)->config.api.auth.token_issue, sub, {role}, {org}, 900,
                              std::chrono::system_clock::now());
    return t.ok() ? *t : std::string();
  };
  auto call = [&](fhir::HttpMethod method, const std::string& path, const std::string& bearer,
                  const std::string& body = "") -> fhir::HttpResponse {
    fhir::HttpRequest req;
    req.method = method;
    req.url = api_url + path;
    req.headers.Set("Authorization", "Bearer " + bearer);
    if (!body.empty()) req.headers.Set("Content-Type", "application/json");
    req.body = body;
    auto r = (*http)->Send(req);
    return r.ok() ? *r : fhir::HttpResponse{};
  };

  out << "\n4. The office system submits each record unsigned (POST /v1/sessions); each party then"
         " signs (POST /v1/sessions/{id}/signatures) and the agreed plan is queued (RS-8)\n";
  std::set<std::string> orgs;
  for (const auto& ex : examples) {
    auto text = mappings::ReadTextFile(ex.file);
    json record = json::parse(*text);
    const std::string org = ex.session.organisation, sid = ex.session.session_id;
    orgs.insert(org);
    record["signatures"] = json::array();
    auto r = call(fhir::HttpMethod::kPost, "/v1/sessions", token("office-1", "office-system", org), record.dump());
    out << "  " << sid << ": POST /v1/sessions -> " << r.status << " " << r.body << "\n";
    if (r.status != 201) return 1;
    if (ex.session.status != "held") continue;
    std::vector<std::pair<std::string, std::string>> parties = {{ex.session.supervisor.id, "supervisor"}};
    for (const auto& p : ex.session.supervisees) parties.push_back({p.id, "supervisee"});
    // The example that waits for a signature keeps waiting: its supervisee has not signed.
    const bool leave_unsigned = ex.session.signatures.size() < parties.size();
    for (const auto& [who, role] : parties) {
      const bool signed_in_example = std::any_of(ex.session.signatures.begin(), ex.session.signatures.end(),
                                                 [&](const mappings::Signature& s) { return s.by == who; });
      if (leave_unsigned && !signed_in_example) continue;
      auto s = call(fhir::HttpMethod::kPost, "/v1/sessions/" + sid + "/signatures?organisation=" + org,
                    token(who, role, org), "{}");
      if (s.status != 201 && s.status != 200) {
        out << "demo: signing " << sid << " as " << who << " -> " << s.status << " " << s.body << "\n";
        return 1;
      }
      auto j = json::parse(s.body, nullptr, false);
      out << "    signed by " << who << " (" << role << "): state " << (j.is_object() ? j.value("state", "") : "?")
          << ", plans queued " << (j.is_object() ? j.value("outboxRows", 0) : 0) << "\n";
    }
  }

  out << "\n5. Delivery in the background: each agreed plan goes to the EHR as one transaction Bundle\n";
  int delivered = 0, held = 0, failed = 0;
  for (int i = 0; i < 600; ++i) {  // up to 60 s
    auto s = (*rt)->db->Connect();
    if (!s.ok()) break;
    auto pending = (*s)->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE state = 'pending'");
    if (pending.ok() && !pending->empty()) {
      auto n = store::AsInt((*pending)[0][0]);
      if (n.ok() && *n == 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto rows = ListOutbox(*(*rt)->db);
  if (rows.ok()) {
    for (const auto& r : *rows) {
      const std::string state = r["state"].get<std::string>();
      delivered += state == "delivered";
      held += state == "held";
      failed += state == "dead" || state == "pending";
      out << "  plan " << r["plan"].get<std::string>() << " v" << r["version"] << ": " << state
          << (r["lastError"].is_null() ? "" : " — " + r["lastError"].get<std::string>()) << "\n";
    }
  }

  out << "\n6. Access rules at work (GET /v1/sessions/{id}/discussion, audited either way)\n";
  for (const auto& ex : examples) {
    if (ex.session.status != "held" || ex.session.supervisees.empty()) continue;
    const std::string org = ex.session.organisation, sid = ex.session.session_id;
    const std::string path = "/v1/sessions/" + sid + "/discussion?organisation=" + org;
    auto own = call(fhir::HttpMethod::kGet, path, token(ex.session.supervisees[0].id, "supervisee", org));
    auto other = call(fhir::HttpMethod::kGet, path, token("P-OTHER", "supervisee", org));
    auto office = call(fhir::HttpMethod::kGet, path, token("office-1", "office-system", org));
    out << "  " << sid << ": its supervisee " << own.status << ", another supervisee " << other.status
        << ", the office system " << office.status << "\n";
    break;
  }

  out << "\n7. The attendance register (GET /v1/register, RS-9) and compliance (GET /v1/compliance)\n";
  for (const auto& org : orgs) {
    const std::string lead = token("SG-LEAD", "safeguarding-lead", org);
    auto reg = call(fhir::HttpMethod::kGet, "/v1/register?from=2026-01-01&to=2028-01-01&organisation=" + org, lead);
    auto regj = json::parse(reg.body, nullptr, false);
    if (regj.is_object() && regj.contains("lines")) {
      for (const auto& l : regj["lines"]) {
        out << "  " << org << " " << l.value("sessionId", "") << ": " << l.value("type", "") << ", "
            << l.value("status", "") << ", " << l.value("state", "") << ", scheduled "
            << l.value("scheduledFor", "") << "\n";
      }
    }
    auto comp = call(fhir::HttpMethod::kGet, "/v1/compliance?from=2026-01-01&to=2028-01-01&organisation=" + org, lead);
    auto compj = json::parse(comp.body, nullptr, false);
    if (compj.is_object() && compj.contains("summary")) {
      int met = 0, missed = 0, unchecked = 0;
      for (const auto& row : compj["summary"]) {
        met += row.value("met", 0);
        missed += row.value("missed", 0);
        unchecked += row.value("notCheckable", 0);
      }
      out << "  " << org << " compliance: " << met << " met, " << missed << " missed, " << unchecked
          << " not checkable (no agreement recorded yet)\n";
    }
  }
  (*host)->Stop();
  auto& db = (*rt)->db;

  out << "\n8. Where the rest went (the store, as an auditor sees it)\n";
  auto session = db->Connect();
  if (session.ok()) {
    auto count = [&](const std::string& sql) -> long long {
      auto r = (*session)->Query(sql);
      if (!r.ok() || r->empty()) return -1;
      auto n = store::AsInt((*r)[0][0]);
      return n.ok() ? *n : -1;
    };
    out << "  attendance register: " << count("SELECT CAST(COUNT(*) AS BIGINT) FROM register WHERE superseded_by IS NULL")
        << " session(s) (" << count("SELECT CAST(COUNT(*) AS BIGINT) FROM register")
        << " versions), incl. cancelled and not yet agreed (RS-9)\n"
        << "  confidential store: " << count("SELECT CAST(COUNT(*) AS BIGINT) FROM confidential_records WHERE kind = 'discussion'")
        << " discussion form(s), " << count("SELECT CAST(COUNT(*) AS BIGINT) FROM confidential_records WHERE kind = 'practitioner'")
        << " practitioner record(s) over all versions (a signature makes a new version), each sealed under its own AES-256-GCM data key (RS-3, RS-7)\n";
    auto report = audit::Verify(**session);
    if (report.ok()) out << "  audit log: " << audit::RenderReport(*report) << " (RS-12)\n";
  }
  std::string db_bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(dir + "/adapter.db" + suffix, std::ios::binary);
    db_bytes += std::string(std::istreambuf_iterator<char>(in), {});
  }
  int at_rest = 0;
  for (const auto& ex : examples) {
    for (const auto& src : mappings::ConfidentialSources(ex.separation)) {
      if (db_bytes.find(src.text) != std::string::npos) ++at_rest;
    }
  }
  out << "  confidential texts readable in the database file and WAL: " << at_rest << "\n";

  out << "\n9. What clinicians now see in the EHR\n";
  auto tasks = (*ehr)->client().Search("Task", "_count=100");
  auto plans = (*ehr)->client().Search("CarePlan", "_count=100");
  if (tasks.ok() && plans.ok()) {
    out << "  " << plans->resources.size() << " CarePlan(s), " << tasks->resources.size() << " Task(s)\n";
    for (const auto& t : tasks->resources) {
      out << "  - [" << fhir::GetString(t, "status") << "] " << fhir::GetString(t, "description") << " — "
          << t["owner"].value("display", "") << ", due " << t["restriction"]["period"].value("end", "") << " ("
          << t["for"].value("reference", "") << ")\n";
    }
  }

  out << "\n10. Leak scan: every request the EHR received, against every confidential text\n";
  auto transport = fhir::MakeCpprestTransport({});
  int texts = 0, hits = 0;
  bool scanned = false;
  if (transport.ok()) {
    fhir::HttpRequest req;
    req.url = server.root() + "/$admin/requests";
    auto resp = (*transport)->Send(req);
    scanned = resp.ok() && resp->status == 200 && !resp->body.empty();
    std::string wire = scanned ? resp->body : "";
    for (const auto& ex : examples) {
      for (const auto& src : mappings::ConfidentialSources(ex.separation)) {
        ++texts;
        if (wire.find(json(src.text).dump().substr(1, json(src.text).dump().size() - 2)) != std::string::npos) ++hits;
      }
    }
    out << "  " << wire.size() << " bytes on the wire; " << texts << " confidential texts checked; " << hits
        << " found\n";
  }
  if (!scanned) out << "  the EHR's request log could not be read: the leak scan did NOT run\n";
  out << "\nSummary: " << examples.size() << " sessions separated, " << delivered << " plan(s) delivered, " << held
      << " held, " << failed << " failed; the discussion forms and practitioner notes stayed out of the EHR ("
      << (!scanned ? "NOT VERIFIED" : hits == 0 ? "verified" : "LEAK FOUND") << ").\n"
      << "State kept in " << dir << " (store, generated key, token issuer and configuration).\n";
  return scanned && hits == 0 && failed == 0 && at_rest == 0 ? 0 : 1;
}

}  // namespace sa::adapter
