#include "fhir/operation_outcome.h"

#include <gtest/gtest.h>

namespace sa::fhir {
namespace {

constexpr char kSecret[] = "child disclosed SECRET-PAYLOAD at school";

Json OutcomeWithPayload() {
  // A server quoting the payload after a long preamble: the quote starts past
  // the diagnostics limit.
  std::string long_diag = "Resource failed validation: " + std::string(250, '.') + kSecret;
  return Json{
      {"resourceType", "OperationOutcome"},
      {"text", {{"status", "generated"}, {"div", std::string("<div>") + kSecret + "</div>"}}},
      {"issue",
       Json::array({
           {{"severity", "error"},
            {"code", "invalid"},
            {"details",
             {{"text", kSecret},
              {"coding", Json::array({{{"system", "http://hl7.org/fhir/ValueSet/issue-type"},
                                       {"code", "MSG_BAD"}}})}}},
            {"diagnostics", long_diag},
            {"expression", Json::array({"Task.description", "Task.where(note='" +
                                                                 std::string(kSecret) + "')"})}},
           {{"severity", "warning"},
            {"code", "required"},
            {"location", Json::array({"Task.intent"})}},
       })}};
}

TEST(OperationOutcomeTest, ParsesIssues) {
  StatusOr<std::vector<OutcomeIssue>> issues = ParseOperationOutcome(OutcomeWithPayload());
  ASSERT_TRUE(issues.ok());
  ASSERT_EQ(issues->size(), 2u);
  const OutcomeIssue& first = (*issues)[0];
  EXPECT_EQ(first.severity, "error");
  EXPECT_EQ(first.code, "invalid");
  EXPECT_EQ(first.details_text, kSecret);
  EXPECT_EQ(first.detail_codes,
            std::vector<std::string>{"http://hl7.org/fhir/ValueSet/issue-type|MSG_BAD"});
  EXPECT_EQ(first.expression.size(), 2u);
  EXPECT_EQ((*issues)[1].location, std::vector<std::string>{"Task.intent"});
  EXPECT_TRUE(HasErrors(*issues));
  EXPECT_FALSE(HasErrors({(*issues)[1]}));
}

TEST(OperationOutcomeTest, RejectsOtherResources) {
  EXPECT_FALSE(ParseOperationOutcome(Json{{"resourceType", "Task"}}).ok());
  EXPECT_FALSE(ParseOperationOutcome(Json::array()).ok());
}

TEST(OperationOutcomeTest, RenderingKeepsCodesAndPathsAndDropsPayloadText) {
  std::vector<OutcomeIssue> issues = *ParseOperationOutcome(OutcomeWithPayload());
  std::string r = RenderForOperators(issues);
  EXPECT_NE(r.find("error invalid"), std::string::npos) << r;
  EXPECT_NE(r.find("[http://hl7.org/fhir/ValueSet/issue-type|MSG_BAD]"), std::string::npos) << r;
  EXPECT_NE(r.find("@Task.description"), std::string::npos) << r;
  EXPECT_NE(r.find("warning required @Task.intent"), std::string::npos) << r;
  EXPECT_NE(r.find("Resource failed validation: ...."), std::string::npos) << r;
  // Nothing from details.text, the narrative, the diagnostics past the limit
  // or the value smuggled into an expression.
  EXPECT_EQ(r.find("SECRET"), std::string::npos) << r;
  EXPECT_EQ(r.find("disclosed"), std::string::npos) << r;
  EXPECT_NE(r.find("@Task.where(note…"), std::string::npos) << r;
  EXPECT_LE(r.size(), kMaxDiagnosticsChars + 300);
}

TEST(OperationOutcomeTest, DiagnosticsCanBeDroppedEntirely) {
  std::vector<OutcomeIssue> issues = *ParseOperationOutcome(OutcomeWithPayload());
  std::string r = RenderForOperators(issues, 0);
  EXPECT_EQ(r.find("SECRET"), std::string::npos) << r;
  EXPECT_EQ(r.find("validation"), std::string::npos) << r;
}

TEST(OperationOutcomeTest, ManyIssuesAreCounted) {
  std::vector<OutcomeIssue> issues(kMaxRenderedIssues + 5, OutcomeIssue{"error", "invalid", {}, "", "", {}, {}});
  std::string r = RenderForOperators(issues);
  EXPECT_NE(r.find("(+5 more issues)"), std::string::npos) << r;
}

TEST(OperationOutcomeTest, TruncateForLogKeepsUtf8WholeAndStripsControls) {
  EXPECT_EQ(TruncateForLog("ab\ncd", 10), "ab cd");
  // "é" is two bytes; cutting at 2 must not split it.
  EXPECT_EQ(TruncateForLog("a\xC3\xA9z", 2), "a...");
  EXPECT_EQ(TruncateForLog("abc", 3), "abc");
}

TEST(OperationOutcomeTest, RenderErrorBodyNeverEchoesNonFhirText) {
  std::string html = "<html>" + std::string(kSecret) + "</html>";
  EXPECT_EQ(RenderErrorBody(html), "non-FHIR body (" + std::to_string(html.size()) + " bytes)");
  std::string task = R"({"resourceType":"Task","description":"secret"})";
  EXPECT_EQ(RenderErrorBody(task), "non-FHIR body (" + std::to_string(task.size()) + " bytes)");
  EXPECT_EQ(RenderErrorBody(""), "empty body");
  EXPECT_EQ(RenderErrorBody(R"({"resourceType":"OperationOutcome","issue":[
      {"severity":"error","code":"not-found"}]})"),
            "error not-found");
}

}  // namespace
}  // namespace sa::fhir
