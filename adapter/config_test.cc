#include "adapter/config.h"

#include <filesystem>
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

namespace sa::adapter {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sa-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& text) {
    std::ofstream(dir_ / "adapter.json") << text;
    return (dir_ / "adapter.json").string();
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigTest, ContractExampleLoadsAndResolvesPathsAgainstTheFile) {
  std::filesystem::create_directories(dir_ / "profiles");
  std::filesystem::copy(std::string(SA_SOURCE_DIR) + "/mappings/data/profiles/EPUT.json", dir_ / "profiles/our.json");
  {
    std::ifstream in(dir_ / "profiles/our.json");
    auto p = nlohmann::json::parse(in);
    p["code"] = "OUR-TRUST";
    std::ofstream(dir_ / "profiles/our.json") << p.dump();
  }
  auto c = LoadConfig(Write(R"({
    "profiles": ["EPUT", "SGSCB", "profiles/our.json"],
    "store": { "sqlite": "var/adapter.db" },
    "keys": { "kekFile": "var/kek.b64" },
    "fhir": { "baseUrl": "http://127.0.0.1:8103/fhir/R4", "auth": { "type": "none" } },
    "api": { "listen": "127.0.0.1:8080" } })"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c->store.sqlite_path, (dir_ / "var/adapter.db").string());
  EXPECT_EQ(*c->keys.kek_file, (dir_ / "var/kek.b64").string());
  EXPECT_EQ(c->fhir->base_url, "http://127.0.0.1:8103/fhir/R4");
  EXPECT_EQ(c->profiles.back(), (dir_ / "profiles/our.json").string());
}

TEST_F(ConfigTest, EveryBadKeyIsNamed) {
  mappings::FieldErrors errors;
  auto c = LoadConfig(Write(R"({
    "profiles": ["EPUT", 7],
    "store": { "sqlite": "a.db", "postgres": "host=x" },
    "keys": { "kek": "c2VjcmV0" },
    "fhir": { "baseUrl": "ftp://x", "auth": { "type": "bearer", "token": "abc" } },
    "colour": 1 })"), &errors);
  ASSERT_FALSE(c.ok());
  std::vector<std::string> pointers;
  for (const auto& e : errors.list()) pointers.push_back(e.pointer);
  for (const char* p : {"/profiles/1", "/store", "/keys/kek", "/keys", "/fhir/baseUrl", "/fhir/auth/token",
                        "/fhir/auth", "/colour"}) {
    EXPECT_NE(std::find(pointers.begin(), pointers.end(), p), pointers.end()) << p << "\n" << errors.Join();
  }
  // An inline secret is rejected, and its value is never echoed.
  EXPECT_EQ(c.status().message().find("c2VjcmV0"), std::string::npos);
  EXPECT_EQ(c.status().message().find("abc"), std::string::npos);
}

TEST_F(ConfigTest, BadProfileFileIsReportedWithFileAndKey) {
  mappings::FieldErrors errors;
  std::ofstream(dir_ / "bad.json") << R"({"schema":"supervision-profile/1","code":"X"})";
  auto c = LoadConfig(Write(R"({"profiles": ["bad.json"]})"), &errors);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bad.json: /templates: required"), std::string::npos) << c.status().message();
}

TEST_F(ConfigTest, SqliteBesideTheConfigIsTheDefaultStore) {
  auto c = LoadConfig(Write(R"({"profiles": ["EPUT"]})"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c->store.sqlite_path, (dir_ / "var/adapter.db").string());
}

TEST_F(ConfigTest, DeliverySettingsAreReadAndALeaseShorterThanASecondIsRefused) {
  auto c = LoadConfig(Write(R"({"delivery": {"batch": 4, "leaseMs": 30000, "maxAttempts": 3, "backoffBaseMs": 50}})"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->outbox.batch, 4);
  EXPECT_EQ(c->outbox.lease.count(), 30000);
  EXPECT_EQ(c->outbox.max_attempts, 3);
  mappings::FieldErrors errors;
  EXPECT_FALSE(LoadConfig(Write(R"({"delivery": {"leaseMs": 300}})"), &errors).ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.list()[0].pointer, "/delivery/leaseMs");
}

TEST_F(ConfigTest, PatientReferenceIsConditionalUnlessSearchIsChosenAndABadValueIsNamed) {
  using Mode = mappings::FhirMappingOptions::PatientReferenceMode;
  auto dflt = LoadConfig(Write(R"({"fhir": {"baseUrl": "http://127.0.0.1:8103/fhir/R4"}})"));
  ASSERT_TRUE(dflt.ok()) << dflt.status().ToString();
  EXPECT_EQ(dflt->fhir->mapping.patient_reference, Mode::kConditional);
  auto search =
      LoadConfig(Write(R"({"fhir": {"baseUrl": "http://x/fhir", "patientReference": "search"}})"));
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  EXPECT_EQ(search->fhir->mapping.patient_reference, Mode::kSearch);
  mappings::FieldErrors errors;
  EXPECT_FALSE(
      LoadConfig(Write(R"({"fhir": {"baseUrl": "http://x/fhir", "patientReference": "literal"}})"),
                 &errors)
          .ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.list()[0].pointer, "/fhir/patientReference");
  EXPECT_EQ(errors.list()[0].reason, "must be one of: conditional, search");
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  auto c = LoadConfig((dir_ / "nope.json").string());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sa::adapter
