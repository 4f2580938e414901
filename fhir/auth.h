// Authenticators produce the Authorization header for FHIR requests. They are
// chosen by name from config (Envoy-style named factories): an unknown name or
// a bad field is a start-up error, never a silent default.
//
//   "none"          no Authorization header (e.g. mutual TLS only)
//   "bearer"        a static token read from a file or an environment
//                   variable, trimmed; re-read after a 401 so a rotated file
//                   is picked up
//   "smart-backend" SMART Backend Services (client_credentials with a signed
//                   JWT assertion); see smart_backend.h
#ifndef SA_FHIR_AUTH_H_
#define SA_FHIR_AUTH_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fhir/clock.h"
#include "fhir/http.h"
#include "fhir/resource.h"
#include "fhir/status.h"

namespace sa::fhir {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The Authorization header value for the next request ("Bearer …"), or an
  // empty string when no header is to be sent. May call the network (token
  // fetch); transient failures are Unavailable so the caller retries.
  virtual StatusOr<std::string> AuthorizationHeader() = 0;
  // Forgets any cached credential, so the next AuthorizationHeader gets a
  // fresh one. The client calls it once after a 401.
  virtual void Invalidate() = 0;
};

// The longest client assertion lifetime SMART allows (5 minutes).
inline constexpr std::chrono::seconds kMaxAssertionLifetime{300};
// How long before a token's expiry it is refreshed, so a request never
// carries a token that expires on the way.
inline constexpr std::chrono::seconds kDefaultTokenRefreshMargin{60};

// Every setting of every authenticator; each method reads its own fields and
// MakeAuthenticator rejects fields set for another method.
struct AuthConfig {
  std::string method;  // "none" | "bearer" | "smart-backend"

  // bearer: exactly one of these.
  std::string token_file;  // path of a file holding the token
  std::string token_env;   // name of an environment variable holding it

  // smart-backend:
  std::string token_url;         // the token endpoint; also the assertion aud
  std::string client_id;         // iss and sub of the assertion
  std::string private_key_file;  // PEM, unencrypted
  std::string key_id;            // JWS "kid" (required by NHS England)
  std::string algorithm = "RS384";  // RS384 | RS512 | ES384
  std::vector<std::string> scopes;  // v1 "system/Task.write" or v2 "system/Task.cu"
  std::chrono::seconds assertion_lifetime = kMaxAssertionLifetime;  // <= 300 s
  std::chrono::seconds refresh_margin = kDefaultTokenRefreshMargin;
  Json extra_claims = Json::object();  // added to the assertion; no reserved names
};

// The method names MakeAuthenticator accepts.
std::vector<std::string> AuthMethodNames();

// Builds the authenticator `config.method` names, checking every field and
// reporting all problems in one InvalidArgument. `transport` (used for token
// calls) and `clock` (null: the real clock) must outlive the result.
StatusOr<std::unique_ptr<Authenticator>> MakeAuthenticator(const AuthConfig& config,
                                                           HttpTransport* transport,
                                                           Clock* clock = nullptr);

// Trims `token` and checks it can be sent in a header (visible ASCII, no
// spaces); InvalidArgument otherwise, without echoing the token.
StatusOr<std::string> CleanToken(std::string_view token);

}  // namespace sa::fhir

#endif  // SA_FHIR_AUTH_H_
