// The anchor catches tail truncation and re-hashed rewrites up to the anchored
// entry, refuses to paper over tampering, and has the documented limit.
#include "adapter/audit/anchor.h"

#include <gtest/gtest.h>

#include <string>

#include "adapter/audit/audit_test_util.h"

namespace sa::adapter::audit {
namespace {

using testing::AuditDbTest;

const std::string kHash(64, 'a');

TEST(ParseAnchorTest, AcceptsSeqColonHashOnly) {
  std::optional<Anchor> a = ParseAnchor("100:" + kHash);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->seq, 100);
  EXPECT_EQ(a->hash, kHash);
  for (const std::string& bad :
       {std::string(""), ":" + kHash, "0:" + kHash, "-1:" + kHash, "010:" + kHash, "1x:" + kHash,
        "100:" + kHash + "a", "100:" + std::string(64, 'A'), "100" + kHash,
        "99999999999999999999:" + kHash}) {
    EXPECT_FALSE(ParseAnchor(bad).has_value()) << bad;
  }
}

class AnchorTest : public AuditDbTest {
 protected:
  // WriteAnchor in its own transaction, as anchor.h asks.
  Status AnchorNow() {
    store::Transaction tx(*session_);
    SA_RETURN_IF_ERROR(tx.Begin());
    SA_RETURN_IF_ERROR(WriteAnchor(*session_));
    return tx.Commit();
  }
  std::string AnchorValue() {
    StatusOr<std::optional<std::string>> v = ReadAnchorValue(*session_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() && *v ? **v : "";
  }
  std::string HashOf(int64_t seq) {
    StatusOr<std::vector<store::Row>> rows =
        session_->Query("SELECT hash FROM audit_log WHERE seq = ?", {seq});
    return rows.ok() && rows->size() == 1 ? store::AsText((*rows)[0][0]).value() : "";
  }
};

TEST_P(AnchorTest, RecordsTheHeadAndMovesForward) {
  AppendRange(1, 100);
  SA_ASSERT_OK(AnchorNow());
  EXPECT_EQ(AnchorValue(), "100:" + HashOf(100));
  EXPECT_TRUE(MustVerify().intact);
  AppendRange(101, 110);
  SA_ASSERT_OK(AnchorNow());
  EXPECT_EQ(AnchorValue(), "110:" + HashOf(110));
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.intact) << RenderReport(report);
  EXPECT_EQ(report.entries, 110);
}

TEST_P(AnchorTest, TailTruncationBelowTheAnchorIsDetected) {
  AppendRange(1, 100);
  SA_ASSERT_OK(AnchorNow());
  Sql("DELETE FROM audit_log WHERE seq > 95");
  VerifyReport report = MustVerify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 96);  // the first missing seq
  EXPECT_EQ(report.entries, 95);
  EXPECT_EQ(report.problem,
            "entries 96 to 100 are missing (the log ends at entry 95 but the anchor records "
            "entry 100)");
}

TEST_P(AnchorTest, EmptiedLogIsDetected) {
  AppendRange(1, 10);
  SA_ASSERT_OK(AnchorNow());
  Sql("DELETE FROM audit_log");
  VerifyReport report = MustVerify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 1);
  EXPECT_NE(report.problem.find("the log is empty"), std::string::npos) << report.problem;
}

TEST_P(AnchorTest, RehashedRewriteUpToTheAnchorIsDetectedAtTheAnchor) {
  AppendRange(1, 100);
  SA_ASSERT_OK(AnchorNow());
  RewriteAndRehash(37, 100, "TAMPERED");  // every hash and link consistent again
  VerifyReport report = MustVerify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 100);
  EXPECT_NE(report.problem.find("anchored"), std::string::npos) << report.problem;
}

TEST_P(AnchorTest, EntriesAfterTheLastAnchorCanBeTruncatedUndetected_DocumentedLimit) {
  AppendRange(1, 100);
  SA_ASSERT_OK(AnchorNow());
  AppendRange(101, 105);
  Sql("DELETE FROM audit_log WHERE seq > 100");
  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.intact);
  EXPECT_EQ(report.entries, 100);
}

TEST_P(AnchorTest, WriteAnchorRefusesToCoverTampering) {
  AppendRange(1, 100);
  EXPECT_EQ(AnchorValue(), "");
  SA_ASSERT_OK(AnchorNow());
  const std::string anchored = AnchorValue();

  Sql("DELETE FROM audit_log WHERE seq > 95");  // truncated below the anchor
  EXPECT_EQ(AnchorNow().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AnchorValue(), anchored);

  {  // entries 96..100 appended again, at other times: entry 100 has another hash
    store::Transaction tx(*session_);
    SA_ASSERT_OK(tx.Begin());
    for (int i = 96; i <= 100; ++i) {
      SA_ASSERT_OK(Append(*session_, testing::RecordFor(i), testing::AtFor(i + 1000)));
    }
    SA_ASSERT_OK(tx.Commit());
  }
  EXPECT_EQ(AnchorNow().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AnchorValue(), anchored);

  Sql("UPDATE sync_state SET value = 'garbage' WHERE name = 'audit-anchor'");
  EXPECT_EQ(AnchorNow().code(), StatusCode::kFailedPrecondition);
}

TEST_P(AnchorTest, WriteAnchorOnAnEmptyLogIsRefused) {
  EXPECT_EQ(AnchorNow().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CountRows("sync_state").value(), 0);
}

TEST_P(AnchorTest, MalformedAnchorIsReported) {
  AppendRange(1, 10);
  Sql("INSERT INTO sync_state (name, value) VALUES ('audit-anchor', 'garbage')");
  VerifyReport report = MustVerify();
  EXPECT_FALSE(report.intact);
  EXPECT_FALSE(report.first_bad_seq.has_value());
  EXPECT_EQ(report.entries, 10);
  EXPECT_NE(report.problem.find("anchor"), std::string::npos) << report.problem;
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(AnchorTest);

}  // namespace
}  // namespace sa::adapter::audit
