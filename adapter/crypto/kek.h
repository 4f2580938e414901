// The key-encryption key (KEK): the one long-lived secret of the adapter.
//
// A KEK is 32 random bytes kept outside the database (a file or an environment
// variable) as base64 on one line. It never encrypts records itself; it wraps
// the per-record data keys (see envelope.h), so rotating it means re-wrapping
// 60-byte keys, not re-encrypting records.
//
// Loading errors name the file or variable and say what is wrong (missing,
// wrong length, not base64) but never echo the text that was read, so a
// mis-pasted key cannot end up in a log.
#ifndef SA_ADAPTER_CRYPTO_KEK_H_
#define SA_ADAPTER_CRYPTO_KEK_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "adapter/crypto/secret_bytes.h"
#include "fhir/status.h"

namespace sa::adapter::crypto {

// AES-256 key size: a KEK is exactly this many bytes.
inline constexpr size_t kKekBytes = 32;
// Length of a KEK id in hex characters (the first 8 bytes of SHA-256(key)).
inline constexpr size_t kKekIdChars = 16;
// Largest KEK file or variable accepted; a real one is 44 characters plus a
// newline, so anything bigger is the wrong file and is not read further.
inline constexpr size_t kMaxKekTextBytes = 4096;

struct Kek {
  // 16 lower-case hex chars: the first 8 bytes of SHA-256(key). Stable for a
  // given key, so sealed records can name the KEK that wrapped them; it says
  // nothing useful about a 256-bit random key.
  std::string id;
  SecretBytes key;
};

// True if `id` has the shape of a KEK id (16 lower-case hex chars); used to reject junk ids early.
bool IsValidKekId(std::string_view id);

// Builds a Kek from raw key bytes, checking the length and computing the id.
StatusOr<Kek> KekFromBytes(SecretBytes key);

// Parses one line of base64 (surrounding whitespace trimmed) into a Kek;
// `source` ("KEK file '/etc/x'") names where it came from in error messages.
StatusOr<Kek> ParseKekBase64(std::string_view text, std::string_view source);

// Loads the KEK from a file holding base64 on one line (config keys.kekFile).
StatusOr<Kek> LoadKekFromFile(const std::string& path);

// Loads the KEK from the environment variable named `var_name` (config keys.kekEnv).
StatusOr<Kek> LoadKekFromEnv(const std::string& var_name);

// A new random KEK as base64 on one line (no newline), for `keys generate` and tests.
StatusOr<std::string> GenerateKekBase64();

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_KEK_H_
