// Sealed: one encrypted record as stored, and its versioned binary form.
//
// Wire format, version 1 (all lengths are 4-byte big-endian):
//   "SAE"  magic (3 bytes)
//   0x01   version (1 byte)
//   len | kek_id        16 lower-case hex chars
//   len | wrapped_key   60 bytes: nonce | encrypted data key | tag
//   len | nonce         12 bytes
//   len | ciphertext    ciphertext | 16-byte tag
// Nothing may follow the last field. ParseSealed checks every length against
// the bytes left and against the fixed sizes above, so truncated, overlong or
// relabelled input is rejected before any decryption is tried.
#ifndef SA_ADAPTER_CRYPTO_SEALED_H_
#define SA_ADAPTER_CRYPTO_SEALED_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/status.h"

namespace sa::adapter::crypto {

// Largest plaintext Seal accepts: a safeguarding discussion form is a few
// kilobytes; 64 MiB leaves room for attachments and bounds parsing.
inline constexpr size_t kMaxSealedPlaintextBytes = size_t{64} << 20;
// Current version byte of the wire format.
inline constexpr uint8_t kSealedFormatVersion = 1;

struct Sealed {
  std::string kek_id;       // which KEK wrapped the data key
  std::string wrapped_key;  // nonce | encrypted data key | tag
  std::string nonce;        // nonce of the record ciphertext
  std::string ciphertext;   // ciphertext | tag
};

// The versioned binary form of `sealed`, for one database column.
std::string Serialize(const Sealed& sealed);

// Parses the output of Serialize; anything malformed → InvalidArgument (no decryption is attempted).
StatusOr<Sealed> ParseSealed(std::string_view bytes);

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_SEALED_H_
