// SMART Backend Services (client_credentials with a signed JWT assertion).
//
// Token request: POST token_url, form-encoded
//   grant_type=client_credentials, scope=<scopes joined by spaces>,
//   client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer,
//   client_assertion=<JWT>.
// Assertion: header {alg, typ:"JWT", kid}; claims iss = sub = client_id,
// aud = token_url exactly as configured, iat = now, exp = now + lifetime
// (<= 300 s), a fresh 128-bit jti, plus configured extra claims.
// The access token is cached until expires_in minus the refresh margin.
#ifndef SA_FHIR_SMART_BACKEND_H_
#define SA_FHIR_SMART_BACKEND_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fhir/auth.h"
#include "fhir/jwt.h"

namespace sa::fhir {

inline constexpr char kJwtBearerAssertionType[] =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
// Token lifetime assumed when the server omits expires_in.
inline constexpr std::chrono::seconds kDefaultTokenLifetime{300};
// Longest OAuth error_description kept in a Status message.
inline constexpr size_t kMaxOAuthErrorChars = 200;

// Appends one sentence per problem in the smart-backend fields of `config`.
void CheckSmartBackendConfig(const AuthConfig& config, std::vector<std::string>& problems);

// Builds signed client assertions. Exposed so tests and `config check` can
// inspect exactly what would be sent.
class ClientAssertionBuilder {
 public:
  // Loads the key and checks the config; InvalidArgument listing problems.
  static StatusOr<std::unique_ptr<ClientAssertionBuilder>> Create(const AuthConfig& config);

  // The claims of an assertion issued at `now` with identifier `jti`.
  Json Claims(std::chrono::system_clock::time_point now, std::string_view jti) const;

  // A signed assertion issued at `now` with a fresh random jti.
  StatusOr<std::string> Build(std::chrono::system_clock::time_point now) const;

 private:
  ClientAssertionBuilder(const AuthConfig& config, std::unique_ptr<JwtSigner> signer)
      : config_(config), signer_(std::move(signer)) {}

  AuthConfig config_;
  std::unique_ptr<JwtSigner> signer_;
};

class SmartBackendAuthenticator : public Authenticator {
 public:
  // Checks the config and loads the key; `transport` and `clock` must outlive it.
  static StatusOr<std::unique_ptr<SmartBackendAuthenticator>> Create(const AuthConfig& config,
                                                                     HttpTransport* transport,
                                                                     Clock* clock);

  // "Bearer <token>", fetching a token when none is cached or it is due.
  StatusOr<std::string> AuthorizationHeader() override;
  // Drops the cached token.
  void Invalidate() override;

  // Token requests sent so far (for tests and metrics).
  int token_requests() const;

 private:
  SmartBackendAuthenticator(const AuthConfig& config,
                            std::unique_ptr<ClientAssertionBuilder> assertions,
                            HttpTransport* transport, Clock* clock)
      : config_(config), assertions_(std::move(assertions)), transport_(transport), clock_(clock) {}

  // Requests a token; caller holds mu_.
  Status FetchTokenLocked();

  AuthConfig config_;
  std::unique_ptr<ClientAssertionBuilder> assertions_;
  HttpTransport* transport_;
  Clock* clock_;
  mutable std::mutex mu_;
  std::string token_;
  std::chrono::system_clock::time_point refresh_at_;
  int token_requests_ = 0;
};

}  // namespace sa::fhir

#endif  // SA_FHIR_SMART_BACKEND_H_
