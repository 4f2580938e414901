#include "mappings/session_parser.h"

#include <algorithm>
#include <filesystem>
#include <functional>

#include <gtest/gtest.h>

#include "mappings/separation.h"
#include "mappings/test_support.h"

namespace sa::mappings {
namespace {

using nlohmann::json;
using testing::BuiltInCatalog;
using testing::ValidRecord;

SessionParse Check(const json& record) { return ParseSession(record.dump(), BuiltInCatalog()); }

std::string Dump(const std::vector<FieldError>& errors) {
  std::string s;
  for (const auto& e : errors) s += "\n  " + e.ToString();
  return s;
}

TEST(SessionParserTest, ValidRecordIsAccepted) {
  SessionParse p = Check(ValidRecord());
  ASSERT_TRUE(p.ok) << Dump(p.errors);
  EXPECT_EQ(p.session.session_id, "S-2026-0001");
  ASSERT_EQ(p.session.cases.size(), 1u);
  EXPECT_EQ(p.session.cases[0].actions.size(), 2u);
  EXPECT_EQ(p.session.cases[0].actions[1].owner.id, "P-10");
  EXPECT_EQ(p.session.signatures.size(), 2u);
}

// One bad record: a mutation of the valid one, the single error it must
// produce (exact pointer), and a part of the reason.
struct BadRecord {
  const char* name;
  std::function<void(json&)> mutate;
  const char* pointer;
  const char* reason;
};

// Keeps ctest names stable (gtest would otherwise print the struct's bytes).
void PrintTo(const BadRecord& bad, std::ostream* os) { *os << bad.name; }

class BadRecordTest : public ::testing::TestWithParam<BadRecord> {};

TEST_P(BadRecordTest, ReportsExactlyThisPointer) {
  const BadRecord& bad = GetParam();
  json record = ValidRecord();
  bad.mutate(record);
  SessionParse p = Check(record);
  ASSERT_FALSE(p.ok);
  ASSERT_EQ(p.errors.size(), 1u) << Dump(p.errors);
  EXPECT_EQ(p.errors[0].pointer, bad.pointer);
  EXPECT_NE(p.errors[0].reason.find(bad.reason), std::string::npos) << p.errors[0].reason;
}

json Staff(const std::string& id) { return {{"id", id}, {"name", "Sam Roe"}, {"role", "School Nurse"}}; }

const BadRecord kBadRecords[] = {
    {"Rs1_MissingDue", [](json& r) { r["cases"][0]["actions"][1].erase("due"); }, "/cases/0/actions/1/due", "required"},
    {"Rs1_MissingWhat", [](json& r) { r["cases"][0]["actions"][0].erase("what"); }, "/cases/0/actions/0/what", "required"},
    {"Rs1_EmptyWhat", [](json& r) { r["cases"][0]["actions"][0]["what"] = "   "; }, "/cases/0/actions/0/what", "required"},
    {"Rs1_MissingOwner", [](json& r) { r["cases"][0]["actions"][0].erase("owner"); }, "/cases/0/actions/0/owner", "required"},
    {"Rs1_NullOwner", [](json& r) { r["cases"][0]["actions"][1]["owner"] = nullptr; }, "/cases/0/actions/1/owner", "required"},
    {"Rs1_OwnerWithoutId", [](json& r) { r["cases"][0]["actions"][0]["owner"].erase("id"); }, "/cases/0/actions/0/owner/id", "required"},
    {"DueNotADate", [](json& r) { r["cases"][0]["actions"][0]["due"] = "04/12/2026"; }, "/cases/0/actions/0/due", "YYYY-MM-DD"},
    {"DueImpossibleDate", [](json& r) { r["cases"][0]["actions"][0]["due"] = "2026-02-30"; }, "/cases/0/actions/0/due", "YYYY-MM-DD"},
    {"DuplicateActionIdAcrossSession", [](json& r) { r["cases"][0]["actions"][1]["id"] = "A1"; }, "/cases/0/actions/1/id", "duplicate action id (first at /cases/0/actions/0/id)"},
    {"UnknownActionField", [](json& r) { r["cases"][0]["actions"][0]["priority"] = "high"; }, "/cases/0/actions/0/priority", "unknown field"},
    {"NhsNumberBadCheckDigit", [](json& r) { r["cases"][0]["subject"]["nhsNumber"] = "9434765918"; }, "/cases/0/subject/nhsNumber", "Modulus 11"},
    {"NhsNumberNineDigits", [](json& r) { r["cases"][0]["subject"]["nhsNumber"] = "943476591"; }, "/cases/0/subject/nhsNumber", "10 digits"},
    {"NhsNumberWithSpaces", [](json& r) { r["cases"][0]["subject"]["nhsNumber"] = "943 476 5919"; }, "/cases/0/subject/nhsNumber", "NHS number"},
    {"NhsNumberAsInteger", [](json& r) { r["cases"][0]["subject"]["nhsNumber"] = 9434765919LL; }, "/cases/0/subject/nhsNumber", "must be a string"},
    {"SubjectKindUnknown", [](json& r) { r["cases"][0]["subject"]["kind"] = "adult"; }, "/cases/0/subject/kind", "one of: child, adult-at-risk"},
    {"BirthDateInvalid", [](json& r) { r["cases"][0]["subject"]["birthDate"] = "2019-13-02"; }, "/cases/0/subject/birthDate", "YYYY-MM-DD"},
    {"AdultOnChildProtectionPlan", [](json& r) { r["cases"][0]["subject"]["kind"] = "adult-at-risk"; }, "/cases/0/onChildProtectionPlan", "only a child"},
    {"IdentifierWithoutSystem", [](json& r) { r["cases"][0]["subject"]["identifiers"] = json::array({{{"value", "X1"}}}); }, "/cases/0/subject/identifiers/0/system", "required"},
    {"DiscussionKeyNotInTemplate", [](json& r) { r["cases"][0]["discussion"]["feeling"] = "x"; }, "/cases/0/discussion/feeling", "not a key of template 'sbar'"},
    {"DiscussionValueNotText", [](json& r) { r["cases"][0]["discussion"]["situation"] = 3; }, "/cases/0/discussion/situation", "string or null"},
    {"DiscussionNotObject", [](json& r) { r["cases"][0]["discussion"] = "free text"; }, "/cases/0/discussion", "must be an object"},
    {"DuplicateCaseRef", [](json& r) { json c = r["cases"][0]; c["actions"] = json::array(); r["cases"].push_back(c); }, "/cases/1/caseRef", "duplicate caseRef"},
    {"HeldAtNotRfc3339", [](json& r) { r["heldAt"] = "2026-11-20 10:05"; }, "/heldAt", "RFC 3339"},
    {"ScheduledForMissingZone", [](json& r) { r["scheduledFor"] = "2026-11-20T10:00:00"; }, "/scheduledFor", "RFC 3339"},
    {"ScheduledForHour25", [](json& r) { r["scheduledFor"] = "2026-11-20T25:00:00Z"; }, "/scheduledFor", "RFC 3339"},
    {"SignatureTimeInvalid", [](json& r) { r["signatures"][1]["at"] = "yesterday"; }, "/signatures/1/at", "RFC 3339"},
    {"DurationNegative", [](json& r) { r["durationMinutes"] = -5; }, "/durationMinutes", "between 1 and 1440"},
    {"DurationFractional", [](json& r) { r["durationMinutes"] = 90.5; }, "/durationMinutes", "integer"},
    {"HeldWithoutDuration", [](json& r) { r.erase("durationMinutes"); }, "/durationMinutes", "required for a held session"},
    {"HeldWithoutHeldAt", [](json& r) { r["heldAt"] = nullptr; }, "/heldAt", "required for a held session"},
    {"TypeUnknown", [](json& r) { r["type"] = "huddle"; }, "/type", "must be one of"},
    {"StatusUnknown", [](json& r) { r["status"] = "postponed"; }, "/status", "must be one of"},
    {"OrganisationNotConfigured", [](json& r) { r["organisation"] = "NOWHERE"; }, "/organisation", "not a configured policy profile"},
    {"TemplateUnknown", [](json& r) { r["template"] = "soap"; r["cases"][0].erase("discussion"); }, "/template", "not a known template"},
    {"TemplateNotAllowedByProfile", [](json& r) { r["template"] = "strengthening-families"; r["cases"][0].erase("discussion"); }, "/template", "not a template the organisation's profile allows"},
    {"SchemaWrongVersion", [](json& r) { r["schema"] = "supervision-session/2"; }, "/schema", "supervision-session/1"},
    {"SchemaMissing", [](json& r) { r.erase("schema"); }, "/schema", "required"},
    {"SessionIdMissing", [](json& r) { r.erase("sessionId"); }, "/sessionId", "required"},
    {"SessionIdWithSlash", [](json& r) { r["sessionId"] = "S/1"; }, "/sessionId", "letters, digits"},
    {"UnknownTopLevelField", [](json& r) { r["notes"] = "x"; }, "/notes", "unknown field"},
    {"UnknownFieldNameNotEchoed", [](json& r) { r["Mum said he hit her"] = 1; }, "", "not repeated here"},
    {"SupervisorMissing", [](json& r) { r.erase("supervisor"); r["signatures"].erase(0); }, "/supervisor", "required"},
    {"SupervisorNameMissing", [](json& r) { r["supervisor"].erase("name"); }, "/supervisor/name", "required"},
    {"SuperviseesEmpty", [](json& r) { r["supervisees"] = json::array(); r["signatures"].erase(1); }, "/supervisees", "at least one supervisee"},
    {"SuperviseeIsSupervisor", [](json& r) { r["supervisees"].push_back(Staff("P-10")); r["practitioner"]["about"] = "P-20"; }, "/supervisees/1/id", "appears twice"},
    {"GroupWithOneSupervisee", [](json& r) { r["type"] = "group"; }, "/supervisees", "at least 2 supervisees"},
    {"CancelledWithCases", [](json& r) { r["status"] = "cancelled"; r["heldAt"] = nullptr; r.erase("durationMinutes"); r.erase("practitioner"); }, "/cases", "a cancelled session has no cases"},
    {"DidNotAttendWithCases", [](json& r) { r["status"] = "did-not-attend"; r.erase("heldAt"); r.erase("durationMinutes"); r.erase("practitioner"); }, "/cases", "a did-not-attend session has no cases"},
    {"CancelledButHeldAt", [](json& r) { r["status"] = "cancelled"; r["cases"] = json::array(); r.erase("durationMinutes"); r.erase("practitioner"); }, "/heldAt", "was not held"},
    {"HeldButRebooked", [](json& r) { r["rebookedTo"] = "2026-12-01T10:00:00Z"; }, "/rebookedTo", "only a cancelled or missed session"},
    {"RequestedAtNotATime", [](json& r) { r["requestedAt"] = "yesterday"; }, "/requestedAt", "RFC 3339"},
    {"RequestedAtNotAString", [](json& r) { r["requestedAt"] = 1700000000; }, "/requestedAt", "must be a string"},
    {"RequestedAtAfterHeldAt", [](json& r) { r["type"] = "urgent"; r["requestedAt"] = "2026-11-20T10:06:00Z"; }, "/requestedAt", "must not be after heldAt"},
    {"SignerNotInSession", [](json& r) { r["signatures"][1]["by"] = "P-99"; }, "/signatures/1/by", "not a person in this session"},
    {"SupervisorRoleSignedBySupervisee", [](json& r) { r["signatures"][1]["role"] = "supervisor"; }, "/signatures/1/role", "only the session's supervisor"},
    {"SignedTwice", [](json& r) { r["signatures"].push_back(r["signatures"][1]); }, "/signatures/2/by", "already signed"},
    {"SignerRoleUnknown", [](json& r) { r["signatures"][0]["role"] = "manager"; }, "/signatures/0/role", "must be one of"},
    {"PractitionerUnknownField", [](json& r) { r["practitioner"]["mood"] = "low"; }, "/practitioner/mood", "unknown field"},
    {"PractitionerAboutNotSupervisee", [](json& r) { r["practitioner"]["about"] = "P-10"; }, "/practitioner/about", "not a supervisee"},
    {"Rs7_GroupNotesMustSayWhom", [](json& r) { r["type"] = "group"; r["supervisees"].push_back(Staff("P-21")); r["signatures"].push_back({{"by", "P-21"}, {"role", "attendee"}, {"at", "2026-11-20T11:42:00Z"}}); }, "/practitioner/about", "required when a session has several supervisees"},
    {"HeldWithNullCases", [](json& r) { r["cases"] = nullptr; }, "/cases", "required for a held session"},
    {"CasesNotArray", [](json& r) { r["cases"] = json::object(); }, "/cases", "must be an array"},
    {"CaseNotObject", [](json& r) { r["cases"][0] = "C1"; }, "/cases/0", "must be an object"},
    {"RootNotObject", [](json& r) { r = json::array(); }, "", "must be an object"},
};

INSTANTIATE_TEST_SUITE_P(Session, BadRecordTest, ::testing::ValuesIn(kBadRecords),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SessionParserTest, ReportsEveryProblemAtOnce) {
  json r = ValidRecord();
  r["cases"][0]["actions"][1].erase("due");
  r["cases"][0]["subject"]["nhsNumber"] = "1234567890";
  r["type"] = "huddle";
  SessionParse p = Check(r);
  ASSERT_FALSE(p.ok);
  std::vector<std::string> pointers;
  for (const auto& e : p.errors) pointers.push_back(e.pointer);
  EXPECT_EQ(pointers.size(), 3u) << Dump(p.errors);
  EXPECT_NE(std::find(pointers.begin(), pointers.end(), "/cases/0/actions/1/due"), pointers.end());
  EXPECT_NE(std::find(pointers.begin(), pointers.end(), "/cases/0/subject/nhsNumber"), pointers.end());
  EXPECT_NE(std::find(pointers.begin(), pointers.end(), "/type"), pointers.end());
}

TEST(SessionParserTest, ErrorsNeverQuoteValues) {
  const std::string canary = "CANARY-parser-7f3a-value";
  json r = ValidRecord();
  r["type"] = canary;
  r["cases"][0]["subject"]["nhsNumber"] = canary;
  r["cases"][0]["actions"][0]["due"] = canary;
  r["heldAt"] = canary;
  r["cases"][0]["discussion"]["situation"] = json::array({canary});
  SessionParse p = Check(r);
  ASSERT_FALSE(p.ok);
  for (const auto& e : p.errors) EXPECT_EQ(e.ToString().find("CANARY"), std::string::npos) << e.ToString();
}

TEST(SessionParserTest, CancelledSessionWithoutCasesIsValid) {
  json r = ValidRecord();
  r["status"] = "cancelled";
  r["heldAt"] = nullptr;
  r["durationMinutes"] = nullptr;
  r["rebookedTo"] = "2026-11-27T10:00:00Z";
  r.erase("cases");
  r.erase("practitioner");
  r["signatures"] = json::array();
  SessionParse p = Check(r);
  EXPECT_TRUE(p.ok) << Dump(p.errors);
}

TEST(SessionParserTest, UrgentRequestedAtIsParsedAndGoesToTheRegister) {
  json r = ValidRecord();
  r["type"] = "urgent";
  r["requestedAt"] = "2026-11-19T16:30:00+01:00";
  SessionParse p = Check(r);
  ASSERT_TRUE(p.ok) << Dump(p.errors);
  EXPECT_EQ(p.session.requested_at, "2026-11-19T16:30:00+01:00");
  auto sep = Separate(p.session, p.document, BuiltInCatalog());
  ASSERT_TRUE(sep.ok()) << sep.status().ToString();
  EXPECT_EQ(sep->register_entry["requestedAt"], "2026-11-19T16:30:00+01:00");
  EXPECT_FALSE(sep->ehr.contains("requestedAt"));
}

TEST(SessionParserTest, RequestedAtIsOptionalAndNullable) {
  json r = ValidRecord();
  r["requestedAt"] = nullptr;
  SessionParse p = Check(r);
  ASSERT_TRUE(p.ok) << Dump(p.errors);
  EXPECT_FALSE(p.session.requested_at.has_value());
}

TEST(SessionParserTest, NullTemplateKeyAndPractitionerFieldsAreAllowed) {
  json r = ValidRecord();
  r["cases"][0]["discussion"]["background"] = nullptr;
  r["practitioner"]["support"] = nullptr;
  SessionParse p = Check(r);
  EXPECT_TRUE(p.ok) << Dump(p.errors);
}

TEST(SessionParserTest, EveryExampleSessionInConfigIsValid) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SA_SOURCE_DIR) + "/config/examples")) {
    if (entry.path().extension() != ".json") continue;
    auto text = ReadTextFile(entry.path().string());
    ASSERT_TRUE(text.ok());
    SessionParse p = ParseSession(*text, BuiltInCatalog());
    EXPECT_TRUE(p.ok) << entry.path() << Dump(p.errors);
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

}  // namespace
}  // namespace sa::mappings
