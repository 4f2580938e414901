#include "mappings/fhir_plan.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "mappings/separation.h"
#include "mappings/session_parser.h"
#include "mappings/test_support.h"

namespace sa::mappings {
namespace {

using nlohmann::json;

struct Mapped {
  Separation sep;
  Session session;
};

Mapped SeparateFile(const std::string& rel) {
  SessionParse p = ParseSession(testing::SourceFile(rel), testing::BuiltInCatalog());
  EXPECT_TRUE(p.ok) << rel;
  auto s = Separate(p.session, p.document, testing::BuiltInCatalog());
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return {*s, p.session};
}

PlanInput InputFor(const Mapped& m, std::size_t case_index) {
  PlanInput in;
  in.organisation = m.session.organisation;
  in.session_id = m.session.session_id;
  in.created = *m.session.held_at;
  in.recorded = "2026-11-21T09:00:00Z";
  in.supervisor = m.session.supervisor;
  in.ehr = m.sep.cases[case_index].ehr;
  in.patient_id = "pat-1";
  return in;
}

std::vector<json> OfType(const json& bundle, const std::string& type) {
  std::vector<json> out;
  for (const auto& e : bundle["entry"]) {
    if (e["resource"]["resourceType"] == type) out.push_back(e);
  }
  return out;
}

// Replaces the random urn:uuid values with stable placeholders, in order of appearance.
std::string Normalise(const json& bundle) {
  std::string text = bundle.dump(2);
  static const std::regex kUuid("urn:uuid:[0-9a-f-]{36}");
  std::map<std::string, std::string> names;
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kUuid);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    std::string u = it->str();
    if (!names.count(u)) names[u] = "urn:uuid:ENTRY-" + std::to_string(names.size() + 1);
    out += text.substr(last, it->position() - last) + names[u];
    last = it->position() + it->length();
  }
  return out + text.substr(last) + "\n";
}

TEST(FhirPlanTest, OneCarePlanOneTaskPerActionAndAProvenance) {
  Mapped m = SeparateFile("tests/data/valid-eput-sbar.json");
  FhirMappingOptions o;
  auto b = BuildPlanBundle(InputFor(m, 0), o, LeakGuard(ConfidentialSources(m.sep)));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)["type"], "transaction");
  auto plans = OfType(*b, "CarePlan");
  auto tasks = OfType(*b, "Task");
  ASSERT_EQ(plans.size(), 1u);
  ASSERT_EQ(tasks.size(), 2u);
  ASSERT_EQ(OfType(*b, "Provenance").size(), 1u);
  const json& cp = plans[0]["resource"];
  EXPECT_EQ(cp["status"], "active");
  EXPECT_EQ(cp["intent"], "plan");
  EXPECT_EQ(cp["title"], o.title);
  EXPECT_EQ(cp["subject"]["reference"], "Patient/pat-1");
  EXPECT_EQ(cp["subject"]["identifier"]["value"], "9434765919");
  EXPECT_EQ(cp["activity"].size(), 2u);
  // On a child protection plan: the SNOMED code is in the categories.
  EXPECT_TRUE(fhir::HasCoding(cp["category"][1], "http://snomed.info/sct", "342191000000101"));
  // Conditional update on the business identifier: the idempotent write.
  EXPECT_EQ(plans[0]["request"]["method"], "PUT");
  EXPECT_EQ(plans[0]["request"]["url"].get<std::string>().rfind("CarePlan?identifier=", 0), 0u);
  EXPECT_EQ(cp["identifier"][0]["value"], "EPUT/S-2026-0001/C1");
  const json& t = tasks[0]["resource"];
  EXPECT_EQ(t["status"], "requested");
  EXPECT_EQ(t["intent"], "plan");
  EXPECT_EQ(t["description"], "Home visit to review safe sleeping arrangements");
  EXPECT_EQ(t["restriction"]["period"]["end"], "2026-12-04");
  EXPECT_EQ(t["owner"]["identifier"]["value"], "P-20");
  EXPECT_EQ(t["basedOn"][0]["reference"], plans[0]["fullUrl"]);
  EXPECT_EQ(t["identifier"][0]["value"], "EPUT/S-2026-0001/A1");
  EXPECT_EQ(tasks[0]["request"]["url"].get<std::string>().rfind("Task?identifier=", 0), 0u);
}

