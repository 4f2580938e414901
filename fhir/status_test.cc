#include "fhir/status.h"

#include <gtest/gtest.h>

namespace sa {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  SA_ASSIGN_OR_RETURN(int h, Half(x));
  SA_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkByDefaultAndNamedCodes) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status::Unavailable("x").ToString(), "unavailable: x");
  EXPECT_EQ(Status::Ok().ToString(), "ok");
}

TEST(StatusTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  StatusOr<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sa
