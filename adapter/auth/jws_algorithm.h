// The JWS signature algorithms the API accepts, and the key each one needs.
//
// Binding an algorithm to a key type is what stops algorithm confusion: a
// token that names HS256 can never be checked with an RSA public key as the
// HMAC secret, because HS* is not in this table, and RS256 can never be
// checked against an EC key, because a key only ever allows the algorithms
// of its own family.
#ifndef SA_ADAPTER_AUTH_JWS_ALGORITHM_H_
#define SA_ADAPTER_AUTH_JWS_ALGORITHM_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sa::adapter::auth {

// The kind of public key an algorithm needs.
enum class KeyFamily {
  kRsa,     // RSA, kMinRsaBits..kMaxRsaBits
  kEcP256,  // ECDSA on NIST P-256 (prime256v1)
  kEcP384,  // ECDSA on NIST P-384 (secp384r1)
};

// Smallest RSA modulus accepted, for keys that verify or sign tokens.
inline constexpr int kMinRsaBits = 2048;
// Largest RSA modulus accepted: bounds the cost of one verification, so a
// configured (or hostile JWKS) key cannot make every request expensive.
inline constexpr int kMaxRsaBits = 8192;

struct JwsAlgorithm {
  std::string_view name;         // the JWS "alg" value, e.g. "RS256"
  KeyFamily family;              // the only key type it may be used with
  int digest_bits;               // SHA-2 digest size: 256, 384 or 512
  bool pss;                      // RSASSA-PSS (salt = digest length) instead of PKCS1-v1_5
  std::size_t ecdsa_half_bytes;  // ECDSA: size of r and of s in the raw signature; else 0
};

// The accepted algorithm named `name` (exact, case-sensitive), or nullptr.
// Supported: RS256, RS384, RS512, PS256 (RSA); ES256 (P-256); ES384 (P-384).
const JwsAlgorithm* FindJwsAlgorithm(std::string_view name);

// Every supported algorithm name, in a fixed order, for error messages.
const std::vector<std::string>& SupportedJwsAlgorithmNames();

// True for names that are refused on principle rather than merely unknown:
// "none" (in any case), and the HMAC family HS* (a shared secret, which the
// API never holds and which invites RS/HS key confusion).
bool IsForbiddenJwsAlgorithm(std::string_view name);

// True when `algorithm` may be used with a key of `family`.
inline bool FitsKey(const JwsAlgorithm& algorithm, KeyFamily family) {
  return algorithm.family == family;
}

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_JWS_ALGORITHM_H_
