// Compliance over HTTP on a year of sessions per profile, each with known
// planted violations: the report finds exactly those misses (no others)
// for the supervisee, through GET /v1/compliance (JSON and CSV).
//
// The year: one-to-one sessions every 28 days from 2026-01-05, 90 minutes,
// all signed, actions due far in the future (so no action is overdue
// whatever day the test runs); an agreement from 2026-01-01 naming a
// 42-day maximum gap. Planted everywhere: the sessions of 22 June and
// 20 July are missing (an 84-day gap). Planted per profile, where the
// profile has the rule: EPUT a 150-minute session (max 120); CALDERDALE a
// 60-minute session (min 90); SGSCB an urgent session held 30 h after it
// was requested (24 h) and a cancelled session never rebooked; HSCP a
// written agreement signed 42 days after the relationship began (28).
#include <gtest/gtest.h>

#include <set>

#include "tests/api/api_fixture.h"

namespace sa::testing {
namespace {

struct Plant {
  std::string org;
  std::set<std::string> missed;  // rules expected missed for the supervisee
};

class ApiComplianceTest : public ApiTest, public ::testing::WithParamInterface<Plant> {
 protected:
  static std::string Day(int day_of_year_from_jan5) {
    // 2026-01-05 + n days, as YYYY-MM-DD (2026 is not a leap year).
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month = 0, day = 5 + day_of_year_from_jan5;
    while (day > kDays[month]) day -= kDays[month++];
    char buf[16];
    std::snprintf(buf, sizeof buf, "2026-%02d-%02d", month + 1, day);
    return buf;
  }

  json Held(const std::string& org, const std::string& sid, const std::string& date, int minutes) {
    json r = Session(sid, "SUP-1", {"SEE-1"}, true, org);
    r["scheduledFor"] = date + "T10:00:00Z";
    r["heldAt"] = date + "T10:00:00Z";
    r["durationMinutes"] = minutes;
    for (auto& a : r["cases"][0]["actions"]) a["due"] = "2099-01-01";
    for (auto& s : r["signatures"]) s["at"] = date + "T12:00:00Z";
    return r;
  }
};

TEST_P(ApiComplianceTest, AYearWithPlantedViolationsFindsExactlyThem) {
  const Plant& plant = GetParam();
  const std::string org = plant.org;
  const std::string lead = Token("SG-1", {"safeguarding-lead"}, {org});
  json agreement = Agreement("SEE-1", "SUP-1", {"MGR-1"}, org);
  agreement["startDate"] = "2026-01-01";
  agreement["signedAt"] = org == "HSCP" ? "2026-02-12" : "2026-01-10";
  agreement["staffGroup"] = org == "EPUT" ? "mental-health" : "all";
  agreement["sessionMinutes"] = nullptr;
  agreement["reviewDate"] = "2027-01-01";
  ClientResponse a = Post("/v1/agreements", lead, agreement);
  ASSERT_EQ(a.status, 201) << a.body;

  int n = 0;
  for (int d = 0; d <= 308; d += 28) {
    const std::string date = Day(d);
    if (date == "2026-06-22" || date == "2026-07-20") continue;  // the planted gap
    int minutes = 90;
    if (date == "2026-03-02" && org == "EPUT") minutes = 150;
    if (date == "2026-03-02" && org == "CALDERDALE") minutes = 60;
    Submit(Held(org, "Y-" + std::to_string(n++), date, minutes));
  }
  if (org == "SGSCB") {
    json urgent = Held(org, "URG-1", "2026-04-02", 60);
    urgent["type"] = "urgent";
    urgent["requestedAt"] = "2026-04-01T04:00:00Z";  // held 30 h later
    Submit(urgent);
    json cancelled = Session("CAN-1", "SUP-1", {"SEE-1"}, false, org);
    cancelled["status"] = "cancelled";
    cancelled["scheduledFor"] = "2026-10-01T10:00:00Z";
    cancelled["cases"] = json::array();
    cancelled.erase("heldAt");
    cancelled.erase("durationMinutes");
    cancelled.erase("practitioner");
    cancelled["rebookedTo"] = nullptr;
    Submit(cancelled);
  }

  ClientResponse r = Get("/v1/compliance?from=2026-01-01&to=2026-11-20&organisation=" + org, lead);
  ASSERT_EQ(r.status, 200) << r.body;
  const json report = r.Json();
  std::set<std::string> missed;
  for (const auto& f : report["findings"]) {
    if (f["supervisee"] == "SEE-1" && f["outcome"] == "missed") missed.insert(f["rule"].get<std::string>());
  }
  EXPECT_EQ(missed, plant.missed) << report.dump(1);
  for (const auto& c : canaries()) EXPECT_EQ(r.body.find(c), std::string::npos);
  ClientResponse csv = Get("/v1/compliance?from=2026-01-01&to=2026-11-20&format=csv&organisation=" + org, lead);
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("frequency.maxGap"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, ApiComplianceTest,
    ::testing::Values(Plant{"EPUT", {"frequency.maxGap", "sessionLength.max"}},
                      Plant{"CALDERDALE", {"frequency.maxGap", "sessionLength.min"}},
                      Plant{"SGSCB", {"frequency.maxGap", "urgent.within", "rebooking"}},
                      Plant{"HSCP", {"frequency.maxGap", "agreement.writtenWithin"}},
                      Plant{"CROYDON", {"frequency.maxGap"}}),
    [](const ::testing::TestParamInfo<Plant>& info) { return info.param.org; });

}  // namespace
}  // namespace sa::testing
