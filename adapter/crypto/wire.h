// Big-endian integer encoding shared by the binary formats in this folder
// (record AAD, sealed records, keyed-hash input). Header only: three tiny
// functions that every encoder here must agree on byte for byte.
#ifndef SA_ADAPTER_CRYPTO_WIRE_H_
#define SA_ADAPTER_CRYPTO_WIRE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sa::adapter::crypto::wire {

// Appends `v` as 4 big-endian bytes (length prefixes in the sealed format).
inline void AppendU32Be(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// Appends `v` as 8 big-endian bytes (length prefixes and versions in the AAD).
inline void AppendU64Be(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// Reads 4 big-endian bytes from the front of `in`; the caller checks in.size() >= 4.
inline uint32_t ReadU32Be(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

}  // namespace sa::adapter::crypto::wire

#endif  // SA_ADAPTER_CRYPTO_WIRE_H_
