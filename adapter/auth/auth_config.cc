#include "adapter/auth/auth_config.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "adapter/auth/jws_algorithm.h"
#include "adapter/auth/principal.h"

namespace sa::adapter::auth {
namespace {

using mappings::FieldErrors;
using mappings::ObjectReader;
using mappings::Presence;
using nlohmann::json;

std::string Resolve(const std::string& base, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_absolute()) return p;
  return (std::filesystem::path(base) / path).lexically_normal().string();
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// "algorithms": a non-empty array of supported names; "none" and HS* are
// refused with their own reason, so nobody thinks they are merely missing.
std::vector<std::string> ReadAlgorithms(ObjectReader& r, FieldErrors* errors) {
  std::vector<std::string> out;
  const json* a = r.Array("algorithms", Presence::kRequired);
  if (!a) return out;
  const std::string ptr = r.Ptr("algorithms");
  if (a->empty()) errors->Add(ptr, "must name at least one algorithm");
  for (std::size_t i = 0; i < a->size(); ++i) {
    const json& item = (*a)[i];
    const std::string item_ptr = ptr + "/" + std::to_string(i);
    if (!item.is_string()) {
      errors->Add(item_ptr, "must be a string");
      continue;
    }
    const std::string& name = item.get_ref<const std::string&>();
    if (IsForbiddenJwsAlgorithm(name)) {
      errors->Add(item_ptr, "unsigned (none) and HMAC (HS*) algorithms are never accepted");
    } else if (!FindJwsAlgorithm(name)) {
      errors->Add(item_ptr, "must be one of: " + JoinNames(SupportedJwsAlgorithmNames()));
    } else if (std::find(out.begin(), out.end(), name) == out.end()) {
      out.push_back(name);
    }
  }
  return out;
}

// "audience": one string or a non-empty array of strings.
std::vector<std::string> ReadAudiences(ObjectReader& r, const json& obj, FieldErrors* errors) {
  std::vector<std::string> out;
  r.Allow("audience");
  const std::string ptr = r.Ptr("audience");
  auto it = obj.find("audience");
  if (it == obj.end() || it->is_null()) {
    errors->Add(ptr, "required");
  } else if (it->is_string()) {
    if (it->get_ref<const std::string&>().empty())
      errors->Add(ptr, "required (empty)");
    else
      out.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    if (it->empty()) errors->Add(ptr, "must name at least one audience");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& item = (*it)[i];
      if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
        errors->Add(ptr + "/" + std::to_string(i), "must be a non-empty string");
      } else {
        out.push_back(item.get<std::string>());
      }
    }
  } else {
    errors->Add(ptr, "must be a string or an array of strings");
  }
  return out;
}

void ReadIssuer(const json& value, const std::string& ptr, const std::string& base_dir,
                IssuerConfig* out, FieldErrors* errors) {
  ObjectReader r(value, ptr, errors);
  if (!r.is_object()) return;
  out->issuer = r.String("issuer", Presence::kRequired).value_or("");
  out->audiences = ReadAudiences(r, value, errors);
  if (auto f = r.String("publicKeyFile", Presence::kOptional)) {
    out->public_key_file = Resolve(base_dir, *f);
  }
  if (auto f = r.String("jwksFile", Presence::kOptional)) out->jwks_file = Resolve(base_dir, *f);
  if (!!out->public_key_file == !!out->jwks_file) {
    errors->Add(ptr, "needs exactly one of publicKeyFile or jwksFile");
  }
  out->algorithms = ReadAlgorithms(r, errors);
  out->roles_claim = r.String("rolesClaim", Presence::kOptional).value_or(out->roles_claim);
  out->subject_claim = r.String("subjectClaim", Presence::kOptional).value_or(out->subject_claim);
  out->organisations_claim =
      r.String("organisationsClaim", Presence::kOptional).value_or(out->organisations_claim);
  r.RejectUnknown();
}

