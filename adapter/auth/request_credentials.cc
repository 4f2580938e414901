#include "adapter/auth/request_credentials.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace sa::adapter::auth {
namespace {

bool IsB64TokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/';
}

}  // namespace

std::optional<std::string_view> BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view rest = header.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  std::size_t body = 0;
  while (body < rest.size() && IsB64TokenChar(rest[body])) ++body;
  if (body == 0) return std::nullopt;
  std::size_t end = body;
  while (end < rest.size() && rest[end] == '=') ++end;
  if (end != rest.size()) return std::nullopt;
  return rest;
}

StatusOr<Principal> PrincipalFromClientCertificate(const ApiAuthConfig& config,
                                                   std::string_view subject) {
  if (!subject.empty()) {
    for (const ClientCertificateRule& rule : config.client_certificates) {
      if (rule.subject != subject) continue;
      Principal p;
      p.subject = rule.principal;
      const std::vector<std::string>& known = KnownRoles();
      for (const std::string& role : rule.roles) {
        // The reader refuses unknown roles; a rule built in code is held to the same set.
        if (std::find(known.begin(), known.end(), role) != known.end()) p.roles.insert(role);
      }
      p.organisations = rule.organisations;
      p.issuer = "mtls";
      p.via = "mtls";
      if (p.subject.empty() || p.roles.empty()) break;
      return p;
    }
  }
  return Status::PermissionDenied("client certificate not recognised");
}

}  // namespace sa::adapter::auth
