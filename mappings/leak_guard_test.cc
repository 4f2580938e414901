#include "mappings/leak_guard.h"

#include <gtest/gtest.h>

namespace sa::mappings {
namespace {

const std::vector<LeakSource> kSources = {
    {"/cases/0/discussion/assessment",
     "Mum disclosed that her partner hits her when he has been drinking, and the children hear it."},
    {"/cases/0/discussion/situation", "Eviction notice served"},
    {"/practitioner/competenceConcern", "Missed two home visits"},
    {"/practitioner/support", "Tired"},
};

TEST(LeakGuardTest, NormalisesCaseWhitespaceAndPunctuation) {
  std::vector<std::string> w = NormalizeWords("  Mum’s  PARTNER—hits\u00A0her… (again)!");
  std::vector<std::string> expected = {"mum", "s", "partner", "hits", "her", "again"};
  EXPECT_EQ(w, expected);
}

// False negatives the guard must not have: verbatim and lightly disguised quotes.
TEST(LeakGuardTest, CatchesVerbatimQuote) {
  LeakGuard g(kSources);
  auto f = g.Check("Follow up: partner hits her when he has been drinking");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->source_pointer, "/cases/0/discussion/assessment");
  EXPECT_EQ(f->words, kShingleWords);
}

TEST(LeakGuardTest, CatchesQuoteWithChangedCaseSpacingAndPunctuation) {
  LeakGuard g(kSources);
  EXPECT_TRUE(g.Check("PARTNER   HITS her, when he...has been DRINKING!!").has_value());
  EXPECT_TRUE(g.Check("partner\nhits\ther when-he has been drinking").has_value());
}

TEST(LeakGuardTest, CatchesWholeShortConfidentialText) {
  LeakGuard g(kSources);
  auto f = g.Check("Housing: eviction notice served; refer to housing team");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->source_pointer, "/cases/0/discussion/situation");
  EXPECT_TRUE(g.Check("Note that she MISSED two home-visits").has_value());
}

TEST(LeakGuardTest, CatchesQuoteInsideJsonDocument) {
  LeakGuard g(kSources);
  nlohmann::json bundle = {{"resourceType", "Bundle"},
                           {"entry", {{{"resource", {{"description", "Mum disclosed that her partner hits her"}}}}}}};
  EXPECT_TRUE(g.CheckJson(bundle).has_value());
}

// CheckJson reuses one word buffer for every string: a clean string before a
// leaking one, a leak in a member name, and words with non-ASCII letters.
TEST(LeakGuardTest, EveryStringOfADocumentIsCheckedOnItsOwn) {
  LeakGuard g(std::vector<LeakSource>{
      {"/cases/0/discussion/analysis", "Zoë told her teacher that Chloé is scared at home"}});
  nlohmann::json clean = {{"a", "Zoë told"}, {"b", "her teacher"}, {"c", "Chloé is scared at home"}};
  EXPECT_FALSE(g.CheckJson(clean).has_value());  // no six words in one string
  nlohmann::json leaking = {{"a", "Review with Zoë"}, {"b", "zoë TOLD her teacher that Chloé, again"}};
  EXPECT_TRUE(g.CheckJson(leaking).has_value());
  nlohmann::json in_a_name = {{"told her teacher that chloé is", true}};
  EXPECT_TRUE(g.CheckJson(in_a_name).has_value());
  EXPECT_EQ(NormalizeWords("Zoë—told"), (std::vector<std::string>{"zoë", "told"}));
}

// False positives the guard must not have: ordinary plan language.
TEST(LeakGuardTest, AllowsActionsThatShareOnlyShortPhrases) {
  LeakGuard g(kSources);
  EXPECT_FALSE(g.Check("Home visit to discuss drinking and its effect on the children").has_value());
  EXPECT_FALSE(g.Check("Refer mum to domestic abuse service by Friday").has_value());
  EXPECT_FALSE(g.Check("Book two home visits before review").has_value());
}

TEST(LeakGuardTest, IgnoresVeryShortConfidentialTexts) {
  // "Tired" is one word: matching it would hold every plan that says "tired".
  LeakGuard g(kSources);
  EXPECT_FALSE(g.Check("Check whether the baby seems tired at nursery").has_value());
}

// Documented limits: what the guard does not catch.
TEST(LeakGuardTest, KnownLimit_ParaphraseAndShortFragmentsPass) {
  LeakGuard g(kSources);
  EXPECT_FALSE(g.Check("Mother says partner is violent after alcohol").has_value());  // paraphrase
  EXPECT_FALSE(g.Check("partner hits her when he").has_value());                    // 5 of 6 words
}

TEST(LeakGuardTest, EmptySourcesFindNothing) {
  LeakGuard g({});
  EXPECT_FALSE(g.Check("anything at all here in this text").has_value());
}

}  // namespace
}  // namespace sa::mappings
