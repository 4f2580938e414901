// Test-only helpers shared by the *_test.cc files in adapter/crypto.
#ifndef SA_ADAPTER_CRYPTO_TEST_KEYS_H_
#define SA_ADAPTER_CRYPTO_TEST_KEYS_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapter/crypto/kek.h"

namespace sa::adapter::crypto::testing {

// A fresh random KEK; fails the calling test if OpenSSL cannot make one.
inline Kek NewTestKek() {
  auto b64 = GenerateKekBase64();
  EXPECT_TRUE(b64.ok()) << b64.status().ToString();
  auto kek = ParseKekBase64(b64.ok() ? *b64 : std::string(), "test KEK");
  EXPECT_TRUE(kek.ok()) << kek.status().ToString();
  return kek.ok() ? std::move(kek).value() : Kek{};
}

// The key bytes as a std::string, to assert they never appear in a message.
inline std::string KeyText(const SecretBytes& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

}  // namespace sa::adapter::crypto::testing

#endif  // SA_ADAPTER_CRYPTO_TEST_KEYS_H_
