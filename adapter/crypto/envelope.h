// Envelope encryption for confidential records (safeguarding discussion forms).
//
// Every record gets its own random 32-byte data key. The plaintext is
// encrypted under it with AES-256-GCM (random 96-bit nonce, 128-bit tag,
// caller's AAD), and the data key is wrapped by the KEK (key_wrap.h), bound to
// the KEK id and the same AAD. The caller's AAD should be RecordAad(...) so a
// ciphertext or wrapped key moved to another row, kind or version fails.
//
// Failures to authenticate are PermissionDenied and say which layer failed
// (wrapped key or ciphertext); no message ever carries plaintext or keys.
#ifndef SA_ADAPTER_CRYPTO_ENVELOPE_H_
#define SA_ADAPTER_CRYPTO_ENVELOPE_H_

#include <string>
#include <string_view>

#include "adapter/crypto/kek.h"
#include "adapter/crypto/key_ring.h"
#include "adapter/crypto/sealed.h"
#include "fhir/status.h"

namespace sa::adapter::crypto {

// Encrypts `plaintext` under a fresh data key wrapped by `kek`, authenticating `aad`.
StatusOr<Sealed> Seal(const Kek& kek, std::string_view plaintext, std::string_view aad);

// Decrypts a record sealed with the same `aad` by any KEK on `ring`; unknown
// KEK → FailedPrecondition, anything altered or a different AAD → PermissionDenied.
StatusOr<std::string> Open(const KeyRing& ring, const Sealed& sealed, std::string_view aad);

// Re-wraps the record's data key under `new_kek`, leaving nonce and ciphertext
// untouched, so KEK rotation never re-encrypts records. Only the wrapped key is
// authenticated here; the ciphertext is checked when the record is opened.
StatusOr<Sealed> Rewrap(const KeyRing& ring, const Sealed& sealed, std::string_view aad, const Kek& new_kek);

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_ENVELOPE_H_