TEST(FhirPlanTest, NoPatientIdMeansAConditionalReferenceTheServerResolves) {
  Mapped m = SeparateFile("tests/data/valid-eput-sbar.json");
  PlanInput in = InputFor(m, 0);
  in.patient_id.clear();
  FhirMappingOptions o;
  o.nhs_number_system = "https://x.example/Id/nhs|number";  // escaped, then percent-encoded
  auto b = BuildPlanBundle(in, o, LeakGuard({}));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  const std::string want =
      "Patient?identifier=https%3A%2F%2Fx.example%2FId%2Fnhs%5C%7Cnumber%7C9434765919";
  EXPECT_EQ(PatientConditionalReference(o, "9434765919"), want);
  EXPECT_EQ(want, "Patient?" + PatientQuery(o, "9434765919"));
  const json subject = OfType(*b, "CarePlan")[0]["resource"]["subject"];
  EXPECT_EQ(subject["reference"], want);
  EXPECT_EQ(subject["identifier"],
            json({{"system", o.nhs_number_system}, {"value", "9434765919"}}));
  for (const auto& t : OfType(*b, "Task")) EXPECT_EQ(t["resource"]["for"], subject);
  // A patient id that is set must still be a FHIR id.
  in.patient_id = "not an id!";
  EXPECT_EQ(BuildPlanBundle(in, o, LeakGuard({})).status().code(), StatusCode::kInvalidArgument);
}

TEST(FhirPlanTest, Rs2_NoConfidentialTextInAnyBundleOfTheExamples) {
  for (const char* f : {"config/examples/eput-one-to-one.json", "config/examples/sgscb-group.json",
                        "config/examples/calderdale-adult-sbar.json", "config/examples/hscp-urgent.json",
                        "config/examples/croydon-ad-hoc.json", "config/examples/calderdale-strengthening-families.json"}) {
    Mapped m = SeparateFile(f);
    std::vector<LeakSource> sources = ConfidentialSources(m.sep);
    for (std::size_t i = 0; i < m.sep.cases.size(); ++i) {
      if (!m.sep.cases[i].HasActionsToSend()) continue;
      auto b = BuildPlanBundle(InputFor(m, i), {}, LeakGuard(sources));
      ASSERT_TRUE(b.ok()) << f << ": " << b.status().ToString();
      std::string wire = b->dump();
      for (const auto& s : sources) {
        EXPECT_EQ(wire.find(s.text), std::string::npos) << f << " leaks " << s.pointer;
      }
      EXPECT_EQ(OfType(*b, "Task").size(), m.sep.cases[i].ehr["actions"].size()) << f;
    }
  }
}

TEST(FhirPlanTest, Rs2_GuardRefusesABundleCarryingConfidentialText) {
  Mapped m = SeparateFile("tests/data/valid-eput-sbar.json");
  PlanInput in = InputFor(m, 0);
  // Simulate a mapping bug: confidential text smuggled into the EHR input.
  in.ehr["actions"][0]["what"] = m.sep.confidential["cases"][0]["discussion"]["assessment"];
  auto b = BuildPlanBundle(in, {}, LeakGuard(ConfidentialSources(m.sep)));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(b.status().message().find("/cases/0/discussion/assessment"), std::string::npos);
}

