#include "adapter/crypto/keyed_hash.h"

#include <gtest/gtest.h>

namespace sa::adapter::crypto {
namespace {

SecretBytes CountingKey() {
  SecretBytes key(32);
  for (size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<uint8_t>(i);
  return key;
}

// Expected value computed independently (Python hmac) over
// "sa-kh-v1" | 00 00 00 03 | "nhs" | "9434765919" with key 00 01 .. 1f.
TEST(KeyedHasherTest, MatchesIndependentHmacOfDocumentedEncoding) {
  KeyedHasher h(CountingKey());
  auto hash = h.Hash(kNhsDomain, "9434765919");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(*hash, "2101567fd7a830f2c6ecb54b471214336781e444c6c3ab150219add4b0b5768e");
}

TEST(KeyedHasherTest, DeterministicForSameKeyDomainAndValue) {
  auto key = NewRandomKey();
  ASSERT_TRUE(key.ok());
  KeyedHasher a(*key);
  KeyedHasher b(*key);
  auto h1 = a.Hash(kStaffDomain, "E12345");
  auto h2 = b.Hash(kStaffDomain, "E12345");
  ASSERT_TRUE(h1.ok() && h2.ok());
  EXPECT_EQ(*h1, *h2);
  EXPECT_EQ(h1->size(), 64u);
  EXPECT_NE(*h1, *a.Hash(kStaffDomain, "E12346"));
}

TEST(KeyedHasherTest, DomainSeparated) {
  KeyedHasher h(CountingKey());
  auto staff = h.Hash(kStaffDomain, "1234567890");
  auto nhs = h.Hash(kNhsDomain, "1234567890");
  ASSERT_TRUE(staff.ok() && nhs.ok());
  EXPECT_NE(*staff, *nhs);
  // Moving bytes between domain and value must not collide.
  EXPECT_NE(*h.Hash("ab", "c"), *h.Hash("a", "bc"));
}

TEST(KeyedHasherTest, DiffersByKey) {
  auto k1 = NewRandomKey();
  auto k2 = NewRandomKey();
  ASSERT_TRUE(k1.ok() && k2.ok());
  EXPECT_FALSE(*k1 == *k2);
  EXPECT_NE(*KeyedHasher(*k1).Hash(kNhsDomain, "9434765919"), *KeyedHasher(*k2).Hash(kNhsDomain, "9434765919"));
}

TEST(KeyedHasherTest, OutputDoesNotContainValue) {
  KeyedHasher h(CountingKey());
  auto hash = h.Hash(kNhsDomain, "9434765919");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->find("9434765919"), std::string::npos);
}

TEST(KeyedHasherTest, RejectsShortKeyAndEmptyDomain) {
  EXPECT_EQ(KeyedHasher(SecretBytes(16)).Hash(kNhsDomain, "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyedHasher(CountingKey()).Hash("", "x").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sa::adapter::crypto
