#include "adapter/reports/agreement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

namespace sa::adapter::reports {
namespace {

using nlohmann::json;

const std::set<std::string> kOrgs = {"EPUT", "SGSCB", "CALDERDALE", "CROYDON", "HSCP"};

json Person(const std::string& id) {
  return {{"id", id}, {"name", "Name " + id}, {"role", "Health Visitor"}};
}

json ValidBody() {
  return {{"organisation", "EPUT"},
          {"supervisee", Person("P-20")},
          {"supervisor", Person("P-10")},
          {"lineManagers", json::array({Person("P-30")})},
          {"namedManagers", json::array({Person("P-31")})},
          {"staffGroup", "mental-health"},
          {"frequency", {{"maxGapDays", 35}, {"minSessionsPer12Months", nullptr}}},
          {"sessionMinutes", 90},
          {"startDate", "2026-01-05"},
          {"signedAt", "2026-01-20"},
          {"reviewDate", "2027-01-05"}};
}

TEST(AgreementTest, ValidBodyIsRead) {
  mappings::FieldErrors errors;
  auto a = ParseAgreement(ValidBody(), kOrgs, &errors);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(a->organisation, "EPUT");
  EXPECT_EQ(a->supervisee.id, "P-20");
  EXPECT_EQ(a->supervisor.name, "Name P-10");
  ASSERT_EQ(a->line_managers.size(), 1u);
  EXPECT_EQ(a->named_managers[0].id, "P-31");
  EXPECT_EQ(a->staff_group, "mental-health");
  EXPECT_EQ(a->frequency.max_gap_days, 35);
  EXPECT_FALSE(a->frequency.min_sessions_per_12_months);
  EXPECT_EQ(a->session_minutes, 90);
  EXPECT_EQ(a->signed_at, "2026-01-20");
  EXPECT_TRUE(a->id.empty());  // the store makes it
}

TEST(AgreementTest, OptionalKeysMayBeLeftOut) {
  json body = {{"organisation", "HSCP"},
               {"supervisee", Person("P-20")},
               {"supervisor", Person("P-10")},
               {"startDate", "2026-01-05"}};
  auto a = ParseAgreement(body, kOrgs, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->staff_group, "all");
  EXPECT_TRUE(a->line_managers.empty());
  EXPECT_FALSE(a->signed_at);
  EXPECT_FALSE(a->session_minutes);
}

struct BadBody {
  const char* name;
  std::function<void(json&)> mutate;
  const char* pointer;
  const char* reason;
};

void PrintTo(const BadBody& b, std::ostream* os) { *os << b.name; }

class BadAgreementTest : public ::testing::TestWithParam<BadBody> {};

TEST_P(BadAgreementTest, ReportsExactlyThisPointer) {
  json body = ValidBody();
  GetParam().mutate(body);
  mappings::FieldErrors errors;
  auto a = ParseAgreement(body, kOrgs, &errors);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(errors.size(), 1u) << errors.Join();
  EXPECT_EQ(errors.list()[0].pointer, GetParam().pointer);
  EXPECT_NE(errors.list()[0].reason.find(GetParam().reason), std::string::npos)
      << errors.list()[0].reason;
}

// One bad body per line, as a table.
// clang-format off
const BadBody kBadBodies[] = {
    {"UnknownOrganisation", [](json& b) { b["organisation"] = "NOWHERE"; }, "/organisation", "not a configured policy profile"},
    {"MissingOrganisation", [](json& b) { b.erase("organisation"); }, "/organisation", "required"},
    {"MissingSupervisee", [](json& b) { b.erase("supervisee"); }, "/supervisee", "required"},
    {"SuperviseeWithoutName", [](json& b) { b["supervisee"].erase("name"); }, "/supervisee/name", "required"},
    {"SupervisorBadId", [](json& b) { b["supervisor"]["id"] = "P 10"; }, "/supervisor/id", "letters, digits"},
    {"SupervisorIsSupervisee", [](json& b) { b["supervisor"]["id"] = "P-20"; }, "/supervisor/id", "must not be the supervisee"},
    {"LineManagerNotObject", [](json& b) { b["lineManagers"][0] = "P-30"; }, "/lineManagers/0", "must be an object"},
    {"NamedManagerUnknownField", [](json& b) { b["namedManagers"][0]["nmc"] = "X"; }, "/namedManagers/0/nmc", "unknown field"},
    {"NamedManagerIsSupervisee", [](json& b) { b["namedManagers"][0]["id"] = "P-20"; }, "/namedManagers/0/id", "must not be the supervisee"},
    {"ManagersNotArray", [](json& b) { b["lineManagers"] = Person("P-30"); }, "/lineManagers", "must be an array"},
    {"StaffGroupBadCharacters", [](json& b) { b["staffGroup"] = "mental health"; }, "/staffGroup", "letters, digits"},
    {"GapZero", [](json& b) { b["frequency"]["maxGapDays"] = 0; }, "/frequency/maxGapDays", "between 1 and 366"},
    {"SessionsNotInteger", [](json& b) { b["frequency"]["minSessionsPer12Months"] = "six"; }, "/frequency/minSessionsPer12Months", "must be an integer"},
    {"FrequencyUnknownKey", [](json& b) { b["frequency"]["perWeek"] = 1; }, "/frequency/perWeek", "unknown field"},
    {"SessionMinutesTooLong", [](json& b) { b["sessionMinutes"] = 1441; }, "/sessionMinutes", "between 1 and 1440"},
    {"StartDateMissing", [](json& b) { b.erase("startDate"); }, "/startDate", "required"},
    {"StartDateNotADate", [](json& b) { b["startDate"] = "05/01/2026"; }, "/startDate", "YYYY-MM-DD"},
    {"SignedAtIsATime", [](json& b) { b["signedAt"] = "2026-01-20T10:00:00Z"; }, "/signedAt", "YYYY-MM-DD"},
    {"ReviewBeforeStart", [](json& b) { b["reviewDate"] = "2025-12-31"; }, "/reviewDate", "must not be before startDate"},
    {"ServerSetIdRefused", [](json& b) { b["id"] = "AG-0000000000000000"; }, "/id", "unknown field"},
    {"UnknownKey", [](json& b) { b["notes"] = "text"; }, "/notes", "unknown field"},
    {"BodyNotObject", [](json& b) { b = json::array(); }, "", "must be an object"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Agreement, BadAgreementTest, ::testing::ValuesIn(kBadBodies),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(AgreementTest, EveryProblemIsReportedAtOnce) {
  json body = ValidBody();
  body.erase("startDate");
  body["supervisee"].erase("id");
  body["frequency"]["maxGapDays"] = -1;
  mappings::FieldErrors errors;
  ASSERT_FALSE(ParseAgreement(body, kOrgs, &errors).ok());
  std::vector<std::string> pointers;
  for (const auto& e : errors.list()) pointers.push_back(e.pointer);
  std::sort(pointers.begin(), pointers.end());
  EXPECT_EQ(pointers,
            (std::vector<std::string>{"/frequency/maxGapDays", "/startDate", "/supervisee/id"}));
}

TEST(AgreementTest, ErrorsNeverQuoteValues) {
  json body = ValidBody();
  body["startDate"] = "CANARY-agreement";
  body["staffGroup"] = "CANARY agreement";
  body["supervisor"]["id"] = "CANARY agreement";
  mappings::FieldErrors errors;
  ASSERT_FALSE(ParseAgreement(body, kOrgs, &errors).ok());
  EXPECT_EQ(errors.Join().find("CANARY"), std::string::npos) << errors.Join();
}

TEST(AgreementTest, JsonRoundTrip) {
  auto a = ParseAgreement(ValidBody(), kOrgs, nullptr);
  ASSERT_TRUE(a.ok());
  a->id = "AG-0123456789abcdef";
  a->created_at = "2026-01-20T09:00:00.000Z";
  a->created_by = "api:P-40";
  json j = AgreementToJson(*a);
  EXPECT_EQ(j["frequency"]["maxGapDays"], 35);
  EXPECT_TRUE(j["frequency"]["minSessionsPer12Months"].is_null());
  EXPECT_TRUE(j["supersededBy"].is_null());
  EXPECT_EQ(j["lineManagers"][0]["id"], "P-30");
  auto back = AgreementFromStoredJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *a);
}

TEST(AgreementTest, StoredJsonMustBeAnAgreement) {
  auto bad = AgreementFromStoredJson(json{{"organisation", "EPUT"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace sa::adapter::reports
