#include "fhir/capability.h"

#include <gtest/gtest.h>

namespace sa::fhir {
namespace {

Json Statement() {
  return R"({
    "resourceType": "CapabilityStatement",
    "fhirVersion": "4.0.1",
    "software": {"name": "TestServer", "version": "1.2"},
    "rest": [{
      "mode": "server",
      "security": {"extension": [{
        "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
        "extension": [{"url": "token", "valueUri": "https://auth.example/token"}]}]},
      "interaction": [{"code": "transaction"}, {"code": "history-system"}],
      "searchParam": [{"name": "_id", "type": "token"}],
      "resource": [
        {"type": "Task",
         "interaction": [{"code": "read"}, {"code": "create"}, {"code": "update"},
                         {"code": "search-type"}],
         "conditionalCreate": true, "conditionalUpdate": true, "conditionalDelete": "single",
         "supportedProfile": ["https://example.org/Task"],
         "searchParam": [{"name": "identifier", "type": "token"}]},
        {"type": "CarePlan",
         "interaction": [{"code": "read"}, {"code": "create"}],
         "conditionalCreate": true, "conditionalUpdate": true},
        {"type": "Patient",
         "interaction": [{"code": "read"}],
         "searchParam": [{"name": "identifier", "type": "token"}]}
      ]}]
  })"_json;
}

TEST(CapabilityTest, ParsesVersionSystemInteractionsAndSmartToken) {
  StatusOr<Capabilities> caps = ParseCapabilityStatement(Statement());
  ASSERT_TRUE(caps.ok()) << caps.status().ToString();
  EXPECT_EQ(caps->fhir_version, "4.0.1");
  EXPECT_TRUE(caps->IsR4());
  EXPECT_EQ(caps->software, "TestServer 1.2");
  EXPECT_TRUE(caps->transaction);
  EXPECT_FALSE(caps->batch);
  EXPECT_EQ(caps->smart_token_url, "https://auth.example/token");
  EXPECT_EQ(caps->resources.at("Task").conditional_delete, "single");
  EXPECT_EQ(caps->resources.at("Task").supported_profiles[0], "https://example.org/Task");
}

TEST(CapabilityTest, ConditionalWritesNeedTheFlagAndTheInteraction) {
  Capabilities caps = *ParseCapabilityStatement(Statement());
  EXPECT_TRUE(caps.SupportsConditionalUpdate("Task"));
  EXPECT_TRUE(caps.SupportsConditionalCreate("Task"));
  // CarePlan declares conditionalUpdate but not the update interaction.
  EXPECT_FALSE(caps.SupportsConditionalUpdate("CarePlan"));
  EXPECT_TRUE(caps.SupportsConditionalCreate("CarePlan"));
  EXPECT_FALSE(caps.SupportsConditionalUpdate("Observation"));
}

TEST(CapabilityTest, SearchParamsIncludeSystemWideOnesAndNeedSearchType) {
  Capabilities caps = *ParseCapabilityStatement(Statement());
  EXPECT_TRUE(caps.SupportsSearchParam("Task", "identifier"));
  EXPECT_TRUE(caps.SupportsSearchParam("Task", "_id"));
  EXPECT_FALSE(caps.SupportsSearchParam("Task", "owner"));
  // Patient lists the parameter but not the search-type interaction.
  EXPECT_FALSE(caps.SupportsSearchParam("Patient", "identifier"));
}

TEST(CapabilityTest, FindGapsListsEveryMissingRequirement) {
  Capabilities caps = *ParseCapabilityStatement(Statement());
  CapabilityRequirements req;
  req.transaction = true;
  req.types = {{"Task", true, true, {"identifier"}},
               {"CarePlan", false, true, {}},
               {"Patient", false, false, {"identifier"}},
               {"Provenance", true, false, {}}};
  std::vector<std::string> gaps = FindCapabilityGaps(caps, req);
  EXPECT_EQ(gaps, (std::vector<std::string>{"CarePlan: no conditional update",
                                            "Patient: no search by 'identifier'",
                                            "Provenance: resource type not supported"}));
  caps.fhir_version = "5.0.0";
  caps.transaction = false;
  gaps = FindCapabilityGaps(caps, CapabilityRequirements{true, true, {}});
  EXPECT_EQ(gaps.size(), 2u);
}

TEST(CapabilityTest, RejectsNonStatementsAndClientOnly) {
  EXPECT_FALSE(ParseCapabilityStatement(Json{{"resourceType", "Bundle"}}).ok());
  EXPECT_FALSE(ParseCapabilityStatement(R"({"resourceType":"CapabilityStatement",
      "rest":[{"mode":"client"}]})"_json).ok());
}

}  // namespace
}  // namespace sa::fhir
