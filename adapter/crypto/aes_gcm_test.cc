#include "adapter/crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include <vector>

namespace sa::adapter::crypto {
namespace {

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

const std::string kZeroNonce(kGcmNonceBytes, '\0');

// NIST GCM spec (McGrew & Viega) test cases 13 and 14: AES-256, zero key and IV.
TEST(AesGcmTest, MatchesNistVectors) {
  SecretBytes key(32);
  auto empty = AesGcmEncrypt(key, kZeroNonce, "", "");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(Hex(*empty), "530f8afbc74536b9a963b4f1c4cb738b");
  auto block = AesGcmEncrypt(key, kZeroNonce, std::string(16, '\0'), "");
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(Hex(*block), "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(AesGcmTest, RoundTripWithAad) {
  SecretBytes key = SecretBytes::CopyFrom(std::string(32, 'k'));
  auto ct = AesGcmEncrypt(key, kZeroNonce, "hello", "aad");
  ASSERT_TRUE(ct.ok());
  std::string out(5, '\0');
  ASSERT_TRUE(AesGcmDecrypt(key, kZeroNonce, *ct, "aad", reinterpret_cast<uint8_t*>(out.data())).ok());
  EXPECT_EQ(out, "hello");
}

TEST(AesGcmTest, BadTagIsPermissionDeniedAndWipesOutput) {
  SecretBytes key = SecretBytes::CopyFrom(std::string(32, 'k'));
  auto ct = AesGcmEncrypt(key, kZeroNonce, "CANARY-crypto-gcm", "aad");
  ASSERT_TRUE(ct.ok());
  std::string out(ct->size() - kGcmTagBytes, '\xAA');
  Status s = AesGcmDecrypt(key, kZeroNonce, *ct, "other aad", reinterpret_cast<uint8_t*>(out.data()));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(out, std::string(out.size(), '\0'));  // unauthenticated plaintext did not survive
}

TEST(AesGcmTest, WrongSizesAreRejected) {
  SecretBytes key(32);
  EXPECT_FALSE(AesGcmEncrypt(SecretBytes(16), kZeroNonce, "x", "").ok());
  EXPECT_FALSE(AesGcmEncrypt(key, std::string(8, '\0'), "x", "").ok());
  uint8_t out[1];
  EXPECT_EQ(AesGcmDecrypt(key, kZeroNonce, std::string(15, '\0'), "", out).code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace sa::adapter::crypto
