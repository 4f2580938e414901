// Wrapping a 32-byte key (a record's data key, or the keyed-hash key) under
// the KEK with AES-256-GCM.
//
// The wrap is bound to the KEK id and to the record's AAD:
//   AAD = "sa-dek-v1|" + kek.id + "|" + record_aad
// so a wrapped key copied onto another row (different record AAD) or relabelled
// with another KEK id fails to unwrap. The KEK id is always 16 hex chars, so
// the "|" separators are unambiguous.
//
// Wrapped form: nonce (12) | encrypted key (32) | tag (16) = 60 bytes.
#ifndef SA_ADAPTER_CRYPTO_KEY_WRAP_H_
#define SA_ADAPTER_CRYPTO_KEY_WRAP_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "adapter/crypto/aes_gcm.h"
#include "adapter/crypto/kek.h"
#include "adapter/crypto/secret_bytes.h"
#include "fhir/status.h"

namespace sa::adapter::crypto {

// Size of a key that can be wrapped (a data key or keyed-hash key).
inline constexpr size_t kDataKeyBytes = 32;
// Size of a wrapped key: nonce | encrypted key | tag.
inline constexpr size_t kWrappedKeyBytes = kGcmNonceBytes + kDataKeyBytes + kGcmTagBytes;

// The AAD used for the wrap, exposed so its format is pinned by a test.
std::string KeyWrapAad(std::string_view kek_id, std::string_view record_aad);

// Wraps `key` (32 bytes) under `kek` with a fresh random nonce, bound to `record_aad`.
StatusOr<std::string> WrapKey(const Kek& kek, const SecretBytes& key, std::string_view record_aad);

// Unwraps a key wrapped by WrapKey; wrong KEK, wrong AAD or any altered byte → PermissionDenied.
StatusOr<SecretBytes> UnwrapKey(const Kek& kek, std::string_view wrapped, std::string_view record_aad);

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_KEY_WRAP_H_