TEST(FhirPlanTest, SameInputGivesTheSameConditionalWrites) {
  Mapped m = SeparateFile("tests/data/valid-eput-sbar.json");
  auto a = BuildPlanBundle(InputFor(m, 0), {}, LeakGuard({}));
  auto b = BuildPlanBundle(InputFor(m, 0), {}, LeakGuard({}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Normalise(*a), Normalise(*b));
}

TEST(FhirPlanTest, RemovedActionIsCancelledAndRevocationCancelsEverything) {
  Mapped m = SeparateFile("tests/data/valid-eput-sbar.json");
  PlanInput in = InputFor(m, 0);
  in.version = 2;
  in.removed_actions = json::array({in.ehr["actions"][1]});
  in.ehr["actions"].erase(1);
  auto b = BuildPlanBundle(in, {}, LeakGuard({}));
  ASSERT_TRUE(b.ok());
  auto tasks = OfType(*b, "Task");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0]["resource"]["status"], "requested");
  EXPECT_EQ(tasks[1]["resource"]["status"], "cancelled");
  EXPECT_EQ(tasks[1]["resource"]["identifier"][0]["value"], "EPUT/S-2026-0001/A2");
  EXPECT_EQ(OfType(*b, "CarePlan")[0]["resource"]["activity"].size(), 1u);

  PlanInput revoke = InputFor(m, 0);
  revoke.revoke = true;
  auto r = BuildPlanBundle(revoke, {}, LeakGuard({}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(OfType(*r, "CarePlan")[0]["resource"]["status"], "revoked");
  for (const auto& t : OfType(*r, "Task")) EXPECT_EQ(t["resource"]["status"], "cancelled");
  // Different plan versions get different Provenance keys; nothing is deleted.
  for (const auto& e : (*r)["entry"]) EXPECT_NE(e["request"]["method"], "DELETE");
}

TEST(FhirPlanTest, StatusesCliniciansSetInTheEhrAreKept) {
  EXPECT_EQ(EhrOwnedStatus("completed", false), "completed");
  EXPECT_EQ(EhrOwnedStatus("completed", true), "completed");  // a done Task is never cancelled afterwards
  EXPECT_EQ(EhrOwnedStatus("in-progress", false), "in-progress");
  EXPECT_EQ(EhrOwnedStatus("in-progress", true), std::nullopt);  // the adapter cancels
  EXPECT_EQ(EhrOwnedStatus("requested", false), std::nullopt);
  EXPECT_EQ(EhrOwnedStatus("", false), std::nullopt);

  Mapped m = SeparateFile("tests/data/valid-eput-sbar.json");
  PlanInput in = InputFor(m, 0);
  in.existing_tasks["EPUT/S-2026-0001/A1"] = {{"status", "completed"}, {"businessStatus", {{"text", "visit done"}}}};
  auto b = BuildPlanBundle(in, {}, LeakGuard({}));
  ASSERT_TRUE(b.ok());
  auto tasks = OfType(*b, "Task");
  EXPECT_EQ(tasks[0]["resource"]["status"], "completed");
  EXPECT_EQ(tasks[0]["resource"]["businessStatus"]["text"], "visit done");
  EXPECT_EQ(tasks[1]["resource"]["status"], "requested");
}

TEST(FhirPlanTest, ProfilesAreSetOnlyWhenConfigured) {
  Mapped m = SeparateFile("tests/data/valid-eput-sbar.json");
  auto plain = BuildPlanBundle(InputFor(m, 0), {}, LeakGuard({}));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(OfType(*plain, "CarePlan")[0]["resource"].contains("meta"));
  FhirMappingOptions o;
  o.care_plan_profile = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-CarePlan";
  o.task_profile = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Task";
  auto uk = BuildPlanBundle(InputFor(m, 0), o, LeakGuard({}));
  ASSERT_TRUE(uk.ok());
  EXPECT_EQ(OfType(*uk, "CarePlan")[0]["resource"]["meta"]["profile"][0], o.care_plan_profile);
  EXPECT_EQ(OfType(*uk, "Task")[0]["resource"]["meta"]["profile"][0], o.task_profile);
}

// Golden files (reviewed by eye): set SA_UPDATE_GOLDEN=1 to rewrite them.
TEST(FhirPlanGoldenTest, ExampleSessionsMatchTheirGoldenBundles) {
  // One per template and session kind: eput-discussion, sgscb-recording (group),
  // sbar, apir (urgent), free (ad hoc), strengthening-families (case
  // conference), reflective-framework (peer), calderdale-summary.
  for (const char* name : {"eput-one-to-one", "sgscb-group", "calderdale-adult-sbar", "hscp-urgent", "croydon-ad-hoc",
                           "calderdale-strengthening-families", "calderdale-reflective-peer", "calderdale-summary"}) {
    Mapped m = SeparateFile(std::string("config/examples/") + name + ".json");
    for (std::size_t i = 0; i < m.sep.cases.size(); ++i) {
      if (!m.sep.cases[i].HasActionsToSend()) continue;
      auto b = BuildPlanBundle(InputFor(m, i), {}, LeakGuard(ConfidentialSources(m.sep)));
      ASSERT_TRUE(b.ok());
      std::string path = std::string(SA_SOURCE_DIR) + "/tests/golden/" + name + "." + m.sep.cases[i].case_ref + ".bundle.json";
      std::string got = Normalise(*b);
      if (std::getenv("SA_UPDATE_GOLDEN")) {
        std::ofstream(path) << got;
        continue;
      }
      auto want = ReadTextFile(path);
      ASSERT_TRUE(want.ok()) << path << " missing; run with SA_UPDATE_GOLDEN=1 and review it";
      EXPECT_EQ(got, *want) << path;
    }
  }
}

}  // namespace
}  // namespace sa::mappings
