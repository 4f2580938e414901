// Compliance rules about the supervision agreement itself (written within
// four weeks of the relationship starting, the first signature kept across a
// reissue, review dates against the next agreement). The session-count and
// action rules are in compliance_test.cc.
#include "adapter/reports/compliance.h"

#include <gtest/gtest.h>

#include "adapter/reports/compliance_test_support.h"

namespace sa::adapter::reports {
namespace {

using namespace testing;  // NOLINT: the test builders
using nlohmann::json;

TEST(ComplianceTest, AgreementWrittenWithinFourWeeks) {
  const auto& p = BuiltInProfile("HSCP");  // writtenWithinDays 28
  ComplianceInput in = YearInput(p);
  Agreement on_time = MakeAgreement("HSCP", "P-1", "2026-02-01");
  on_time.signed_at = "2026-02-20";
  Agreement late = MakeAgreement("HSCP", "P-2", "2026-02-01");
  late.signed_at = "2026-03-15";
  Agreement unsigned_one = MakeAgreement("HSCP", "P-3", "2026-02-01");
  unsigned_one.signed_at.reset();
  // P-4 has sessions and no agreement at all.
  in.agreements = {on_time, late, unsigned_one};
  in.lines = {Held("HSCP", "S-4", {"P-4"}, "2026-03-01T10:00:00Z")};
  ComplianceReport r = BuildCompliance(in);
  auto met = Select(r, kRuleAgreementWritten, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].supervisee, "P-1");
  EXPECT_EQ(met[0].actual, 19);
  auto missed = Select(r, kRuleAgreementWritten, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 3u) << Describe(r);
  EXPECT_EQ(missed[0].supervisee, "P-2");
  EXPECT_EQ(missed[0].actual, 42);
  EXPECT_EQ(missed[0].values["due"], "2026-03-01");
  EXPECT_EQ(missed[1].supervisee, "P-3");
  EXPECT_EQ(missed[2].supervisee, "P-4");
  EXPECT_NE(missed[2].detail.find("no supervision agreement recorded"), std::string::npos);
  EXPECT_NE(missed[0].cite.find("HSCP std 3"), std::string::npos);
}

TEST(ComplianceTest, AReissuedAgreementKeepsTheFirstSignature) {
  const auto& p = BuiltInProfile("HSCP");
  ComplianceInput in = YearInput(p);
  Agreement first = MakeAgreement("HSCP", "P-1", "2026-02-01");
  first.signed_at = "2026-02-10";
  first.superseded_by = "AG-SECOND";
  Agreement second = first;
  second.id = "AG-SECOND";
  second.superseded_by.reset();
  second.signed_at = "2026-09-01";  // re-signed with new figures
  second.created_at = "2026-09-01T09:00:00.000Z";
  in.agreements = {first, second};
  ComplianceReport r = BuildCompliance(in);
  auto met = Select(r, kRuleAgreementWritten, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].actual, 9);
  EXPECT_TRUE(Select(r, kRuleAgreementWritten, Outcome::kMissed).empty());
}

TEST(ComplianceTest, ReviewDatesAreCheckedAgainstTheNextAgreement) {
  const auto& p = BuiltInProfile("CROYDON");
  ComplianceInput in = YearInput(p);
  Agreement a1 = MakeAgreement("CROYDON", "P-1", "2025-01-10");
  a1.review_date = "2026-01-10";
  a1.superseded_by = "AG-2";
  Agreement a2 = a1;
  a2.id = "AG-2";
  a2.superseded_by.reset();
  a2.created_at = "2026-01-08T09:00:00.000Z";  // reviewed in time
  a2.review_date = "2026-07-08";               // now overdue
  Agreement b1 = MakeAgreement("CROYDON", "P-2", "2025-01-10");
  b1.review_date = "2026-03-01";
  b1.superseded_by = "AG-B2";
  Agreement b2 = b1;
  b2.id = "AG-B2";
  b2.superseded_by.reset();
  b2.created_at = "2026-04-01T09:00:00.000Z";  // a month late
  b2.review_date.reset();
  in.agreements = {a1, a2, b1, b2};
  ComplianceReport r = BuildCompliance(in);
  auto met = Select(r, kRuleAgreementReview, Outcome::kMet);
  ASSERT_EQ(met.size(), 1u) << Describe(r);
  EXPECT_EQ(met[0].agreement_id, a1.id);
  auto missed = Select(r, kRuleAgreementReview, Outcome::kMissed);
  ASSERT_EQ(missed.size(), 2u) << Describe(r);
  EXPECT_EQ(missed[0].agreement_id, "AG-2");
  EXPECT_EQ(missed[0].values["reviewDue"], "2026-07-08");
  EXPECT_EQ(missed[1].agreement_id, b1.id);
  EXPECT_EQ(missed[1].actual, 31);
}

}  // namespace
}  // namespace sa::adapter::reports
