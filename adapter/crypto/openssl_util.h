// Small helpers over OpenSSL shared by this folder: turning the OpenSSL error
// queue into a Status, drawing random bytes, and hex encoding.
//
// Every OpenSSL call in adapter/crypto is checked; a failure becomes
// Status::Internal carrying OpenSSL's own error strings, which describe the
// library and reason only and never the data being processed.
#ifndef SA_ADAPTER_CRYPTO_OPENSSL_UTIL_H_
#define SA_ADAPTER_CRYPTO_OPENSSL_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapter/crypto/secret_bytes.h"
#include "fhir/status.h"

namespace sa::adapter::crypto {

// Internal("<what> failed: <OpenSSL errors>"), draining the thread's error queue.
Status OpenSslError(std::string_view what);

// Fills `out` with `size` bytes from RAND_bytes (the CSPRNG), for nonces and keys.
Status RandomBytes(uint8_t* out, size_t size);

// A fresh random secret of `size` bytes, for data keys, KEKs and HMAC keys.
StatusOr<SecretBytes> RandomSecret(size_t size);

// Lower-case hex of `size` bytes, for key ids and keyed hashes.
std::string HexLower(const uint8_t* data, size_t size);

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_OPENSSL_UTIL_H_
