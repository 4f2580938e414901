#include "adapter/crypto/sealed.h"

#include <gtest/gtest.h>

#include "adapter/crypto/aes_gcm.h"
#include "adapter/crypto/key_wrap.h"

namespace sa::adapter::crypto {
namespace {

Sealed Example() {
  Sealed s;
  s.kek_id = "0123456789abcdef";
  s.wrapped_key = std::string(kWrappedKeyBytes, 'w');
  s.nonce = std::string(kGcmNonceBytes, 'n');
  s.ciphertext = std::string(40, 'c') + std::string(kGcmTagBytes, 't');
  return s;
}

TEST(SealedFormatTest, RoundTrip) {
  Sealed s = Example();
  s.ciphertext[0] = '\0';  // binary content survives
  auto back = ParseSealed(Serialize(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->kek_id, s.kek_id);
  EXPECT_EQ(back->wrapped_key, s.wrapped_key);
  EXPECT_EQ(back->nonce, s.nonce);
  EXPECT_EQ(back->ciphertext, s.ciphertext);
}

TEST(SealedFormatTest, LayoutIsPinned) {
  std::string bytes = Serialize(Example());
  EXPECT_EQ(bytes.substr(0, 4), std::string("SAE\x01", 4));
  EXPECT_EQ(bytes.substr(4, 4), std::string("\0\0\0\x10", 4));  // kek id length 16
  EXPECT_EQ(bytes.substr(8, 16), "0123456789abcdef");
  EXPECT_EQ(bytes.size(), 4 + 4 * 4 + 16 + kWrappedKeyBytes + kGcmNonceBytes + 56);
}

TEST(SealedFormatTest, EveryTruncationIsRejected) {
  std::string bytes = Serialize(Example());
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto r = ParseSealed(std::string_view(bytes).substr(0, len));
    ASSERT_FALSE(r.ok()) << "length " << len;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "length " << len;
  }
}

TEST(SealedFormatTest, TrailingBytesAreRejected) {
  std::string bytes = Serialize(Example()) + "x";
  EXPECT_EQ(ParseSealed(bytes).status().code(), StatusCode::kInvalidArgument);
}

TEST(SealedFormatTest, HugeLengthPrefixIsRejectedWithoutAllocation) {
  std::string bytes = Serialize(Example());
  bytes.replace(4, 4, std::string("\xff\xff\xff\xff", 4));
  EXPECT_EQ(ParseSealed(bytes).status().code(), StatusCode::kInvalidArgument);
}

TEST(SealedFormatTest, BadMagicAndUnknownVersionAreRejected) {
  std::string bytes = Serialize(Example());
  std::string bad_magic = bytes;
  bad_magic[0] = 'X';
  EXPECT_EQ(ParseSealed(bad_magic).status().code(), StatusCode::kInvalidArgument);
  std::string v2 = bytes;
  v2[3] = 2;
  auto r = ParseSealed(v2);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("version 2"), std::string::npos);
}

TEST(SealedFormatTest, WrongFieldSizesAreRejected) {
  auto expect_rejected = [](Sealed s) { EXPECT_EQ(ParseSealed(Serialize(s)).status().code(), StatusCode::kInvalidArgument); };
  Sealed s = Example();
  s.kek_id = "0123456789ABCDEF";
  expect_rejected(s);
  s = Example();
  s.kek_id += "0";
  expect_rejected(s);
  s = Example();
  s.wrapped_key.pop_back();
  expect_rejected(s);
  s = Example();
  s.nonce += "n";
  expect_rejected(s);
  s = Example();
  s.ciphertext = std::string(kGcmTagBytes - 1, 't');
  expect_rejected(s);
}

TEST(SealedFormatTest, EmptyPlaintextCiphertextIsJustTheTag) {
  Sealed s = Example();
  s.ciphertext = std::string(kGcmTagBytes, 't');
  EXPECT_TRUE(ParseSealed(Serialize(s)).ok());
}

}  // namespace
}  // namespace sa::adapter::crypto
