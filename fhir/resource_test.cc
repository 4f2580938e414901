#include "fhir/resource.h"

#include <gtest/gtest.h>

#include <set>

#include "fhir/url.h"

namespace sa::fhir {
namespace {

constexpr char kNhs[] = "https://fhir.nhs.uk/Id/nhs-number";

TEST(ResourceTest, ParseJsonReturnsErrorInsteadOfThrowing) {
  EXPECT_TRUE(ParseJson(R"({"a":1})").ok());
  StatusOr<Json> bad = ParseJson("{not json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ResourceTest, GetStringNeverThrowsOnWrongTypes) {
  Json j{{"s", "x"}, {"n", 5}};
  EXPECT_EQ(GetString(j, "s"), "x");
  EXPECT_EQ(GetString(j, "n"), "");
  EXPECT_EQ(GetString(j, "missing"), "");
  EXPECT_EQ(GetString(Json::array(), "s"), "");
}

TEST(ResourceTest, ValidatesTypesAndIds) {
  EXPECT_TRUE(IsValidResourceType("CarePlan"));
  EXPECT_FALSE(IsValidResourceType("carePlan"));
  EXPECT_FALSE(IsValidResourceType("Task/1"));
  EXPECT_TRUE(IsValidId("abc-1.2"));
  EXPECT_FALSE(IsValidId("../x"));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidId(""));
}

TEST(ResourceTest, IdentifierRoundTripsAndIsFoundBySystem) {
  Identifier id{kNhs, "9000000009"};
  Json j = ToJson(id);
  EXPECT_EQ(j, Json({{"system", kNhs}, {"value", "9000000009"}}));
  EXPECT_EQ(*ReadIdentifier(j), id);
  EXPECT_FALSE(ReadIdentifier(Json{{"system", kNhs}}).ok());
  EXPECT_FALSE(ReadIdentifier(Json{{"system", kNhs}, {"value", 9}}).ok());

  Json patient{{"resourceType", "Patient"},
               {"identifier", Json::array({ToJson(Identifier{"urn:other", "x"}), j})}};
  EXPECT_EQ(FindIdentifierValue(patient, kNhs), "9000000009");
  EXPECT_EQ(FindIdentifierValue(patient, "urn:none"), std::nullopt);
}

TEST(ResourceTest, CodingAndCodeableConcept) {
  Json cc = CodeableConcept({{"http://snomed.info/sct", "123", "Thing"}, {"urn:s", "x", ""}},
                            "text here");
  EXPECT_EQ(cc["coding"][0]["display"], "Thing");
  EXPECT_FALSE(cc["coding"][1].contains("display"));
  EXPECT_EQ(cc["text"], "text here");
  EXPECT_TRUE(HasCoding(cc, "urn:s", "x"));
  EXPECT_FALSE(HasCoding(cc, "urn:s", "y"));
  EXPECT_FALSE(CodeableConcept({}).contains("text"));
}

TEST(ResourceTest, ReferencesLiteralLogicalAndBundle) {
  EXPECT_EQ(LiteralReference("Patient", "123"), Json({{"reference", "Patient/123"}}));
  Json logical = LogicalReference("Practitioner", {"urn:staff", "S1"}, "Dr A");
  EXPECT_EQ(logical["type"], "Practitioner");
  EXPECT_EQ(logical["identifier"]["value"], "S1");
  EXPECT_EQ(logical["display"], "Dr A");
  EXPECT_FALSE(logical.contains("reference"));
  EXPECT_EQ(BundleReference("urn:uuid:1")["reference"], "urn:uuid:1");
}

TEST(ResourceTest, AddProfileOnceAndOnlyWhenConfigured) {
  Json task{{"resourceType", "Task"}};
  AddProfile(task, "");
  EXPECT_FALSE(task.contains("meta"));
  AddProfile(task, "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Task");
  AddProfile(task, "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Task");
  EXPECT_EQ(Profiles(task),
            std::vector<std::string>{"https://fhir.hl7.org.uk/StructureDefinition/UKCore-Task"});
}

TEST(ResourceTest, IdentifierQueryEncodesSystemAndValue) {
  EXPECT_EQ(IdentifierQuery(kNhs, "9000000009"),
            "identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9000000009");
  // Special characters in the value cannot change the query's meaning.
  std::string q = IdentifierQuery("urn:s", "a&b=c|d,e$f\\g h");
  EXPECT_EQ(q.find('&'), std::string::npos);
  EXPECT_EQ(q.find(' '), std::string::npos);
  EXPECT_EQ(*PercentDecode(q.substr(std::string("identifier=").size())),
            "urn:s|a&b=c\\|d\\,e\\$f\\\\g h");
}

TEST(ResourceTest, ConditionalUrlNamesTypeAndIdentifier) {
  EXPECT_EQ(ConditionalUrl("Task", {"https://example.org/task-id", "S1/A 2"}),
            "Task?identifier=https%3A%2F%2Fexample.org%2Ftask-id%7CS1%2FA%202");
}

TEST(ResourceTest, NewUuidUrnIsVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuidUrn();
    ASSERT_EQ(u.size(), 45u);
    ASSERT_EQ(u.rfind("urn:uuid:", 0), 0u);
    EXPECT_EQ(u[9 + 14], '4');
    EXPECT_TRUE(std::string("89ab").find(u[9 + 19]) != std::string::npos);
    EXPECT_TRUE(seen.insert(u).second);
  }
}

}  // namespace
}  // namespace sa::fhir
