// Issuing the API's own bearer tokens, for the demo and the tests: a real
// deployment takes its tokens from the organisation's identity provider.
// Tokens are signed with fhir::JwtSigner and carry exactly the claims
// JwtValidator reads, so IssueToken -> Validate is a round trip.
#ifndef SA_ADAPTER_AUTH_TOKEN_ISSUER_H_
#define SA_ADAPTER_AUTH_TOKEN_ISSUER_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/auth/auth_config.h"
#include "fhir/status.h"

namespace sa::adapter::auth {

// RSA modulus of generated issuer keys.
inline constexpr int kGeneratedRsaBits = 2048;

// Signs a token for `subject` with the key in config.private_key_file:
// claims iss, aud, sub, roles, org, iat = nbf = now, exp = now + ttl, and a
// random jti; header alg = config.algorithm, kid = config.key_id, typ JWT.
// InvalidArgument when ttl_seconds is not in 1..config.max_ttl_seconds, the
// subject is empty, roles is empty or names a role outside KnownRoles(), or
// the key cannot be loaded or does not fit the algorithm.
StatusOr<std::string> IssueToken(const TokenIssueConfig& config, const std::string& subject,
                                 const std::vector<std::string>& roles,
                                 const std::vector<std::string>& organisations, int ttl_seconds,
                                 std::chrono::system_clock::time_point now);

// A fresh signing key pair for one algorithm, in the forms the configuration
// uses: the private key for tokenIssue.privateKeyFile, and its public half
// both as PEM (issuers[].publicKeyFile) and as a one-key JWKS
// (issuers[].jwksFile, with kid, alg and use "sig").
struct IssuerKeyPair {
  std::string private_pem;  // PKCS#8, unencrypted: keep it in a private file
  std::string public_pem;   // SubjectPublicKeyInfo
  std::string jwks_json;    // {"keys":[{...public JWK...}]}
  std::string key_id;       // the RFC 7638 thumbprint of the public key
};

// Generates a key pair for `algorithm`: RSA (kGeneratedRsaBits) for RS256,
// RS384, RS512 and PS256; P-256 for ES256; P-384 for ES384. InvalidArgument
// for any other name.
StatusOr<IssuerKeyPair> GenerateIssuerKeyPair(std::string_view algorithm);

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_TOKEN_ISSUER_H_
