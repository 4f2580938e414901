#include "adapter/store/db.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace sa::adapter::store {
namespace {

TEST(ValueTest, AsIntReadsIntegers) {
  EXPECT_EQ(AsInt(Value(int64_t{42})).value(), 42);
  EXPECT_EQ(AsInt(Value(std::numeric_limits<int64_t>::min())).value(),
            std::numeric_limits<int64_t>::min());
}

TEST(ValueTest, AsIntAcceptsCanonicalDecimalTextOnly) {
  // SQLite returns computed columns (COUNT(*), CAST(..)) as text through Poco.
  EXPECT_EQ(AsInt(Value(std::string("-9223372036854775808"))).value(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(AsInt(Value(std::string("17"))).value(), 17);
  for (std::string bad : {"", " 1", "1 ", "+1", "1e3", "0x10", "9223372036854775808", "abc"}) {
    StatusOr<int64_t> r = AsInt(Value(bad));
    ASSERT_FALSE(r.ok()) << "'" << bad << "'";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(ValueTest, MismatchNamesTheKindFound) {
  StatusOr<int64_t> from_null = AsInt(Value());
  ASSERT_FALSE(from_null.ok());
  EXPECT_EQ(from_null.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(from_null.status().message().find("NULL"), std::string::npos);

  StatusOr<std::string> text_from_blob = AsText(Value(Blob{"ab"}));
  ASSERT_FALSE(text_from_blob.ok());
  EXPECT_NE(text_from_blob.status().message().find("blob (2 bytes)"), std::string::npos);

  StatusOr<std::string> blob_from_text = AsBlob(Value(std::string("ab")));
  ASSERT_FALSE(blob_from_text.ok());
  EXPECT_EQ(blob_from_text.status().code(), StatusCode::kInvalidArgument);
}

TEST(ValueTest, MessagesNeverQuoteText) {
  // Values can be confidential; messages end up in logs.
  StatusOr<int64_t> r = AsInt(Value(std::string("the child said something")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("child"), std::string::npos) << r.status().message();
  EXPECT_EQ(DescribeValue(Value(std::string("secret"))), "text (6 bytes)");
}

TEST(ValueTest, TextAndBlobAreDistinct) {
  EXPECT_EQ(AsText(Value(std::string("x"))).value(), "x");
  EXPECT_EQ(AsBlob(Value(Blob{std::string("\0\xff", 2)})).value(), std::string("\0\xff", 2));
  EXPECT_NE(Value(std::string("x")), Value(Blob{"x"}));
}

TEST(ValueTest, OptionalReadersMapNullToNullopt) {
  EXPECT_FALSE(AsOptionalInt(Value()).value().has_value());
  EXPECT_EQ(AsOptionalInt(Value(int64_t{3})).value(), 3);
  EXPECT_FALSE(AsOptionalText(Value()).value().has_value());
  EXPECT_EQ(AsOptionalText(Value(std::string("a"))).value(), "a");
  EXPECT_FALSE(AsOptionalText(Value(int64_t{1})).ok());
  EXPECT_TRUE(IsNull(Value()));
  EXPECT_FALSE(IsNull(Value(int64_t{0})));
}

// Records calls; fails the ones it is told to.
class RecordingSession : public DbSession {
 public:
  Status Begin() override { return Record("begin"); }
  Status Commit() override { return Record("commit"); }
  Status Rollback() override { return Record("rollback"); }
  StatusOr<int64_t> Exec(std::string_view, const std::vector<Value>&) override { return 0; }
  StatusOr<std::vector<Row>> Query(std::string_view, const std::vector<Value>&) override {
    return std::vector<Row>();
  }
  Dialect dialect() const override { return Dialect::kSqlite; }

  std::vector<std::string> calls;
  std::string fail;  // the call that fails

 private:
  Status Record(const std::string& call) {
    calls.push_back(call);
    return call == fail ? Status::Unavailable(call + " failed") : Status::Ok();
  }
};

TEST(TransactionTest, RollsBackWhenLeftUncommitted) {
  RecordingSession session;
  {
    Transaction tx(session);
    ASSERT_TRUE(tx.Begin().ok());
    EXPECT_TRUE(tx.active());
  }
  EXPECT_EQ(session.calls, (std::vector<std::string>{"begin", "rollback"}));
}

TEST(TransactionTest, DoesNothingMoreAfterCommit) {
  RecordingSession session;
  {
    Transaction tx(session);
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(tx.Commit().ok());
    EXPECT_FALSE(tx.active());
  }
  EXPECT_EQ(session.calls, (std::vector<std::string>{"begin", "commit"}));
}

TEST(TransactionTest, FailedBeginLeavesNothingToRollBack) {
  RecordingSession session;
  session.fail = "begin";
  {
    Transaction tx(session);
    EXPECT_EQ(tx.Begin().code(), StatusCode::kUnavailable);
    EXPECT_FALSE(tx.active());
  }
  EXPECT_EQ(session.calls, (std::vector<std::string>{"begin"}));
}

TEST(TransactionTest, CommitWithoutBeginIsFailedPrecondition) {
  RecordingSession session;
  Transaction tx(session);
  EXPECT_EQ(tx.Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(session.calls.empty());
}

TEST(TransactionTest, FailedCommitIsReportedAndNotRolledBackTwice) {
  // DbSession::Commit rolls back itself on failure.
  RecordingSession session;
  session.fail = "commit";
  {
    Transaction tx(session);
    ASSERT_TRUE(tx.Begin().ok());
    EXPECT_EQ(tx.Commit().code(), StatusCode::kUnavailable);
  }
  EXPECT_EQ(session.calls, (std::vector<std::string>{"begin", "commit"}));
}

}  // namespace
}  // namespace sa::adapter::store
