#include "adapter/reports/agreement_store.h"

#include <gtest/gtest.h>

#include "adapter/reports/test_util.h"

namespace sa::adapter::reports {
namespace {

using testing::TempSqlite;

Agreement Make(const std::string& org, const std::string& supervisee,
               const std::string& supervisor) {
  Agreement a;
  a.organisation = org;
  a.supervisee = {supervisee, "Name " + supervisee, "Health Visitor"};
  a.supervisor = {supervisor, "Name " + supervisor, "Named Nurse"};
  a.start_date = "2026-01-05";
  return a;
}

// Saves inside a transaction, as the API does with its audit entry.
StatusOr<Agreement> Save(store::DbSession& s, Agreement a, const std::string& actor) {
  store::Transaction tx(s);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_ASSIGN_OR_RETURN(Agreement saved, SaveAgreement(s, std::move(a), actor));
  SA_RETURN_IF_ERROR(tx.Commit());
  return saved;
}

TEST(AgreementStoreTest, NewIdsLookRight) {
  auto a = NewAgreementId(), b = NewAgreementId();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 3u + 16u);
  EXPECT_EQ(a->rfind("AG-", 0), 0u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef", 3), std::string::npos) << *a;
  EXPECT_NE(*a, *b);
}

TEST(AgreementStoreTest, SaveThenGetRoundTrips) {
  TempSqlite db;
  Agreement a = Make("EPUT", "P-20", "P-10");
  a.line_managers = {{"P-30", "Cat Line", "Team Leader"}};
  a.named_managers = {{"P-31", "Dan Named", "Service Manager"}};
  a.staff_group = "mental-health";
  a.frequency.max_gap_days = 35;
  a.session_minutes = 90;
  a.signed_at = "2026-01-20";
  a.review_date = "2027-01-05";
  a.id = "AG-caller-chosen";  // ignored: the store makes the id
  a.created_by = "someone-else";
  auto saved = Save(db.session(), a, "api:P-40");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_NE(saved->id, "AG-caller-chosen");
  EXPECT_EQ(saved->created_by, "api:P-40");
  EXPECT_FALSE(saved->created_at.empty());
  auto got = GetAgreement(db.session(), saved->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, *saved);
  auto none = GetAgreement(db.session(), "AG-0000000000000000");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(AgreementStoreTest, ANewAgreementSupersedesTheCurrentOneOfThatSupervisee) {
  TempSqlite db;
  auto first = Save(db.session(), Make("SGSCB", "P-20", "P-10"), "api:a");
  auto other = Save(db.session(), Make("SGSCB", "P-21", "P-10"), "api:a");
  auto elsewhere = Save(db.session(), Make("EPUT", "P-20", "P-10"), "api:a");
  auto second = Save(db.session(), Make("SGSCB", "P-20", "P-11"), "api:b");
  ASSERT_TRUE(first.ok() && other.ok() && elsewhere.ok() && second.ok());

  auto old = GetAgreement(db.session(), first->id);
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->superseded_by, second->id);

  auto current = ListAgreements(db.session(), "SGSCB", "P-20", false);
  ASSERT_TRUE(current.ok());
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ(current->front().id, second->id);

  auto history = ListAgreements(db.session(), "SGSCB", "P-20", true);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].id, first->id);  // oldest first
  EXPECT_EQ((*history)[1].id, second->id);

  auto all_current = ListAgreements(db.session(), std::nullopt, std::nullopt, false);
  ASSERT_TRUE(all_current.ok());
  EXPECT_EQ(all_current->size(), 3u);  // P-21 and the EPUT one untouched
  auto sgscb = ListAgreements(db.session(), "SGSCB", std::nullopt, true);
  ASSERT_TRUE(sgscb.ok());
  EXPECT_EQ(sgscb->size(), 3u);
}

TEST(AgreementStoreTest, CurrentAgreementsNamingFindsLineAndNamedManagers) {
  TempSqlite db;
  Agreement line = Make("SGSCB", "P-20", "P-10");
  line.line_managers = {{"P-50", "Line Manager", "Team Leader"}};
  Agreement named = Make("SGSCB", "P-21", "P-10");
  named.named_managers = {{"P-50", "Line Manager", "Team Leader"}};
  Agreement neither = Make("SGSCB", "P-22", "P-50");  // supervisor only: not "naming"
  Agreement other_org = Make("EPUT", "P-23", "P-10");
  other_org.line_managers = {{"P-50", "Line Manager", "Team Leader"}};
  for (const auto& a : {line, named, neither, other_org}) {
    ASSERT_TRUE(Save(db.session(), a, "api:x").ok());
  }
  auto found = CurrentAgreementsNaming(db.session(), "SGSCB", "P-50");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 2u);
  std::set<std::string> supervisees = {(*found)[0].supervisee.id, (*found)[1].supervisee.id};
  EXPECT_EQ(supervisees, (std::set<std::string>{"P-20", "P-21"}));

  // Once superseded by an agreement that no longer names P-50, access goes.
  ASSERT_TRUE(Save(db.session(), Make("SGSCB", "P-20", "P-10"), "api:x").ok());
  found = CurrentAgreementsNaming(db.session(), "SGSCB", "P-50");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].supervisee.id, "P-21");
}

TEST(AgreementStoreTest, AFailedTransactionLeavesThePreviousAgreementCurrent) {
  TempSqlite db;
  auto first = Save(db.session(), Make("HSCP", "P-20", "P-10"), "api:a");
  ASSERT_TRUE(first.ok());
  {
    store::Transaction tx(db.session());
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(SaveAgreement(db.session(), Make("HSCP", "P-20", "P-11"), "api:b").ok());
    // No commit: the caller's audit entry failed, say.
  }
  auto current = ListAgreements(db.session(), "HSCP", "P-20", true);
  ASSERT_TRUE(current.ok());
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ(current->front().id, first->id);
  EXPECT_FALSE(current->front().superseded_by);
}

}  // namespace
}  // namespace sa::adapter::reports
