// Turning what an HTTP request carries into something to check: the bearer
// token in its Authorization header, or the principal configured for its
// client certificate (mutual TLS, already verified by the TLS layer).
#ifndef SA_ADAPTER_AUTH_REQUEST_CREDENTIALS_H_
#define SA_ADAPTER_AUTH_REQUEST_CREDENTIALS_H_

#include <optional>
#include <string_view>

#include "adapter/auth/auth_config.h"
#include "adapter/auth/principal.h"
#include "fhir/status.h"

namespace sa::adapter::auth {

// The token of an "Authorization: Bearer <token>" header value (RFC 6750
// §2.1): the scheme is matched case-insensitively, then one or more spaces,
// then a non-empty b64token (letters, digits, "-._~+/", trailing "=").
// Anything else, including a second word, is nullopt, so the caller answers
// 401 rather than guessing. The view points into `authorization_header`.
std::optional<std::string_view> BearerToken(std::string_view authorization_header);

// The principal configured for a client certificate whose subject is exactly
// `subject` (e.g. "CN=office.example"): subject = the rule's principal, its
// roles and organisations, issuer and via "mtls". PermissionDenied "client
// certificate not recognised" when no rule matches (the subject is not echoed).
StatusOr<Principal> PrincipalFromClientCertificate(const ApiAuthConfig& config,
                                                   std::string_view subject);

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_REQUEST_CREDENTIALS_H_
