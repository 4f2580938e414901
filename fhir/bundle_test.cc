#include "fhir/bundle.h"

#include <gtest/gtest.h>

namespace sa::fhir {
namespace {

Json Task(std::string_view id_value) {
  return Json{{"resourceType", "Task"},
              {"status", "requested"},
              {"intent", "order"},
              {"identifier", Json::array({ToJson(Identifier{"urn:task", std::string(id_value)})})}};
}

TEST(BundleBuilderTest, ConditionalUpdateAndCreateEntries) {
  BundleBuilder b(BundleType::kTransaction);
  Json plan{{"resourceType", "CarePlan"}, {"status", "active"}, {"intent", "plan"}};
  StatusOr<std::string> plan_url =
      b.AddConditionalCreate(plan, {"urn:plan", "P 1|x"}, "urn:uuid:11111111-1111-4111-8111-111111111111");
  ASSERT_TRUE(plan_url.ok()) << plan_url.status().ToString();
  Json task = Task("A&1");
  task["basedOn"] = Json::array({BundleReference(*plan_url)});
  StatusOr<std::string> task_url = b.AddConditionalUpdate(task, {"urn:task", "A&1"});
  ASSERT_TRUE(task_url.ok());
  EXPECT_EQ(task_url->rfind("urn:uuid:", 0), 0u);
  EXPECT_EQ(b.size(), 2u);

  Json bundle = b.Build();
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "transaction");
  const Json& e0 = bundle["entry"][0];
  EXPECT_EQ(e0["fullUrl"], "urn:uuid:11111111-1111-4111-8111-111111111111");
  EXPECT_EQ(e0["request"]["method"], "POST");
  EXPECT_EQ(e0["request"]["url"], "CarePlan");
  EXPECT_EQ(e0["request"]["ifNoneExist"], "identifier=urn%3Aplan%7CP%201%5C%7Cx");
  const Json& e1 = bundle["entry"][1];
  EXPECT_EQ(e1["request"]["method"], "PUT");
  EXPECT_EQ(e1["request"]["url"], "Task?identifier=urn%3Atask%7CA%261");
  EXPECT_EQ(e1["resource"]["basedOn"][0]["reference"], *plan_url);
}

TEST(BundleBuilderTest, BatchWithReadDeleteAndIfMatch) {
  BundleBuilder b(BundleType::kBatch);
  ASSERT_TRUE(b.AddRead("Task?identifier=urn%3Ax%7C1").ok());
  ASSERT_TRUE(b.AddDelete("Task/abc").ok());
  ASSERT_TRUE(b.AddUpdate(Task("1"), "Task/abc", "W/\"3\"").ok());
  Json bundle = b.Build();
  EXPECT_EQ(bundle["type"], "batch");
  EXPECT_EQ(bundle["entry"][0]["request"], Json({{"method", "GET"}, {"url", "Task?identifier=urn%3Ax%7C1"}}));
  EXPECT_EQ(bundle["entry"][1]["request"]["method"], "DELETE");
  EXPECT_EQ(bundle["entry"][2]["request"]["ifMatch"], "W/\"3\"");
}

TEST(BundleBuilderTest, RejectsBadEntries) {
  BundleBuilder b(BundleType::kTransaction);
  EXPECT_FALSE(b.AddCreate(Json{{"status", "x"}}).ok());                 // no resourceType
  EXPECT_FALSE(b.AddUpdate(Task("1"), "CarePlan/1").ok());               // type mismatch
  EXPECT_FALSE(b.AddUpdate(Task("1"), "Task/../../x").ok());             // bad id
  EXPECT_FALSE(b.AddUpdate(Task("1"), "Task?identifier=a b").ok());      // unencoded query
  EXPECT_FALSE(b.AddCreate(Task("1"), "", "http://not-a-urn").ok());     // fullUrl form
  EXPECT_FALSE(b.AddConditionalUpdate(Task("1"), {"", "v"}).ok());       // no system
  EXPECT_FALSE(b.AddRead("https://elsewhere/Task/1").ok());              // absolute url
  ASSERT_TRUE(b.AddCreate(Task("1"), "", "urn:uuid:a").ok());
  EXPECT_FALSE(b.AddCreate(Task("2"), "", "urn:uuid:a").ok());           // duplicate fullUrl
  EXPECT_EQ(b.size(), 1u);
}

TEST(BundleTest, ParseStatusLine) {
  EXPECT_EQ(*ParseStatusLine("201 Created"), 201);
  EXPECT_EQ(*ParseStatusLine("200"), 200);
  EXPECT_FALSE(ParseStatusLine("Created").ok());
  EXPECT_FALSE(ParseStatusLine("2010").ok());
  EXPECT_FALSE(ParseStatusLine("").ok());
}

TEST(BundleTest, ParseLocationHandlesRelativeAbsoluteAndHistory) {
  StatusOr<ResourceLocation> a = ParseLocation("Task/123/_history/2");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->type, "Task");
  EXPECT_EQ(a->id, "123");
  EXPECT_EQ(a->version, "2");
  StatusOr<ResourceLocation> b = ParseLocation("https://h/fhir/R4/CarePlan/abc");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, "CarePlan");
  EXPECT_EQ(b->id, "abc");
  EXPECT_EQ(b->version, "");
  EXPECT_FALSE(ParseLocation("https://h/fhir/").ok());
  EXPECT_FALSE(ParseLocation("Task/1/_history/").ok());
}

