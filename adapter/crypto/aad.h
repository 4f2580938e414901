// The additional authenticated data (AAD) that binds a sealed record to its row.
//
// Encoding (binary, unambiguous because every variable part is length-prefixed):
//   "sa-aad-v1"                      (9 bytes, format tag)
//   u64be(len(record_id)) record_id
//   u64be(len(kind))      kind
//   u64be(version)                   (two's complement of the int64)
// Because the AAD is authenticated but not stored, a ciphertext (or its
// wrapped key) copied to another record id, kind or version fails to decrypt,
// and no two different (id, kind, version) triples share an encoding
// ("ab","c" and "a","bc" differ in their length prefixes).
#ifndef SA_ADAPTER_CRYPTO_AAD_H_
#define SA_ADAPTER_CRYPTO_AAD_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sa::adapter::crypto {

// The AAD for record `record_id` of `kind` (e.g. "discussion") at `version`; pass it to Seal/Open/Rewrap.
std::string RecordAad(std::string_view record_id, std::string_view kind, int64_t version);

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_AAD_H_
