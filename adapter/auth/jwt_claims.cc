#include "adapter/auth/jwt_claims.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "adapter/auth/principal.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;

Status Denied(const char* reason) { return Status::PermissionDenied(reason); }

// NumericDate member `name`: nullopt when absent; `*malformed` when present
// but not a finite number.
std::optional<double> NumericDate(const json& payload, const char* name, bool* malformed) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  if (!it->is_number() || !std::isfinite(it->get<double>())) {
    *malformed = true;
    return std::nullopt;
  }
  return it->get<double>();
}

}  // namespace

Status CheckAudience(const json& payload, const std::vector<std::string>& accepted) {
  auto it = payload.find("aud");
  if (it == payload.end()) return Denied("audience missing");
  auto ok = [&](const json& v) {
    return v.is_string() && std::find(accepted.begin(), accepted.end(),
                                      v.get_ref<const std::string&>()) != accepted.end();
  };
  if (it->is_string()) return ok(*it) ? Status::Ok() : Denied("audience not accepted");
  if (!it->is_array()) return Denied("audience malformed");
  if (!std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); })) {
    return Denied("audience malformed");
  }
  return std::any_of(it->begin(), it->end(), ok) ? Status::Ok() : Denied("audience not accepted");
}

Status CheckTimes(const json& payload, std::int64_t now, std::int64_t skew) {
  bool malformed = false;
  std::optional<double> exp = NumericDate(payload, "exp", &malformed);
  std::optional<double> nbf = NumericDate(payload, "nbf", &malformed);
  std::optional<double> iat = NumericDate(payload, "iat", &malformed);
  if (malformed) return Denied("time claim malformed");
  if (!exp) return Denied("expiry (exp) missing");
  const double t = static_cast<double>(now);
  // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
  if (t >= *exp + static_cast<double>(skew)) return Denied("token expired");
  if (nbf && *nbf > t + static_cast<double>(skew)) return Denied("token not yet valid");
  if (iat && *iat > t + static_cast<double>(skew)) return Denied("token issued in the future");
  return Status::Ok();
}

StatusOr<std::string> SubjectClaim(const json& payload, const std::string& claim) {
  auto it = payload.find(claim);
  if (it == payload.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Denied("subject missing");
  }
  const std::string& sub = it->get_ref<const std::string&>();
  if (sub.size() > kMaxSubjectBytes || std::any_of(sub.begin(), sub.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return Denied("subject malformed");
  }
  return sub;
}

StatusOr<std::set<std::string>> RolesClaim(const json& payload, const std::string& claim) {
  std::vector<std::string> names;
  auto it = payload.find(claim);
  if (it != payload.end() && it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t end = s.find(' ', pos);
      if (end == std::string::npos) end = s.size();
      if (end > pos) names.push_back(s.substr(pos, end - pos));
      pos = end + 1;
    }
  } else if (it != payload.end() && it->is_array()) {
    for (const json& v : *it) {
      if (!v.is_string()) return Denied("roles claim malformed");
      names.push_back(v.get<std::string>());
    }
  } else if (it != payload.end()) {
    return Denied("roles claim malformed");
  }
  std::set<std::string> roles;
  const std::vector<std::string>& known = KnownRoles();
  for (const std::string& n : names) {
    if (std::find(known.begin(), known.end(), n) != known.end()) roles.insert(n);
  }
  if (roles.empty()) return Denied("no known role");
  return roles;
}

StatusOr<std::vector<std::string>> OrganisationsClaim(const json& payload,
                                                      const std::string& claim) {
  std::vector<std::string> out;
  auto it = payload.find(claim);
  if (it == payload.end()) return out;
  auto add = [&](const json& v) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) return false;
    const std::string& s = v.get_ref<const std::string&>();
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    return true;
  };
  if (it->is_array()) {
    for (const json& v : *it) {
      if (!add(v)) return Denied("organisations claim malformed");
    }
  } else if (!add(*it)) {
    return Denied("organisations claim malformed");
  }
  return out;
}

}  // namespace sa::adapter::auth