void ReadClientCertificate(const json& value, const std::string& ptr, ClientCertificateRule* out,
                           FieldErrors* errors) {
  ObjectReader r(value, ptr, errors);
  if (!r.is_object()) return;
  out->subject = r.String("subject", Presence::kRequired).value_or("");
  out->principal = r.String("principal", Presence::kRequired).value_or("");
  if (auto roles = r.StringList("roles", Presence::kRequired)) {
    if (roles->empty()) errors->Add(r.Ptr("roles"), "must name at least one role");
    const std::vector<std::string>& known = KnownRoles();
    for (std::size_t i = 0; i < roles->size(); ++i) {
      const std::string& role = (*roles)[i];
      if (std::find(known.begin(), known.end(), role) == known.end()) {
        errors->Add(r.Ptr("roles") + "/" + std::to_string(i),
                    "unknown role (known: " + JoinNames(known) + ")");
      } else if (std::find(out->roles.begin(), out->roles.end(), role) == out->roles.end()) {
        out->roles.push_back(role);
      }
    }
  }
  out->organisations =
      r.StringList("organisations", Presence::kOptional).value_or(std::vector<std::string>{});
  r.RejectUnknown();
}

void ReadTokenIssue(const json& value, const std::string& ptr, const std::string& base_dir,
                    TokenIssueConfig* out, FieldErrors* errors) {
  ObjectReader r(value, ptr, errors);
  if (auto f = r.String("privateKeyFile", Presence::kRequired)) {
    out->private_key_file = Resolve(base_dir, *f);
  }
  out->issuer = r.String("issuer", Presence::kRequired).value_or("");
  out->audience = r.String("audience", Presence::kRequired).value_or("");
  out->key_id = r.String("keyId", Presence::kRequired).value_or("");
  out->algorithm =
      r.Enum("algorithm", Presence::kRequired, SupportedJwsAlgorithmNames()).value_or("");
  if (auto t = r.Int("maxTtlSeconds", Presence::kOptional, 1, kMaxIssuedTokenTtlSeconds)) {
    out->max_ttl_seconds = static_cast<int>(*t);
  }
  r.RejectUnknown();
}

}  // namespace

void ReadApiAuthConfig(const json& value, const std::string& pointer, const std::string& base_dir,
                       ApiAuthConfig* out, FieldErrors* errors) {
  ObjectReader r(value, pointer, errors);
  if (!r.is_object()) return;
  if (const json* list = r.Array("issuers", Presence::kOptional)) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::string ptr = r.Ptr("issuers") + "/" + std::to_string(i);
      IssuerConfig issuer;
      ReadIssuer((*list)[i], ptr, base_dir, &issuer, errors);
      if (!issuer.issuer.empty() && !seen.insert(issuer.issuer).second) {
        errors->Add(ptr + "/issuer", "issuer listed twice");
      }
      out->issuers.push_back(std::move(issuer));
    }
  }
  if (auto s = r.Int("clockSkewSeconds", Presence::kOptional, 0, kMaxClockSkewSeconds)) {
    out->clock_skew_seconds = static_cast<int>(*s);
  }
  if (const json* list = r.Array("clientCertificates", Presence::kOptional)) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::string ptr = r.Ptr("clientCertificates") + "/" + std::to_string(i);
      ClientCertificateRule rule;
      ReadClientCertificate((*list)[i], ptr, &rule, errors);
      if (!rule.subject.empty() && !seen.insert(rule.subject).second) {
        errors->Add(ptr + "/subject", "subject listed twice");
      }
      out->client_certificates.push_back(std::move(rule));
    }
  }
  if (const json* t = r.Object("tokenIssue", Presence::kOptional)) {
    TokenIssueConfig issue;
    ReadTokenIssue(*t, r.Ptr("tokenIssue"), base_dir, &issue, errors);
    out->token_issue = std::move(issue);
  }
  r.RejectUnknown();
  if (out->issuers.empty() && out->client_certificates.empty()) {
    errors->Add(pointer, "needs at least one of issuers or clientCertificates");
  }
}

}  // namespace sa::adapter::auth
