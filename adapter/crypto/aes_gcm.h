// AES-256-GCM, the one cipher in this folder, behind two small functions.
//
// Both the record ciphertext and the wrapped data key use it; keeping the
// EVP_CIPHER_CTX dance in one place means one set of checks (every return
// value, nonce and tag sizes) and one place that wipes unauthenticated
// plaintext when a tag does not verify.
#ifndef SA_ADAPTER_CRYPTO_AES_GCM_H_
#define SA_ADAPTER_CRYPTO_AES_GCM_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapter/crypto/secret_bytes.h"
#include "fhir/status.h"

namespace sa::adapter::crypto {

// AES-256 key size in bytes.
inline constexpr size_t kAesKeyBytes = 32;
// GCM nonce: 96 bits, the size GCM is designed for (no GHASH of the IV).
inline constexpr size_t kGcmNonceBytes = 12;
// GCM tag: the full 128 bits.
inline constexpr size_t kGcmTagBytes = 16;
// Largest plaintext or AAD this wrapper accepts: EVP lengths are ints, and a
// record (a discussion form) is far smaller than this.
inline constexpr size_t kMaxGcmInputBytes = size_t{1} << 30;

// Encrypts `plaintext` under `key` and `nonce`, authenticating `aad`; returns ciphertext|tag.
StatusOr<std::string> AesGcmEncrypt(const SecretBytes& key, std::string_view nonce, std::string_view plaintext,
                                    std::string_view aad);

// Decrypts ciphertext|tag into `out` (exactly ciphertext_and_tag.size() - 16
// bytes). Tag mismatch → PermissionDenied; `out` is wiped on any failure
// because GCM writes plaintext before it can check the tag.
Status AesGcmDecrypt(const SecretBytes& key, std::string_view nonce, std::string_view ciphertext_and_tag,
                     std::string_view aad, uint8_t* out);

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_AES_GCM_H_
