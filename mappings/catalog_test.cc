#include "mappings/catalog.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include <unistd.h>

#include <gtest/gtest.h>

#include "mappings/embedded_data.h"
#include "mappings/strict_json.h"
#include "mappings/test_support.h"

namespace sa::mappings {
namespace {

using nlohmann::json;

// Every cite in a built-in file names one of the five policies' codes (or a rule default).
const std::regex kCite(R"((EPUT|SGSCB|CALDERDALE|CROYDON|HSCP)\b.*)");

void ExpectCitesEverywhere(const json& v, const std::string& ptr, const std::string& file) {
  if (v.is_object()) {
    if (v.contains("cite")) {
      ASSERT_TRUE(v["cite"].is_string()) << file << ptr;
      EXPECT_TRUE(std::regex_search(v["cite"].get<std::string>(), kCite)) << file << ptr << "/cite";
    }
    for (auto it = v.begin(); it != v.end(); ++it) ExpectCitesEverywhere(it.value(), ptr + "/" + it.key(), file);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) ExpectCitesEverywhere(v[i], ptr + "/" + std::to_string(i), file);
  }
}

TEST(CatalogTest, EveryBuiltInTemplateAndProfileLoads) {
  const Catalog& c = testing::BuiltInCatalog();
  std::vector<std::string> templates = {"apir", "calderdale-summary", "eput-discussion", "free",
                                        "reflective-framework", "sbar", "sgscb-recording",
                                        "strengthening-families"};
  EXPECT_EQ(c.TemplateNames(), templates);
  std::vector<std::string> profiles = {"CALDERDALE", "CROYDON", "EPUT", "HSCP", "SGSCB"};
  EXPECT_EQ(c.ProfileCodes(), profiles);
}

TEST(CatalogTest, TemplateKeysAreTheContractsKeys) {
  const Catalog& c = testing::BuiltInCatalog();
  std::map<std::string, std::vector<std::string>> contract = {
      {"sbar", {"situation", "background", "assessment", "recommendation"}},
      {"apir", {"assessment", "planning", "intervention", "review"}},
      {"reflective-framework", {"description", "feeling", "evaluation", "analysis", "conclusion", "actionPlan"}},
      {"strengthening-families", {"worriedAbout", "workingWell", "needsToHappen"}},
      {"eput-discussion", {"caseSummary", "voiceOfChild", "identity", "analysisOfNeed", "previousActionsReview"}},
      {"sgscb-recording", {"carriedForward", "caseloadManagement", "revisedTargets", "professionalJudgement"}},
      {"calderdale-summary", {"agendaItems", "summary", "carriedForward"}},
      {"free", {"notes"}},
  };
  for (const auto& [name, keys] : contract) {
    const Template* t = c.FindTemplate(name);
    ASSERT_NE(t, nullptr) << name;
    std::vector<std::string> got;
    for (const auto& f : t->fields) {
      got.push_back(f.key);
      EXPECT_FALSE(f.label.empty()) << name << "/" << f.key;
      // Contract: every discussion key goes to the confidential store only.
      EXPECT_EQ(f.home, Home::kConfidential) << name << "/" << f.key;
    }
    EXPECT_EQ(got, keys) << name;
  }
}

TEST(CatalogTest, EveryBuiltInValueCitesAPolicyClause) {
  for (const auto& f : EmbeddedDataFiles()) {
    json doc = json::parse(f.content);
    ExpectCitesEverywhere(doc, "", std::string(f.path));
  }
}

TEST(CatalogTest, DisclosureGroundsFollowEachPolicy) {
  const Catalog& c = testing::BuiltInCatalog();
  const Profile* eput = c.FindProfile("EPUT");
  const Profile* sgscb = c.FindProfile("SGSCB");
  ASSERT_TRUE(eput && sgscb);
  EXPECT_TRUE(eput->FindGround("practice-review"));
  EXPECT_TRUE(eput->FindGround("court-order"));
  EXPECT_TRUE(eput->FindGround("child-protection"));
  EXPECT_FALSE(eput->FindGround("audit"));
  EXPECT_FALSE(eput->FindGround("complaint"));
  for (const char* g : {"complaint", "audit", "investigation", "court-proceedings"}) {
    EXPECT_TRUE(sgscb->FindGround(g)) << g;
  }
  for (const auto& code : c.ProfileCodes()) {
    // RS-8 default: no built-in profile sends a plan before it is agreed.
    EXPECT_FALSE(c.FindProfile(code)->send_before_agreed) << code;
  }
  EXPECT_EQ(eput->max_minutes, 120);
  EXPECT_EQ(sgscb->urgent_within_hours, 24);
  EXPECT_TRUE(sgscb->rebook_immediately);
  EXPECT_EQ(c.FindProfile("HSCP")->agreement_within_days, 28);
}

class CatalogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sa-catalog-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "profiles");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  json EputAs(const std::string& code) {
    json p = json::parse(testing::SourceFile("mappings/data/profiles/EPUT.json"));
    p["code"] = code;
    return p;
  }
  std::filesystem::path dir_;
};

