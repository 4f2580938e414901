// The public keys that verify a trusted issuer's tokens, each bound to the
// algorithms it may be used with: those the configuration pins for the
// issuer AND that fit the key's type (RS256/RS384/RS512/PS256 for RSA, ES256
// for P-256, ES384 for P-384), narrowed to the JWK's own "alg" when it has
// one. A token can therefore only ever be checked the way its key allows,
// whatever its header claims.
#ifndef SA_ADAPTER_AUTH_VERIFICATION_KEYS_H_
#define SA_ADAPTER_AUTH_VERIFICATION_KEYS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/auth/auth_config.h"
#include "adapter/auth/evp_key.h"
#include "adapter/auth/jws_algorithm.h"
#include "fhir/status.h"

namespace sa::adapter::auth {

// Largest PEM public key file read (a real one is well under 2 KiB).
inline constexpr std::size_t kMaxPublicKeyFileBytes = 64 * 1024;
// Largest JWKS file read, and most keys taken from it.
inline constexpr std::size_t kMaxJwksFileBytes = 256 * 1024;
inline constexpr std::size_t kMaxJwksKeys = 64;

// One public key with its key id and the algorithms it may verify.
// Immutable once built; Verify is thread-safe.
class VerificationKey {
 public:
  // `algorithms` must be non-empty and all fit `family` (the loaders ensure it).
  VerificationKey(EvpKey key, KeyFamily family, std::string kid,
                  std::vector<const JwsAlgorithm*> algorithms);

  // The JWK "kid", or "" (PEM keys, and JWKs without one).
  const std::string& kid() const { return kid_; }
  KeyFamily family() const { return family_; }
  // True when this key may verify tokens signed with `algorithm`.
  bool Allows(std::string_view algorithm) const;
  // The names of the algorithms this key allows, in SupportedJwsAlgorithmNames order.
  std::vector<std::string> AlgorithmNames() const;

  // Checks `signature` over `signing_input`. PermissionDenied "algorithm not
  // allowed for this key" unless Allows(algorithm.name), then as
  // VerifyJwsSignature.
  Status Verify(const JwsAlgorithm& algorithm, std::string_view signing_input,
                std::string_view signature) const;

 private:
  EvpKey key_;
  KeyFamily family_;
  std::string kid_;
  std::vector<const JwsAlgorithm*> algorithms_;
};

// Loads a PEM SubjectPublicKeyInfo ("BEGIN PUBLIC KEY") and binds it to the
// `pinned` algorithms that fit it. InvalidArgument when the text is not such
// a key, the key is not acceptable (KeyFamilyOf), or no pinned algorithm fits.
StatusOr<VerificationKey> LoadPemPublicKey(std::string_view pem,
                                           const std::vector<std::string>& pinned);

// Loads an RFC 7517 key set {"keys": [...]}. Keys not meant for signatures
// ("use" other than "sig", "key_ops" without "verify"), of another type
// (e.g. "oct"), or whose "alg" is not pinned or does not fit are skipped; a
// key with bad key material, a repeated "kid", or a set with no usable key
// is InvalidArgument (with the key's pointer, never its contents).
StatusOr<std::vector<VerificationKey>> LoadJwks(std::string_view json_text,
                                                const std::vector<std::string>& pinned);

// The keys of one configured issuer, from its publicKeyFile or jwksFile.
// Errors name the issuer and the file.
StatusOr<std::vector<VerificationKey>> LoadIssuerKeys(const IssuerConfig& issuer);

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_VERIFICATION_KEYS_H_
