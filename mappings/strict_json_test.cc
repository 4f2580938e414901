#include "mappings/strict_json.h"

#include <gtest/gtest.h>

#include "mappings/session_parser.h"
#include "mappings/test_support.h"

namespace sa::mappings {
namespace {

using nlohmann::json;

JsonParseError Fails(const std::string& text, JsonLimits limits = {}) {
  json out;
  JsonParseError err;
  EXPECT_FALSE(ParseStrictJson(text, limits, &out, &err)) << text.substr(0, 80);
  return err;
}

TEST(StrictJsonTest, ParsesOrdinaryDocument) {
  json out;
  JsonParseError err;
  ASSERT_TRUE(ParseStrictJson(R"({"a":[1,{"b":null}],"c":"x"})", {}, &out, &err));
  EXPECT_EQ(out["a"][1]["b"], nullptr);
  EXPECT_EQ(out["c"], "x");
}

TEST(StrictJsonTest, DuplicateKeyIsRejectedWithItsPointer) {
  JsonParseError e = Fails(R"({"cases":[{"caseRef":"C1","caseRef":"C2"}]})");
  EXPECT_EQ(e.pointer, "/cases/0/caseRef");
  EXPECT_EQ(e.reason, "duplicate key");
}

TEST(StrictJsonTest, DuplicateKeyThatIsNotAFieldNameIsNotEchoed) {
  JsonParseError e = Fails(R"({"cases":[{"Mum said x":1,"Mum said x":2}]})");
  EXPECT_EQ(e.pointer, "/cases/0");
  EXPECT_EQ(e.reason.find("Mum"), std::string::npos);
  EXPECT_NE(e.reason.find("duplicate key"), std::string::npos);
}

TEST(StrictJsonTest, DepthErrorDoesNotEchoAFreeTextMemberName) {
  JsonLimits limits;
  limits.max_depth = 2;
  JsonParseError e = Fails(R"({"a":{"she told me":{}}})", limits);
  EXPECT_EQ(e.pointer.find("she told"), std::string::npos) << e.pointer;
}

TEST(StrictJsonTest, DuplicateTopLevelKeyIsRejected) {
  EXPECT_EQ(Fails(R"({"a":1,"b":2,"a":3})").pointer, "/a");
}

TEST(StrictJsonTest, DepthLimitIsEnforcedWhileParsing) {
  JsonLimits limits;
  limits.max_depth = 64;
  std::string ok(64, '['), ok_close(64, ']');
  json out;
  JsonParseError err;
  EXPECT_TRUE(ParseStrictJson(ok + ok_close, limits, &out, &err));
  JsonParseError e = Fails(std::string(65, '[') + std::string(65, ']'), limits);
  EXPECT_NE(e.reason.find("nested deeper than 64"), std::string::npos);
  EXPECT_EQ(e.pointer, "/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0");
}

TEST(StrictJsonTest, HugeNestingDoesNotOverflowTheStack) {
  // A million open brackets (within a 2 MiB limit) must fail fast and cleanly.
  JsonLimits limits;
  limits.max_bytes = 2 << 20;
  JsonParseError e = Fails(std::string(1'000'000, '['), limits);
  EXPECT_NE(e.reason.find("nested deeper"), std::string::npos);
}

TEST(StrictJsonTest, InvalidUtf8IsRejected) {
  JsonParseError e = Fails("{\"a\":\"caf\xC3\x28\"}");
  EXPECT_NE(e.reason.find("UTF-8"), std::string::npos) << e.reason;
  EXPECT_EQ(e.pointer, "");
}

TEST(StrictJsonTest, LoneSurrogateEscapeIsRejected) {
  JsonParseError e = Fails(R"({"a":"\ud800"})");
  EXPECT_NE(e.reason.find("Unicode"), std::string::npos) << e.reason;
}

TEST(StrictJsonTest, TrailingGarbageIsRejected) {
  JsonParseError e = Fails(R"({"a":1} x)");
  EXPECT_NE(e.reason.find("trailing content"), std::string::npos) << e.reason;
  EXPECT_NE(Fails(R"({"a":1}{"b":2})").reason.find("trailing"), std::string::npos);
}

TEST(StrictJsonTest, TruncatedDocumentIsRejected) {
  EXPECT_NE(Fails(R"({"a":[1,2)").reason.find("unexpected end"), std::string::npos);
}

TEST(StrictJsonTest, SizeLimitIsEnforcedBeforeParsing) {
  JsonLimits limits;
  limits.max_bytes = 16;
  JsonParseError e = Fails(R"({"a":"0123456789abcdef"})", limits);
  EXPECT_NE(e.reason.find("the limit is 16"), std::string::npos);
}

TEST(StrictJsonTest, DefaultLimitIsOneMebibyte) {
  EXPECT_EQ(kDefaultMaxRecordBytes, 1u << 20);
  EXPECT_EQ(kDefaultMaxJsonDepth, 64);
  std::string big = "\"" + std::string((1 << 20), 'a') + "\"";
  EXPECT_NE(Fails(big).reason.find("limit"), std::string::npos);
}

TEST(StrictJsonTest, SyntaxErrorNeverQuotesContent) {
  JsonParseError e = Fails("{\"a\":\"CANARY-strict-91 secret\x01\"}");
  EXPECT_EQ(e.reason.find("CANARY"), std::string::npos) << e.reason;
  EXPECT_NE(e.reason.find("control character"), std::string::npos) << e.reason;
}

TEST(StrictJsonTest, SessionParserReportsSyntaxAsOneError) {
  SessionParse p = ParseSession(R"({"schema":"supervision-session/1","schema":"x"})",
                                testing::BuiltInCatalog());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].pointer, "/schema");
}

}  // namespace
}  // namespace sa::mappings
