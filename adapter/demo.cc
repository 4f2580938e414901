#include "adapter/demo.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "adapter/audit/verify.h"
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

  out << "\n3. Intake into the embedded store (SQLite, WAL, synchronous=FULL): one transaction per session\n";
  // A fresh store and key for each demo run, under var/demo.
  const std::string dir = options.state_dir;
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  std::filesystem::create_directories(dir);
  auto kek = crypto::GenerateKekBase64();
  if (!kek.ok()) return 1;
  { std::ofstream(dir + "/kek.b64") << *kek << "\n"; }
  KeysConfig keys;
  keys.kek_file = dir + "/kek.b64";
  StoreConfig store_cfg;
  store_cfg.sqlite_path = dir + "/adapter.db";
  auto db = OpenStore(store_cfg);
  if (!db.ok()) {
    out << "demo: " << db.status().message() << "\n";
    return 1;
  }
  auto vault = Vault::Open(keys, **db);
  if (!vault.ok()) {
    out << "demo: " << vault.status().message() << "\n";
    return 1;
  }
  IntakeOptions intake_options;
  intake_options.mapping = config.mapping;
  IntakeService intake(db->get(), catalog->get(), vault->get(), intake_options);
  for (const auto& ex : examples) {
    auto text = mappings::ReadTextFile(ex.file);
    auto r = intake.Intake(*text, "demo-office-system");
    if (!r.ok()) {
      out << "demo: " << r.status().message() << "\n";
      return 1;
    }
    out << "  " << r->ToJson().dump() << "\n";
  }

  out << "\n4. Delivery: the outbox worker sends each agreed plan as one transaction Bundle\n";
  OutboxWorker worker(db->get(), &(*ehr)->client(), &config.mapping, catalog->get(), OutboxOptions{});
  auto stats = worker.RunUntilIdle();
  if (!stats.ok()) {
    out << "demo: " << stats.status().message() << "\n";
    return 1;
  }
  const int delivered = stats->delivered, held = stats->held, failed = stats->dead;
  auto rows = ListOutbox(**db);
  if (rows.ok()) {
    for (const auto& r : *rows) {
      out << "  plan " << r["plan"].get<std::string>() << " v" << r["version"] << ": " << r["state"].get<std::string>()
          << (r["lastError"].is_null() ? "" : " — " + r["lastError"].get<std::string>()) << "\n";
    }
  }

  out << "\n5. Where the rest went (the store, as an auditor sees it)\n";
  auto session = (*db)->Connect();
  if (session.ok()) {
    auto count = [&](const std::string& sql) -> long long {
      auto r = (*session)->Query(sql);
      if (!r.ok() || r->empty()) return -1;
      auto n = store::AsInt((*r)[0][0]);
      return n.ok() ? *n : -1;
    };
    out << "  attendance register: " << count("SELECT CAST(COUNT(*) AS BIGINT) FROM register")
        << " session(s), incl. cancelled and not yet agreed (RS-9)\n"
        << "  confidential store: " << count("SELECT CAST(COUNT(*) AS BIGINT) FROM confidential_records WHERE kind = 'discussion'")
        << " discussion form(s), " << count("SELECT CAST(COUNT(*) AS BIGINT) FROM confidential_records WHERE kind = 'practitioner'")
        << " practitioner record(s), each sealed under its own AES-256-GCM data key (RS-3, RS-7)\n";
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

  out << "\n6. What clinicians now see in the EHR\n";
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

  out << "\n7. Leak scan: every request the EHR received, against every confidential text\n";
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
      << "State kept in " << dir << " (store and generated key); the HTTP API (serve) is not built yet.\n";
  return scanned && hits == 0 && failed == 0 && at_rest == 0 ? 0 : 1;
}

}  // namespace sa::adapter
