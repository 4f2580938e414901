// The API's authentication settings ("/api/auth" in the configuration file):
// which token issuers are trusted and with which keys and algorithms, which
// client certificates map to which principal, and how the demo issues its
// own tokens. Read strictly: every bad or unknown key is reported with its
// JSON Pointer; relative paths resolve against the configuration's directory.
#ifndef SA_ADAPTER_AUTH_AUTH_CONFIG_H_
#define SA_ADAPTER_AUTH_AUTH_CONFIG_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mappings/json_reader.h"

namespace sa::adapter::auth {

// One trusted token issuer.
struct IssuerConfig {
  std::string issuer;                  // the exact "iss" value
  std::vector<std::string> audiences;  // a token's "aud" must contain one of these
  // Exactly one of these two, each resolved against base_dir: a PEM
  // SubjectPublicKeyInfo, or an RFC 7517 key set.
  std::optional<std::string> public_key_file;
  std::optional<std::string> jwks_file;
  // Pinned algorithms, e.g. {"RS256"}: required, non-empty; "none" and HS* refused.
  std::vector<std::string> algorithms;
  std::string roles_claim = "roles";
  std::string subject_claim = "sub";
  std::string organisations_claim = "org";
};

// A client certificate (mutual TLS) accepted in place of a token.
struct ClientCertificateRule {
  std::string subject;                     // exact certificate subject, e.g. "CN=office.example"
  std::string principal;                   // the Principal's subject
  std::vector<std::string> roles;          // from KnownRoles()
  std::vector<std::string> organisations;  // profile codes
};

// How the adapter signs its own tokens (demo and tests only).
struct TokenIssueConfig {
  std::string private_key_file;  // PEM, resolved against base_dir
  std::string issuer;
  std::string audience;
  std::string key_id;
  std::string algorithm;  // RS256, RS384, RS512, PS256, ES256 or ES384
  int max_ttl_seconds = 3600;
};

struct ApiAuthConfig {
  std::vector<IssuerConfig> issuers;
  int clock_skew_seconds = 60;  // allowance on exp, nbf and iat, 0..kMaxClockSkewSeconds
  std::vector<ClientCertificateRule> client_certificates;
  std::optional<TokenIssueConfig> token_issue;
};

// Largest clock skew the configuration may allow, in seconds.
inline constexpr int kMaxClockSkewSeconds = 300;
// Longest lifetime a configuration may allow for issued tokens (one day).
inline constexpr int kMaxIssuedTokenTtlSeconds = 24 * 3600;

// Reads the auth section `value` found at `pointer` (e.g. "/api/auth") into
// `out`, adding every problem to `errors` with its pointer. JSON shape:
//   { "issuers": [ { "issuer", "audience": string | [string], "publicKeyFile" | "jwksFile",
//                    "algorithms": [..], "rolesClaim"?, "subjectClaim"?, "organisationsClaim"? } ],
//     "clockSkewSeconds"?: 0..300,
//     "clientCertificates"?: [ { "subject", "principal", "roles": [..], "organisations"? } ],
//     "tokenIssue"?: { "privateKeyFile", "issuer", "audience", "keyId", "algorithm",
//                      "maxTtlSeconds"? } }
// At least one issuer or client certificate is required: an API nobody can
// call is a mistake worth reporting. Files are named, not opened, here;
// JwtValidator::Create loads them.
void ReadApiAuthConfig(const nlohmann::json& value, const std::string& pointer,
                       const std::string& base_dir, ApiAuthConfig* out,
                       mappings::FieldErrors* errors);

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_AUTH_CONFIG_H_
