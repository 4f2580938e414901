#include "adapter/crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sa::adapter::crypto {
namespace {

TEST(SecretBytesTest, CopyFromKeepsBytesAndSize) {
  SecretBytes s = SecretBytes::CopyFrom(std::string_view("ab\0c", 4));
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.data()[0], 'a');
  EXPECT_EQ(s.data()[2], 0);
  EXPECT_EQ(s.data()[3], 'c');
}

TEST(SecretBytesTest, EqualityComparesContentAndSize) {
  EXPECT_TRUE(SecretBytes::CopyFrom("key") == SecretBytes::CopyFrom("key"));
  EXPECT_FALSE(SecretBytes::CopyFrom("key") == SecretBytes::CopyFrom("kez"));
  EXPECT_FALSE(SecretBytes::CopyFrom("key") == SecretBytes::CopyFrom("keys"));
  EXPECT_TRUE(SecretBytes() == SecretBytes());
}

TEST(SecretBytesTest, ClearWipesAndEmpties) {
  SecretBytes s = SecretBytes::CopyFrom("secret");
  s.Clear();
  EXPECT_TRUE(s.empty());
}

TEST(SecretBytesTest, MoveLeavesSourceEmptyAndAssignmentReplaces) {
  SecretBytes a = SecretBytes::CopyFrom("first");
  SecretBytes b = SecretBytes::CopyFrom("second");
  b = std::move(a);
  EXPECT_TRUE(b == SecretBytes::CopyFrom("first"));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
  SecretBytes c = SecretBytes::CopyFrom("third-longer");
  c = b;
  EXPECT_TRUE(c == SecretBytes::CopyFrom("first"));
}

TEST(SecretBytesTest, StreamingPrintsSizeNeverContent) {
  std::ostringstream os;
  os << SecretBytes::CopyFrom("CANARY-crypto-stream");
  EXPECT_EQ(os.str(), "SecretBytes(20 bytes, redacted)");
}

}  // namespace
}  // namespace sa::adapter::crypto
