// Who is calling: the authenticated identity behind an API request, after its
// bearer token (or client certificate) was checked. Everything that decides
// access, and every audit entry, works from a Principal.
#ifndef SA_ADAPTER_AUTH_PRINCIPAL_H_
#define SA_ADAPTER_AUTH_PRINCIPAL_H_

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sa::adapter::auth {

// The closed set of roles a token's claims map to (issue 6 §2).
inline constexpr std::string_view kRoleOfficeSystem = "office-system";
inline constexpr std::string_view kRoleSupervisor = "supervisor";
inline constexpr std::string_view kRoleSupervisee = "supervisee";
inline constexpr std::string_view kRoleSafeguardingLead = "safeguarding-lead";
inline constexpr std::string_view kRoleLineManager = "line-manager";
inline constexpr std::string_view kRoleAuditor = "auditor";
inline constexpr std::string_view kRoleIntegratorAdmin = "integrator-admin";

// Every role name above, in that order.
inline const std::vector<std::string>& KnownRoles() {
  static const std::vector<std::string>* const kRoles = new std::vector<std::string>{
      "office-system", "supervisor",  "supervisee",      "safeguarding-lead",
      "line-manager",  "auditor",     "integrator-admin"};
  return *kRoles;
}

struct Principal {
  // The staff id (for people: the id sessions use, e.g. "P-10") or the
  // client id (office systems). Never empty once authenticated.
  std::string subject;
  std::set<std::string> roles;              // from KnownRoles()
  std::vector<std::string> organisations;   // profile codes the caller acts for
  std::string issuer;                       // token issuer, or "mtls"
  std::string via;                          // "jwt" or "mtls"

  bool HasRole(std::string_view role) const { return roles.count(std::string(role)) > 0; }
  bool ActsFor(std::string_view org) const {
    return std::find(organisations.begin(), organisations.end(), org) != organisations.end();
  }
  // The audit log's actor for this caller: "api:<subject>".
  std::string AuditActor() const { return "api:" + subject; }
};

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_PRINCIPAL_H_
