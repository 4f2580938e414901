// TxState: the transaction bookkeeping the sessions share (db.h's contract).
#include "adapter/store/tx_state.h"

#include <gtest/gtest.h>

namespace sa::adapter::store {
namespace {

TEST(TxStateTest, BeginCommitAndTheFirstErrorOnly) {
  TxState tx;
  EXPECT_FALSE(tx.open());
  EXPECT_EQ(tx.CheckCanCommit().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(tx.CheckCanBegin().ok());
  tx.Began();
  EXPECT_TRUE(tx.open());
  EXPECT_EQ(tx.CheckCanBegin().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(tx.CheckNotAborted().ok());
  tx.Track(Status::Ok());
  EXPECT_FALSE(tx.aborted());
  tx.Track(Status::Conflict("first"));
  tx.Track(Status::Unavailable("second"));
  EXPECT_TRUE(tx.aborted());
  Status refused = tx.CheckNotAborted();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("first"), std::string::npos);
  EXPECT_EQ(refused.message().find("second"), std::string::npos);
  EXPECT_NE(tx.AbortedCommit().message().find("rolled back"), std::string::npos);
  tx.Ended();
  EXPECT_FALSE(tx.open());
  EXPECT_FALSE(tx.aborted());
  // Outside a transaction an error is not remembered.
  tx.Track(Status::Conflict("outside"));
  EXPECT_FALSE(tx.aborted());
}

}  // namespace
}  // namespace sa::adapter::store