TEST_F(CatalogFileTest, OrganisationAddsItsOwnProfileWithoutRecompiling) {
  json p = EputAs("OUR-TRUST");
  p["ehr"]["sendBeforeAgreed"] = true;
  Write("profiles/our-trust.json", p.dump());
  auto c = Catalog::Load({{"EPUT", "profiles/our-trust.json"}, {}, dir_.string()});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_NE((*c)->FindProfile("OUR-TRUST"), nullptr);
  EXPECT_TRUE((*c)->FindProfile("OUR-TRUST")->send_before_agreed);
  EXPECT_EQ((*c)->FindProfile("SGSCB"), nullptr);  // only what the config enables
}

TEST_F(CatalogFileTest, BadProfileNamesFileAndKey) {
  json p = EputAs("BAD");
  p["disclosure"]["grounds"][0]["ground"] = "curiosity";
  p["sessionLength"].erase("maxMinutes");
  p["frequency"]["rules"][0].erase("cite");
  p["colour"] = "blue";
  Write("profiles/bad.json", p.dump());
  auto c = Catalog::Load({{"profiles/bad.json"}, {}, dir_.string()});
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  std::string file = (dir_ / "profiles/bad.json").string();
  EXPECT_NE(m.find(file + ": /disclosure/grounds/0/ground: must be one of"), std::string::npos) << m;
  EXPECT_NE(m.find(file + ": /sessionLength/maxMinutes: required"), std::string::npos) << m;
  EXPECT_NE(m.find(file + ": /frequency/rules/0/cite: required"), std::string::npos) << m;
  EXPECT_NE(m.find(file + ": /colour: unknown field"), std::string::npos) << m;
}

TEST_F(CatalogFileTest, ProfileNamingUnknownTemplateIsAStartupError) {
  json p = EputAs("X");
  p["templates"]["allowed"] = {"sbar", "soap"};
  Write("profiles/x.json", p.dump());
  auto c = Catalog::Load({{"profiles/x.json"}, {}, dir_.string()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/templates/allowed/1: not a known template"), std::string::npos);
}

TEST_F(CatalogFileTest, TemplateFieldWithoutClassIsRejected) {
  json t = json::parse(testing::SourceFile("mappings/data/templates/free.json"));
  t["name"] = "own-form";
  t["fields"][0].erase("class");
  Write("own-form.json", t.dump());
  auto c = Catalog::Load({{"EPUT"}, {"own-form.json"}, dir_.string()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("own-form.json: /fields/0/class: required"), std::string::npos)
      << c.status().message();
}

TEST_F(CatalogFileTest, UnknownBuiltInAndMissingFileAreErrors) {
  EXPECT_FALSE(Catalog::Load({{"NOPE"}, {}, dir_.string()}).ok());
  auto c = Catalog::Load({{"profiles/missing.json"}, {}, dir_.string()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("missing.json"), std::string::npos);
}

TEST_F(CatalogFileTest, DuplicateKeyInProfileFileIsRejected) {
  Write("profiles/dup.json", R"({"schema":"supervision-profile/1","code":"A","code":"B"})");
  auto c = Catalog::Load({{"profiles/dup.json"}, {}, dir_.string()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/code: duplicate key"), std::string::npos);
}

}  // namespace
}  // namespace sa::mappings
