// JSON Web Keys (RFC 7517, 7518 §6) for public keys: reading a JWK into an
// OpenSSL key (through OSSL_PARAM and EVP_PKEY_fromdata, no deprecated
// RSA_*/EC_KEY calls), writing one back out, and its RFC 7638 thumbprint,
// which the adapter uses as a key id.
#ifndef SA_ADAPTER_AUTH_JWK_H_
#define SA_ADAPTER_AUTH_JWK_H_

#include <nlohmann/json.hpp>
#include <string>

#include "adapter/auth/evp_key.h"
#include "fhir/status.h"

namespace sa::adapter::auth {

// Builds the public key of `jwk`: kty "RSA" with n and e, or kty "EC" with
// crv "P-256"/"P-384", x and y (each exactly the curve's size). The key is
// checked by OpenSSL (point on the curve, sane RSA exponent) and must be one
// KeyFamilyOf accepts. A JWK that carries private members (d, p, q, ...) is
// refused: a verification key set must never hold a private key. Other
// members (kid, alg, use, ...) are the caller's business. InvalidArgument on
// any problem; messages never quote key material.
StatusOr<EvpKey> PublicKeyFromJwk(const nlohmann::json& jwk);

// The public JWK of `key` with only its required members: {e, kty, n} for
// RSA, {crv, kty, x, y} for EC (what RFC 7638 hashes).
StatusOr<nlohmann::json> PublicJwk(evp_pkey_st* key);

// The RFC 7638 thumbprint of a public JWK: base64url(SHA-256 of its required
// members in lexicographic order, without spaces). A stable key id.
StatusOr<std::string> JwkThumbprint(const nlohmann::json& public_jwk);

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_JWK_H_
