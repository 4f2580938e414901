// Reading the claims of a token payload whose signature has been checked:
// audience, the time claims, and the claims that make up a Principal. Each
// refusal is PermissionDenied with a reason that never quotes the claim.
#ifndef SA_ADAPTER_AUTH_JWT_CLAIMS_H_
#define SA_ADAPTER_AUTH_JWT_CLAIMS_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "fhir/status.h"

namespace sa::adapter::auth {

// Longest subject accepted; it becomes the audit actor.
inline constexpr std::size_t kMaxSubjectBytes = 256;

// "aud" (a string or an array of strings) must contain one of `accepted`.
Status CheckAudience(const nlohmann::json& payload, const std::vector<std::string>& accepted);

// "exp" is required and must be after now - skew; "nbf" and "iat", when
// present, must not be after now + skew. All are NumericDates (seconds since
// the epoch; fractions allowed). `now` and `skew` are in seconds.
Status CheckTimes(const nlohmann::json& payload, std::int64_t now, std::int64_t skew);

// The subject claim `claim` (normally "sub"): a non-empty string of at most
// kMaxSubjectBytes without control characters (it becomes the audit actor).
StatusOr<std::string> SubjectClaim(const nlohmann::json& payload, const std::string& claim);

// The known roles in claim `claim`: an array of strings, or one string of
// space-separated names (OAuth "scope" style). Unknown names are ignored;
// none known (or no claim) is refused.
StatusOr<std::set<std::string>> RolesClaim(const nlohmann::json& payload, const std::string& claim);

// The organisations in claim `claim`: a string or an array of strings, in
// order, without repeats; absent is empty.
StatusOr<std::vector<std::string>> OrganisationsClaim(const nlohmann::json& payload,
                                                      const std::string& claim);

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_JWT_CLAIMS_H_
