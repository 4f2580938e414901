#include "adapter/explain.h"

#include <gtest/gtest.h>

#include "mappings/catalog.h"

namespace sa::adapter {
namespace {

const mappings::Catalog& Cat() {
  static auto c = *mappings::Catalog::Load({});
  return *c;
}

std::string Example(const std::string& name) {
  return *mappings::ReadTextFile(std::string(SA_SOURCE_DIR) + "/" + name);
}

TEST(ExplainTest, EveryFieldHasAHomeRuleAndClause) {
  ExplainReport r = Explain(Example("tests/data/valid-eput-sbar.json"), Cat(), 1 << 20);
  ASSERT_TRUE(r.valid) << r.json.dump(2);
  ASSERT_FALSE(r.json["fields"].empty());
  for (const auto& f : r.json["fields"]) {
    EXPECT_FALSE(f["home"].get<std::string>().empty());
    EXPECT_EQ(f["rule"].get<std::string>().rfind("RS-", 0), 0u) << f.dump();
    EXPECT_FALSE(f["cite"].get<std::string>().empty());
  }
  EXPECT_EQ(r.json["counts"]["confidential"], 4);
  EXPECT_TRUE(r.json["ehrRelease"]["now"].get<bool>());
}

TEST(ExplainTest, NeverPrintsFieldValues) {
  std::string record = Example("tests/data/valid-eput-sbar.json");
  auto doc = nlohmann::json::parse(record);
  doc["cases"][0]["discussion"]["assessment"] = "CANARY-explain-55 secret analysis";
  doc["practitioner"]["support"] = "CANARY-explain-56 support";
  ExplainReport r = Explain(doc.dump(), Cat(), 1 << 20);
  ASSERT_TRUE(r.valid);
  EXPECT_EQ(r.json.dump().find("CANARY"), std::string::npos);
  EXPECT_EQ(RenderExplainText(r).find("CANARY"), std::string::npos);
}

TEST(ExplainTest, BadRecordListsEveryPointer) {
  auto doc = nlohmann::json::parse(Example("tests/data/valid-eput-sbar.json"));
  doc["cases"][0]["actions"][1].erase("due");
  doc["durationMinutes"] = "long";
  ExplainReport r = Explain(doc.dump(), Cat(), 1 << 20);
  ASSERT_FALSE(r.valid);
  std::string text = RenderExplainText(r);
  EXPECT_NE(text.find("/cases/0/actions/1/due: required"), std::string::npos) << text;
  EXPECT_NE(text.find("/durationMinutes: must be an integer"), std::string::npos) << text;
}

TEST(ExplainTest, ConfiguredRecordSizeLimitApplies) {
  ExplainReport r = Explain(Example("tests/data/valid-eput-sbar.json"), Cat(), 100);
  ASSERT_FALSE(r.valid);
  EXPECT_NE(r.json["errors"][0]["reason"].get<std::string>().find("the limit is 100"), std::string::npos);
}

}  // namespace
}  // namespace sa::adapter
