#include "adapter/crypto/aad.h"

#include <gtest/gtest.h>

#include <set>

namespace sa::adapter::crypto {
namespace {

TEST(RecordAadTest, EncodingIsPinned) {
  std::string expected = "sa-aad-v1";
  expected += std::string("\0\0\0\0\0\0\0\x02", 8) + "r1";
  expected += std::string("\0\0\0\0\0\0\0\x04", 8) + "form";
  expected += std::string("\0\0\0\0\0\0\0\x07", 8);
  EXPECT_EQ(RecordAad("r1", "form", 7), expected);
}

TEST(RecordAadTest, DistinctTriplesGiveDistinctAads) {
  std::set<std::string> seen;
  const std::pair<std::string, std::string> parts[] = {
      {"ab", "c"}, {"a", "bc"}, {"abc", ""}, {"", "abc"}, {"a|b", "c"}, {"a", "b|c"},
  };
  for (const auto& [id, kind] : parts) {
    for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, INT64_MAX, INT64_MIN}) {
      EXPECT_TRUE(seen.insert(RecordAad(id, kind, v)).second) << id << "/" << kind << "/" << v;
    }
  }
}

TEST(RecordAadTest, Deterministic) { EXPECT_EQ(RecordAad("x", "y", 3), RecordAad("x", "y", 3)); }

}  // namespace
}  // namespace sa::adapter::crypto
