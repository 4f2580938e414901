#include "adapter/crypto/key_wrap.h"

#include <gtest/gtest.h>

#include "adapter/crypto/openssl_util.h"
#include "adapter/crypto/test_keys.h"

namespace sa::adapter::crypto {
namespace {

using testing::NewTestKek;

TEST(KeyWrapTest, AadFormatIsPinned) {
  EXPECT_EQ(KeyWrapAad("0123456789abcdef", "rec"), "sa-dek-v1|0123456789abcdef|rec");
}

TEST(KeyWrapTest, RoundTripAndFreshNonceEachTime) {
  Kek kek = NewTestKek();
  auto key = RandomSecret(kDataKeyBytes);
  ASSERT_TRUE(key.ok());
  auto w1 = WrapKey(kek, *key, "row-1");
  auto w2 = WrapKey(kek, *key, "row-1");
  ASSERT_TRUE(w1.ok() && w2.ok());
  EXPECT_EQ(w1->size(), kWrappedKeyBytes);
  EXPECT_NE(*w1, *w2);
  auto back = UnwrapKey(kek, *w1, "row-1");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == *key);
}

TEST(KeyWrapTest, OtherAadOtherKekOrFlippedByteFails) {
  Kek kek = NewTestKek();
  Kek other = NewTestKek();
  auto key = RandomSecret(kDataKeyBytes);
  ASSERT_TRUE(key.ok());
  auto wrapped = WrapKey(kek, *key, "row-1");
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(UnwrapKey(kek, *wrapped, "row-2").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(UnwrapKey(other, *wrapped, "row-1").status().code(), StatusCode::kPermissionDenied);
  // Same key bytes under a different id: the id is in the AAD, so this fails too.
  Kek relabelled{other.id, kek.key};
  EXPECT_EQ(UnwrapKey(relabelled, *wrapped, "row-1").status().code(), StatusCode::kPermissionDenied);
  for (size_t i = 0; i < wrapped->size(); ++i) {
    std::string bad = *wrapped;
    bad[i] ^= 0x01;
    EXPECT_EQ(UnwrapKey(kek, bad, "row-1").status().code(), StatusCode::kPermissionDenied) << "byte " << i;
  }
  EXPECT_EQ(UnwrapKey(kek, wrapped->substr(1), "row-1").status().code(), StatusCode::kPermissionDenied);
}

TEST(KeyWrapTest, RejectsMalformedKekAndKey) {
  Kek kek = NewTestKek();
  EXPECT_EQ(WrapKey(kek, SecretBytes(16), "r").status().code(), StatusCode::kInvalidArgument);
  Kek bad_id{"not-an-id", kek.key};
  EXPECT_EQ(WrapKey(bad_id, SecretBytes(32), "r").status().code(), StatusCode::kInvalidArgument);
  Kek short_key{kek.id, SecretBytes(16)};
  EXPECT_EQ(WrapKey(short_key, SecretBytes(32), "r").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sa::adapter::crypto