TEST(BundleTest, VersionFromETag) {
  EXPECT_EQ(VersionFromETag("W/\"3\""), "3");
  EXPECT_EQ(VersionFromETag("\"7\""), "7");
  EXPECT_EQ(VersionFromETag("nonsense"), "");
}

TEST(BundleTest, ReadTransactionResponseEntries) {
  Json response = R"({
    "resourceType": "Bundle", "type": "transaction-response",
    "entry": [
      {"response": {"status": "201 Created", "location": "CarePlan/p1/_history/1",
                    "etag": "W/\"1\"", "lastModified": "2024-01-01T00:00:00Z"}},
      {"resource": {"resourceType": "Task", "id": "t1"},
       "response": {"status": "200 OK", "location": "Task/t1/_history/4"}},
      {"response": {"status": "412 Precondition Failed",
                    "outcome": {"resourceType": "OperationOutcome",
                                "issue": [{"severity": "error", "code": "conflict"}]}}}
    ]})"_json;
  StatusOr<TransactionResponse> r = ReadTransactionResponse(response);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->type, BundleType::kTransaction);
  ASSERT_EQ(r->entries.size(), 3u);
  EXPECT_EQ(r->entries[0].status_code, 201);
  EXPECT_EQ(r->entries[0].location, "CarePlan/p1/_history/1");
  EXPECT_EQ(r->entries[0].etag, "W/\"1\"");
  EXPECT_EQ(r->entries[0].last_modified, "2024-01-01T00:00:00Z");
  EXPECT_FALSE(r->entries[0].resource.has_value());
  EXPECT_EQ((*r->entries[1].resource)["id"], "t1");
  EXPECT_FALSE(r->entries[2].ok());
  EXPECT_EQ((*r->entries[2].outcome)["issue"][0]["code"], "conflict");
  EXPECT_FALSE(r->AllOk());
}

TEST(BundleTest, ReadTransactionResponseRejectsOtherBundles) {
  EXPECT_FALSE(ReadTransactionResponse(R"({"resourceType":"Bundle","type":"searchset"})"_json).ok());
  EXPECT_FALSE(ReadTransactionResponse(R"({"resourceType":"Patient"})"_json).ok());
  EXPECT_FALSE(ReadTransactionResponse(
      R"({"resourceType":"Bundle","type":"batch-response","entry":[{"response":{}}]})"_json).ok());
  StatusOr<TransactionResponse> empty =
      ReadTransactionResponse(R"({"resourceType":"Bundle","type":"batch-response"})"_json);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->type, BundleType::kBatch);
  EXPECT_TRUE(empty->AllOk());
}

TEST(BundleTest, SearchsetLinksAndMatches) {
  Json page = R"({
    "resourceType": "Bundle", "type": "searchset",
    "link": [{"relation": "self", "url": "https://h/Task?x=1"},
             {"relation": "next", "url": "https://h/Task?x=1&page=2"}],
    "entry": [
      {"resource": {"resourceType": "Task", "id": "1"}, "search": {"mode": "match"}},
      {"resource": {"resourceType": "Patient", "id": "p"}, "search": {"mode": "include"}},
      {"resource": {"resourceType": "Task", "id": "2"}}
    ]})"_json;
  EXPECT_EQ(FindLink(page, "next"), "https://h/Task?x=1&page=2");
  EXPECT_EQ(FindLink(page, "previous"), std::nullopt);
  std::vector<Json> matches = SearchMatches(page);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0]["id"], "1");
  EXPECT_EQ(matches[1]["id"], "2");
}

}  // namespace
}  // namespace sa::fhir
