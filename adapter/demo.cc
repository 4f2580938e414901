#include "adapter/demo.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "adapter/config.h"
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

  out << "\n3. Delivering agreed plans: one transaction Bundle per case (CarePlan + one Task per action)\n";
  int delivered = 0, held = 0;
  for (const auto& ex : examples) {
    if (!ex.separation.release_to_ehr) {
      if (ex.separation.agreement.applicable) {
        out << "  " << ex.session.session_id << ": not sent — " << ex.separation.release_reason << "\n";
      }
      continue;
    }
    mappings::LeakGuard guard(mappings::ConfidentialSources(ex.separation));
    for (const auto& in : PlanInputs(ex.session, ex.separation, 1, ex.session.held_at.value_or(ex.session.scheduled_for))) {
      DeliveryOutcome o = DeliverCasePlan((*ehr)->client(), in, config.mapping, guard, false);
      out << "  " << ex.session.session_id << " case " << in.ehr["caseRef"].get<std::string>() << ": "
          << OutcomeName(o.kind) << (o.kind == DeliveryOutcome::Kind::kDelivered ? " (" + std::to_string(o.tasks) + " Task(s) for Patient/" + o.patient_id + ")" : " — " + o.reason)
          << "\n";
      (o.kind == DeliveryOutcome::Kind::kDelivered ? delivered : held)++;
    }
    for (const auto& c : ex.separation.cases) {
      for (const auto& h : c.held) out << "  " << ex.session.session_id << " " << h.pointer << ": HELD — " << h.reason << "\n";
    }
  }

  out << "\n4. What clinicians now see in the EHR\n";
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

  out << "\n5. Leak scan: every request the EHR received, against every confidential text\n";
  auto transport = fhir::MakeCpprestTransport({});
  int texts = 0, hits = 0;
  if (transport.ok()) {
    fhir::HttpRequest req;
    req.url = server.root() + "/$admin/requests";
    auto resp = (*transport)->Send(req);
    std::string wire = resp.ok() ? resp->body : "";
    for (const auto& ex : examples) {
      for (const auto& src : mappings::ConfidentialSources(ex.separation)) {
        ++texts;
        if (wire.find(json(src.text).dump().substr(1, json(src.text).dump().size() - 2)) != std::string::npos) ++hits;
      }
    }
    out << "  " << wire.size() << " bytes on the wire; " << texts << " confidential texts checked; " << hits
        << " found\n";
  }
  out << "\nSummary: " << examples.size() << " sessions separated, " << delivered << " plan(s) delivered, " << held
      << " held; the discussion forms and practitioner notes stayed out of the EHR ("
      << (hits == 0 ? "verified" : "LEAK FOUND") << ").\n"
      << "Not yet in this build: the encrypted confidential store, outbox and audit log (next issue).\n";
  return hits == 0 ? 0 : 1;
}

}  // namespace sa::adapter
