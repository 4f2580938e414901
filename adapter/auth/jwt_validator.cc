#include "adapter/auth/jwt_validator.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "adapter/auth/jwt_claims.h"
#include "fhir/jwt.h"
#include "mappings/strict_json.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;

Status Denied(const char* reason) { return Status::PermissionDenied(reason); }

// Only the base64url alphabet, without padding (RFC 7515 §2).
bool IsBase64UrlText(std::string_view part) {
  return std::all_of(part.begin(), part.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// Decodes one base64url part and parses it strictly (duplicate member names
// are refused: two "alg" members must not mean different things to us and
// to the issuer). Must be a JSON object.
StatusOr<json> DecodeObject(std::string_view part, const char* not_object) {
  StatusOr<std::string> text = fhir::Base64UrlDecode(part);
  if (!text.ok()) return Denied("token is not three base64url parts");
  json value;
  mappings::JsonParseError error;
  if (!mappings::ParseStrictJson(*text, {kMaxTokenBytes, kMaxTokenJsonDepth}, &value, &error) ||
      !value.is_object()) {
    return Denied(not_object);
  }
  return value;
}

// RFC 7515 §4.1.9 / RFC 9068 §2.1: "JWT" or "at+jwt", with or without
// "application/", compared case-insensitively.
bool AcceptedType(std::string type) {
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (type.rfind("application/", 0) == 0) type = type.substr(12);
  return type == "jwt" || type == "at+jwt";
}

// The header's algorithm, after the checks that need no issuer.
StatusOr<const JwsAlgorithm*> CheckHeader(const json& header) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return Denied("token header has no algorithm");
  const std::string& name = alg->get_ref<const std::string&>();
  if (IsForbiddenJwsAlgorithm(name)) {
    return Denied("algorithm refused (unsigned and HMAC tokens are never accepted)");
  }
  const JwsAlgorithm* algorithm = FindJwsAlgorithm(name);
  if (!algorithm) return Denied("algorithm not supported");
  // RFC 7515 §4.1.11: extensions we do not understand must be refused, and we understand none.
  if (header.contains("crit")) return Denied("critical header parameters are not supported");
  if (auto typ = header.find("typ"); typ != header.end()) {
    if (!typ->is_string() || !AcceptedType(typ->get<std::string>())) {
      return Denied("token type not accepted");
    }
  }
  if (auto kid = header.find("kid"); kid != header.end() && !kid->is_string()) {
    return Denied("key id malformed");
  }
  return algorithm;
}

// The key named by the header's kid. Without a kid, only an issuer with a
// single key can be used: trying every key would let one token probe them all.
// A kid with an issuer whose only key has none (a PEM key) uses that key.
StatusOr<const VerificationKey*> SelectKey(const std::vector<VerificationKey>& keys,
                                           const json& header) {
  auto kid = header.find("kid");
  if (kid == header.end()) {
    if (keys.size() == 1) return &keys.front();
    return Denied("token has no key id and the issuer has several keys");
  }
  const std::string& want = kid->get_ref<const std::string&>();
  for (const VerificationKey& key : keys) {
    if (!key.kid().empty() && key.kid() == want) return &key;
  }
  if (keys.size() == 1 && keys.front().kid().empty()) return &keys.front();
  return Denied("key id not known for this issuer");
}

Status CheckIssuerConfig(const IssuerConfig& issuer) {
  const std::string who = "issuer '" + issuer.issuer + "': ";
  if (issuer.issuer.empty()) return Status::InvalidArgument("an issuer has no name");
  if (issuer.audiences.empty()) return Status::InvalidArgument(who + "no audience");
  if (issuer.algorithms.empty()) return Status::InvalidArgument(who + "no algorithms pinned");
  for (const std::string& a : issuer.algorithms) {
    if (!FindJwsAlgorithm(a)) {
      return Status::InvalidArgument(
          who + (IsForbiddenJwsAlgorithm(a)
                     ? "unsigned (none) and HMAC (HS*) algorithms are never accepted"
                     : "unsupported algorithm pinned"));
    }
  }
  if (issuer.roles_claim.empty() || issuer.subject_claim.empty() ||
      issuer.organisations_claim.empty()) {
    return Status::InvalidArgument(who + "claim names must not be empty");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<JwtValidator>> JwtValidator::Create(const ApiAuthConfig& config,
                                                             fhir::Clock* clock) {
  if (clock == nullptr) return Status::InvalidArgument("JwtValidator needs a clock");
  if (config.clock_skew_seconds < 0 || config.clock_skew_seconds > kMaxClockSkewSeconds) {
    return Status::InvalidArgument("clock skew must be between 0 and " +
                                   std::to_string(kMaxClockSkewSeconds) + " seconds");
  }
  std::vector<TrustedIssuer> issuers;
  std::set<std::string> seen;
  for (const IssuerConfig& issuer : config.issuers) {
    SA_RETURN_IF_ERROR(CheckIssuerConfig(issuer));
    if (!seen.insert(issuer.issuer).second) {
      return Status::InvalidArgument("issuer '" + issuer.issuer + "' listed twice");
    }
    SA_ASSIGN_OR_RETURN(std::vector<VerificationKey> keys, LoadIssuerKeys(issuer));
    issuers.push_back({issuer, std::move(keys)});
  }
  return std::unique_ptr<JwtValidator>(
      new JwtValidator(std::move(issuers), std::chrono::seconds(config.clock_skew_seconds), clock));
}

const JwtValidator::TrustedIssuer* JwtValidator::FindIssuer(std::string_view iss) const {
  for (const TrustedIssuer& t : issuers_) {
    if (t.config.issuer == iss) return &t;
  }
  return nullptr;
}

StatusOr<Principal> JwtValidator::Validate(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) return Denied("token too large");
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Denied("token is not three base64url parts");
  }
  const std::string_view header_part = token.substr(0, dot1);
  const std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_part = token.substr(dot2 + 1);
  // An empty signature is let through to here so that an unsigned token is
  // refused for what it is ("alg none"), not as malformed; it can never verify.
  if (header_part.empty() || payload_part.empty() || !IsBase64UrlText(header_part) ||
      !IsBase64UrlText(payload_part) || !IsBase64UrlText(signature_part)) {
    return Denied("token is not three base64url parts");
  }

  SA_ASSIGN_OR_RETURN(json header, DecodeObject(header_part, "token header is not a JSON object"));
  SA_ASSIGN_OR_RETURN(const JwsAlgorithm* algorithm, CheckHeader(header));
  SA_ASSIGN_OR_RETURN(json payload,
                      DecodeObject(payload_part, "token payload is not a JSON object"));

  auto iss = payload.find("iss");
  if (iss == payload.end() || !iss->is_string()) return Denied("issuer missing");
  const TrustedIssuer* issuer = FindIssuer(iss->get_ref<const std::string&>());
  if (!issuer) return Denied("issuer not trusted");
  const std::vector<std::string>& pinned = issuer->config.algorithms;
  if (std::find(pinned.begin(), pinned.end(), algorithm->name) == pinned.end()) {
    return Denied("algorithm not allowed for this issuer");
  }
  SA_ASSIGN_OR_RETURN(const VerificationKey* key, SelectKey(issuer->keys, header));
  StatusOr<std::string> signature = fhir::Base64UrlDecode(signature_part);
  if (!signature.ok()) return Denied("token is not three base64url parts");
  SA_RETURN_IF_ERROR(key->Verify(*algorithm, token.substr(0, dot2), *signature));

  // The payload is now known to come from the issuer; check what it says.
  SA_RETURN_IF_ERROR(CheckAudience(payload, issuer->config.audiences));
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->Now().time_since_epoch()).count();
  SA_RETURN_IF_ERROR(CheckTimes(payload, now, skew_.count()));
  Principal principal;
  SA_ASSIGN_OR_RETURN(principal.subject, SubjectClaim(payload, issuer->config.subject_claim));
  SA_ASSIGN_OR_RETURN(principal.roles, RolesClaim(payload, issuer->config.roles_claim));
  SA_ASSIGN_OR_RETURN(principal.organisations,
                      OrganisationsClaim(payload, issuer->config.organisations_claim));
  principal.issuer = issuer->config.issuer;
  principal.via = "jwt";
  return principal;
}

}  // namespace sa::adapter::auth
