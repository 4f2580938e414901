#include "adapter/auth/jwt_claims.h"

#include <gtest/gtest.h>

namespace sa::adapter::auth {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'700'000'000;

TEST(JwtClaimsTest, TimesAtTheirBoundaries) {
  struct Case {
    json claims;
    std::int64_t skew;
    const char* refusal;  // nullptr: accepted
  };
  const std::vector<Case> cases = {
      {{{"exp", kNow + 1}}, 0, nullptr},
      {{{"exp", kNow}}, 0, "token expired"},
      {{{"exp", kNow - 59}}, 60, nullptr},
      {{{"exp", kNow - 60}}, 60, "token expired"},
      {{{"exp", kNow + 10}, {"nbf", kNow + 60}}, 60, nullptr},
      {{{"exp", kNow + 10}, {"nbf", kNow + 61}}, 60, "token not yet valid"},
      {{{"exp", kNow + 10}, {"iat", kNow + 60}}, 60, nullptr},
      {{{"exp", kNow + 10}, {"iat", kNow + 61}}, 60, "token issued in the future"},
      {{{"nbf", kNow}}, 60, "expiry (exp) missing"},
      {{{"exp", true}}, 60, "time claim malformed"},
      {{{"exp", kNow + 10}, {"nbf", nullptr}}, 60, "time claim malformed"},
      {{{"exp", 1e300}}, 60, nullptr},
  };
  for (const Case& c : cases) {
    Status s = CheckTimes(c.claims, kNow, c.skew);
    if (c.refusal == nullptr) {
      EXPECT_TRUE(s.ok()) << c.claims.dump() << " " << s.ToString();
    } else {
      EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << c.claims.dump();
      EXPECT_EQ(s.message(), c.refusal) << c.claims.dump();
    }
  }
}

TEST(JwtClaimsTest, AudienceStringOrArray) {
  const std::vector<std::string> accepted = {"api", "other"};
  EXPECT_TRUE(CheckAudience({{"aud", "api"}}, accepted).ok());
  EXPECT_TRUE(CheckAudience({{"aud", {"x", "other"}}}, accepted).ok());
  EXPECT_EQ(CheckAudience({{"aud", "API"}}, accepted).message(), "audience not accepted");
  EXPECT_EQ(CheckAudience({{"aud", json::array()}}, accepted).message(), "audience not accepted");
  EXPECT_EQ(CheckAudience({{"aud", {"api", 1}}}, accepted).message(), "audience malformed");
  EXPECT_EQ(CheckAudience(json::object(), accepted).message(), "audience missing");
}

TEST(JwtClaimsTest, RolesAndOrganisations) {
  EXPECT_EQ(*RolesClaim({{"r", "auditor supervisor x"}}, "r"),
            (std::set<std::string>{"auditor", "supervisor"}));
  EXPECT_EQ(*RolesClaim({{"r", {"integrator-admin"}}}, "r"),
            std::set<std::string>{"integrator-admin"});
  EXPECT_EQ(RolesClaim({{"r", {"Supervisor"}}}, "r").status().message(), "no known role");
  EXPECT_EQ(RolesClaim({{"roles", {"supervisor"}}}, "r").status().message(), "no known role");
  EXPECT_EQ(*OrganisationsClaim({{"o", "A"}}, "o"), std::vector<std::string>{"A"});
  EXPECT_EQ(*OrganisationsClaim({{"o", {"A", "B", "A"}}}, "o"),
            (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(OrganisationsClaim(json::object(), "o")->empty());
  EXPECT_FALSE(OrganisationsClaim({{"o", {{"A", 1}}}}, "o").ok());
}

}  // namespace
}  // namespace sa::adapter::auth
