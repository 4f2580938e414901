// Checking a bearer token (a compact JWS, RFC 7515/7519) from a trusted
// issuer and turning it into the Principal behind an API request.
//
// Only what the configuration trusts is used: the issuer's own keys (never a
// key or URL named in the token), only the algorithms pinned for the issuer
// that also fit the key's type, and a closed set of roles. Every refusal is
// PermissionDenied with a short reason ("token expired", "issuer not
// trusted", "signature does not verify", ...) that never quotes the token.
#ifndef SA_ADAPTER_AUTH_JWT_VALIDATOR_H_
#define SA_ADAPTER_AUTH_JWT_VALIDATOR_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "adapter/auth/auth_config.h"
#include "adapter/auth/principal.h"
#include "adapter/auth/request_credentials.h"  // BearerToken, PrincipalFromClientCertificate
#include "adapter/auth/verification_keys.h"
#include "fhir/clock.h"
#include "fhir/status.h"

namespace sa::adapter::auth {

// Largest compact token accepted, in bytes; larger is refused before any
// decoding (real access tokens are 1-2 KiB).
inline constexpr std::size_t kMaxTokenBytes = 8 * 1024;
// Deepest JSON nesting accepted in a token header or payload.
inline constexpr int kMaxTokenJsonDepth = 16;

class JwtValidator {
 public:
  // Builds a validator for `config`, loading every issuer's keys now so a
  // bad key file stops start-up rather than the first request. `clock` is
  // not owned and must outlive the validator. InvalidArgument on a bad
  // configuration (also one built in code, not read from a file).
  static StatusOr<std::unique_ptr<JwtValidator>> Create(const ApiAuthConfig& config,
                                                        fhir::Clock* clock);

  // Checks `compact_jws` and returns its Principal (via "jwt", issuer = iss).
  // Checks, in order: size, three base64url parts, header (alg present and
  // supported, never "none" or HS*, no "crit", typ "JWT" or "at+jwt" if
  // present), payload, iss trusted, alg pinned for that issuer, key by kid,
  // signature, aud, exp (required), nbf and iat (with the clock skew), sub,
  // roles (at least one known), organisations. Thread-safe.
  StatusOr<Principal> Validate(std::string_view compact_jws) const;

 private:
  struct TrustedIssuer {
    IssuerConfig config;
    std::vector<VerificationKey> keys;
  };

  JwtValidator(std::vector<TrustedIssuer> issuers, std::chrono::seconds skew, fhir::Clock* clock)
      : issuers_(std::move(issuers)), skew_(skew), clock_(clock) {}

  const TrustedIssuer* FindIssuer(std::string_view iss) const;

  std::vector<TrustedIssuer> issuers_;
  std::chrono::seconds skew_;
  fhir::Clock* clock_;
};

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_JWT_VALIDATOR_H_
