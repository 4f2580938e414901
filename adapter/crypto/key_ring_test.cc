#include "adapter/crypto/key_ring.h"

#include <gtest/gtest.h>

#include "adapter/crypto/test_keys.h"

namespace sa::adapter::crypto {
namespace {

using testing::NewTestKek;

TEST(KeyRingTest, FindsActiveAndRetiredById) {
  Kek active = NewTestKek();
  Kek old = NewTestKek();
  KeyRing ring(active);
  ASSERT_TRUE(ring.AddRetired(old).ok());
  EXPECT_EQ(ring.active().id, active.id);
  auto a = ring.Find(active.id);
  auto o = ring.Find(old.id);
  ASSERT_TRUE(a.ok() && o.ok());
  EXPECT_TRUE((*a)->key == active.key);
  EXPECT_TRUE((*o)->key == old.key);
  EXPECT_EQ(ring.Ids(), (std::vector<std::string>{active.id, old.id}));
}

TEST(KeyRingTest, UnknownIdIsFailedPreconditionNamingIt) {
  KeyRing ring(NewTestKek());
  auto r = ring.Find("00112233aabbccdd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("00112233aabbccdd"), std::string::npos);
}

TEST(KeyRingTest, MalformedIdIsNotEchoed) {
  KeyRing ring(NewTestKek());
  auto r = ring.Find("CANARY-crypto-id");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message().find("CANARY-crypto-"), std::string::npos);
}

TEST(KeyRingTest, AddingSameKekTwiceIsNoOpButIdClashIsConflict) {
  Kek active = NewTestKek();
  KeyRing ring(active);
  EXPECT_TRUE(ring.AddRetired(active).ok());
  Kek clash{active.id, NewTestKek().key};
  EXPECT_EQ(ring.AddRetired(clash).code(), StatusCode::kConflict);
  EXPECT_EQ(ring.Ids().size(), 1u);
}

}  // namespace
}  // namespace sa::adapter::crypto
