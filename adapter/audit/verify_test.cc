// Verify finds each kind of tampering (done with raw SQL, as someone with
// database access would), names the entry, and never quotes field contents
// (MustVerify checks that on every report), on SQLite and PostgreSQL.
#include "adapter/audit/verify.h"

#include <gtest/gtest.h>

#include <string>

#include "adapter/audit/audit_test_util.h"

namespace sa::adapter::audit {
namespace {

using testing::AuditDbTest;

class VerifyTest : public AuditDbTest {
 protected:
  void ExpectBrokenAt(const VerifyReport& report, int64_t seq) {
    EXPECT_FALSE(report.intact);
    EXPECT_EQ(report.first_bad_seq, seq) << RenderReport(report);
    EXPECT_FALSE(report.problem.empty());
  }
};

TEST_P(VerifyTest, EmptyLogIsIntact) {
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.intact);
  EXPECT_EQ(report.entries, 0);
  EXPECT_EQ(RenderReport(report), "audit log intact: 0 entries");
}

TEST_P(VerifyTest, HundredEntriesAreIntact) {
  AppendRange(1, 100);
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.intact) << RenderReport(report);
  EXPECT_EQ(report.entries, 100);
  EXPECT_FALSE(report.first_bad_seq.has_value());
  EXPECT_EQ(report.problem, "");
  EXPECT_EQ(RenderReport(report), "audit log intact: 100 entries");
}

TEST_P(VerifyTest, EditedFieldOfEntry37IsFoundAt37) {
  AppendRange(1, 100);
  for (const char* column : {"at", "actor", "action", "object", "outcome", "detail"}) {
    SCOPED_TRACE(column);
    const std::string select = std::string("SELECT ") + column + " FROM audit_log WHERE seq = 37";
    SA_ASSERT_OK_AND_ASSIGN(std::vector<store::Row> original, session_->Query(select));
    ASSERT_EQ(original.size(), 1u);
    const std::string update =
        std::string("UPDATE audit_log SET ") + column + " = ? WHERE seq = 37";
    const std::string forged =
        std::string(column) == "at" ? "2024-05-01T09:00:38.037Z" : "TAMPERED";
    Sql(update, {forged});
    VerifyReport report = MustVerify();
    ExpectBrokenAt(report, 37);
    EXPECT_EQ(report.entries, 36);
    EXPECT_NE(report.problem.find("does not match its contents"), std::string::npos);

    Sql(update, {original[0][0]});  // put it back: intact again
    EXPECT_TRUE(MustVerify().intact);
  }
}

TEST_P(VerifyTest, DetailSetToNullIsAnEditUnlessItWasEmpty) {
  AppendRange(1, 100);
  Sql("UPDATE audit_log SET detail = NULL WHERE seq = 36");  // 36's detail is '': same meaning
  EXPECT_TRUE(MustVerify().intact);
  Sql("UPDATE audit_log SET detail = NULL WHERE seq = 37");
  ExpectBrokenAt(MustVerify(), 37);
}

// first_bad_seq for missing entries is the first MISSING seq (verify.h).
TEST_P(VerifyTest, DeletedEntry50IsReportedAt50) {
  AppendRange(1, 100);
  Sql("DELETE FROM audit_log WHERE seq = 50");
  VerifyReport report = MustVerify();
  ExpectBrokenAt(report, 50);
  EXPECT_EQ(report.entries, 49);
  EXPECT_EQ(RenderReport(report),
            "audit log NOT intact at entry 50: entry 50 is missing (entry 49 is followed by "
            "entry 51) (49 entries checked good before it)");
}

TEST_P(VerifyTest, SwappedSeqsOf20And21AreDetectedAt20) {
  AppendRange(1, 100);
  Sql("UPDATE audit_log SET seq = -21 WHERE seq = 21");
  Sql("UPDATE audit_log SET seq = 21 WHERE seq = 20");
  Sql("UPDATE audit_log SET seq = 20 WHERE seq = -21");
  VerifyReport report = MustVerify();
  ExpectBrokenAt(report, 20);
  EXPECT_EQ(report.entries, 19);
}

TEST_P(VerifyTest, DeletedRange60To70IsReportedAt60) {
  AppendRange(1, 100);
  Sql("DELETE FROM audit_log WHERE seq BETWEEN 60 AND 70");
  VerifyReport report = MustVerify();
  ExpectBrokenAt(report, 60);
  EXPECT_EQ(report.entries, 59);
  EXPECT_NE(report.problem.find("entries 60 to 70 are missing"), std::string::npos)
      << report.problem;
}

TEST_P(VerifyTest, DeletedHeadOfTheLogIsReportedAt1) {
  AppendRange(1, 100);
  Sql("DELETE FROM audit_log WHERE seq <= 4");
  VerifyReport report = MustVerify();
  ExpectBrokenAt(report, 1);
  EXPECT_NE(report.problem.find("the log starts at entry 5"), std::string::npos) << report.problem;
}

TEST_P(VerifyTest, EditedHashOfEntry80IsDetectedAt80) {
  AppendRange(1, 100);
  Sql("UPDATE audit_log SET hash = ? WHERE seq = 80", {std::string(64, 'a')});
  ExpectBrokenAt(MustVerify(), 80);
  Sql("UPDATE audit_log SET hash = 'not-a-hash' WHERE seq = 80");
  VerifyReport report = MustVerify();
  ExpectBrokenAt(report, 80);
  EXPECT_NE(report.problem.find("malformed"), std::string::npos) << report.problem;
}

TEST_P(VerifyTest, ReplacedAndRehashedEntryIsCaughtByTheNextLink) {
  AppendRange(1, 100);
  RewriteAndRehash(37, 37, "TAMPERED");  // 37 is self-consistent; 38 still links to the old 37
  VerifyReport report = MustVerify();
  ExpectBrokenAt(report, 38);
  EXPECT_NE(report.problem.find("prev_hash"), std::string::npos) << report.problem;
}

// The limits an anchor (anchor_test.cc) exists for.
TEST_P(VerifyTest, TailTruncationAndFullRehashGoUnnoticedWithoutAnAnchor_DocumentedLimit) {
  AppendRange(1, 100);
  Sql("DELETE FROM audit_log WHERE seq > 95");
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.intact);
  EXPECT_EQ(report.entries, 95);
  RewriteAndRehash(37, 95, "TAMPERED");
  EXPECT_TRUE(MustVerify().intact);
}

TEST_P(VerifyTest, PagingDoesNotChangeTheVerdict) {
  AppendRange(1, 100);
  for (int64_t page : {1, 7, 50, 99, 100, 101}) {
    VerifyReport report = MustVerify({page});
    EXPECT_TRUE(report.intact) << page;
    EXPECT_EQ(report.entries, 100) << page;
  }
  Sql("DELETE FROM audit_log WHERE seq = 51");  // the first entry of a page of 10 or 50
  for (int64_t page : {1, 10, 50}) ExpectBrokenAt(MustVerify({page}), 51);
  EXPECT_EQ(Verify(*session_, {0}).status().code(), StatusCode::kInvalidArgument);
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(VerifyTest);

}  // namespace
}  // namespace sa::adapter::audit
