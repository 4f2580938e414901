// Keyed hashes (HMAC-SHA256) for look-up identifiers stored beside ciphertext.
//
// Supervisee staff ids and NHS numbers must be searchable without being stored
// in clear. An unkeyed hash of a 10-digit NHS number is reversed by trying all
// of them; an HMAC under a secret key is not. Hashes are domain-separated, so
// the same string as a staff id and as an NHS number hashes differently, and
// the input is encoded unambiguously:
//   "sa-kh-v1" | u32be(len(domain)) | domain | value
// Hash compares exact bytes: callers canonicalise values first (e.g. strip the
// spaces in "943 476 5919").
//
// The HMAC key is 32 random bytes (NewRandomKey); the adapter keeps it in the
// database wrapped by the KEK (WrapKey/UnwrapKey in key_wrap.h).
#ifndef SA_ADAPTER_CRYPTO_KEYED_HASH_H_
#define SA_ADAPTER_CRYPTO_KEYED_HASH_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "adapter/crypto/secret_bytes.h"
#include "fhir/status.h"

namespace sa::adapter::crypto {

// Size of a keyed-hash key: SHA-256 output size, the full strength of HMAC-SHA256.
inline constexpr size_t kKeyedHashKeyBytes = 32;
// Domains in use, so call sites do not spell them by hand.
inline constexpr std::string_view kStaffDomain = "staff";
inline constexpr std::string_view kNhsDomain = "nhs";

class KeyedHasher {
 public:
  // Hashes under `key`, which must be kKeyedHashKeyBytes long (checked by Hash).
  explicit KeyedHasher(SecretBytes key) : key_(std::move(key)) {}

  // Lower-case hex HMAC-SHA256 of `value` in `domain` (non-empty, e.g. "staff", "nhs").
  StatusOr<std::string> Hash(std::string_view domain, std::string_view value) const;

 private:
  SecretBytes key_;
};

// A fresh random keyed-hash key, created once per installation.
StatusOr<SecretBytes> NewRandomKey();

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_KEYED_HASH_H_
