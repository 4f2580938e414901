#include "adapter/auth/auth_config.h"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>

namespace sa::mappings {
// Readable failure output for vectors of FieldError.
void PrintTo(const FieldError& e, std::ostream* os) { *os << e.ToString(); }
}  // namespace sa::mappings

namespace sa::adapter::auth {
namespace {

using mappings::FieldError;
using mappings::FieldErrors;
using nlohmann::json;

// A valid section with every key used once.
json FullSection() {
  return json::parse(R"({
    "issuers": [
      {"issuer": "https://idp.example/realms/sa", "audience": ["supervision-api", "x"],
       "jwksFile": "keys/idp.jwks.json", "algorithms": ["RS256", "PS256"],
       "rolesClaim": "groups", "subjectClaim": "preferred_username",
       "organisationsClaim": "tenants"},
      {"issuer": "https://adapter.local", "audience": "supervision-api",
       "publicKeyFile": "/etc/sa/issuer.pub.pem", "algorithms": ["ES256"]}
    ],
    "clockSkewSeconds": 30,
    "clientCertificates": [
      {"subject": "CN=office.example", "principal": "office-system-1",
       "roles": ["office-system"], "organisations": ["ORG1"]}
    ],
    "tokenIssue": {"privateKeyFile": "keys/issuer.pem", "issuer": "https://adapter.local",
                   "audience": "supervision-api", "keyId": "k1", "algorithm": "ES256",
                   "maxTtlSeconds": 600}
  })");
}

std::vector<FieldError> Errors(const json& section, ApiAuthConfig* out = nullptr) {
  ApiAuthConfig config;
  FieldErrors errors;
  ReadApiAuthConfig(section, "/api/auth", "/cfg", out ? out : &config, &errors);
  return errors.list();
}

TEST(AuthConfigTest, ReadsEveryKey) {
  ApiAuthConfig c;
  ASSERT_EQ(Errors(FullSection(), &c), std::vector<FieldError>{});
  ASSERT_EQ(c.issuers.size(), 2u);
  const IssuerConfig& a = c.issuers[0];
  EXPECT_EQ(a.issuer, "https://idp.example/realms/sa");
  EXPECT_EQ(a.audiences, (std::vector<std::string>{"supervision-api", "x"}));
  EXPECT_EQ(a.jwks_file, "/cfg/keys/idp.jwks.json");
  EXPECT_FALSE(a.public_key_file);
  EXPECT_EQ(a.algorithms, (std::vector<std::string>{"RS256", "PS256"}));
  EXPECT_EQ(a.roles_claim, "groups");
  EXPECT_EQ(a.subject_claim, "preferred_username");
  EXPECT_EQ(a.organisations_claim, "tenants");
  const IssuerConfig& b = c.issuers[1];
  EXPECT_EQ(b.audiences, std::vector<std::string>{"supervision-api"});
  EXPECT_EQ(b.public_key_file, "/etc/sa/issuer.pub.pem");  // absolute: kept
  EXPECT_EQ(b.roles_claim, "roles");
  EXPECT_EQ(b.subject_claim, "sub");
  EXPECT_EQ(b.organisations_claim, "org");
  EXPECT_EQ(c.clock_skew_seconds, 30);
  ASSERT_EQ(c.client_certificates.size(), 1u);
  EXPECT_EQ(c.client_certificates[0].subject, "CN=office.example");
  EXPECT_EQ(c.client_certificates[0].principal, "office-system-1");
  EXPECT_EQ(c.client_certificates[0].roles, std::vector<std::string>{"office-system"});
  EXPECT_EQ(c.client_certificates[0].organisations, std::vector<std::string>{"ORG1"});
  ASSERT_TRUE(c.token_issue);
  EXPECT_EQ(c.token_issue->private_key_file, "/cfg/keys/issuer.pem");
  EXPECT_EQ(c.token_issue->issuer, "https://adapter.local");
  EXPECT_EQ(c.token_issue->audience, "supervision-api");
  EXPECT_EQ(c.token_issue->key_id, "k1");
  EXPECT_EQ(c.token_issue->algorithm, "ES256");
  EXPECT_EQ(c.token_issue->max_ttl_seconds, 600);
}

TEST(AuthConfigTest, DefaultsWhenOptionalKeysAreAbsent) {
  ApiAuthConfig c;
  json section = {
      {"clientCertificates", {{{"subject", "CN=a"}, {"principal", "a"}, {"roles", {"auditor"}}}}}};
  ASSERT_EQ(Errors(section, &c), std::vector<FieldError>{});
  EXPECT_EQ(c.clock_skew_seconds, 60);
  EXPECT_TRUE(c.issuers.empty());
  EXPECT_FALSE(c.token_issue);
  EXPECT_TRUE(c.client_certificates[0].organisations.empty());
}

struct ErrorCase {
  const char* name;
  std::function<void(json&)> change;
  std::vector<FieldError> errors;
};

TEST(AuthConfigTest, ReportsEachProblemWithItsPointer) {
  const std::vector<ErrorCase> cases = {
      {"UnknownTopLevelKey",
       [](json& s) { s["secret"] = "x"; },
       {{"/api/auth/secret", "unknown field"}}},
      {"UnknownIssuerKey",
       [](json& s) { s["issuers"][0]["publicKey"] = "inline"; },
       {{"/api/auth/issuers/0/publicKey", "unknown field"}}},
      {"UnknownTokenIssueKey",
       [](json& s) { s["tokenIssue"]["privateKey"] = "x"; },
       {{"/api/auth/tokenIssue/privateKey", "unknown field"}}},
      {"UnknownRole",
       [](json& s) {
         s["clientCertificates"][0]["roles"] = {"auditor", "admin"};
       },
       {{"/api/auth/clientCertificates/0/roles/1",
         "unknown role (known: office-system, supervisor, supervisee, safeguarding-lead, "
         "line-manager, auditor, integrator-admin)"}}},
      {"NoRoles",
       [](json& s) { s["clientCertificates"][0]["roles"] = json::array(); },
       {{"/api/auth/clientCertificates/0/roles", "must name at least one role"}}},
      {"BothKeySources",
       [](json& s) { s["issuers"][1]["jwksFile"] = "k.json"; },
       {{"/api/auth/issuers/1", "needs exactly one of publicKeyFile or jwksFile"}}},
      {"NoKeySource",
       [](json& s) { s["issuers"][0].erase("jwksFile"); },
       {{"/api/auth/issuers/0", "needs exactly one of publicKeyFile or jwksFile"}}},
      {"AlgorithmsMissing",
       [](json& s) { s["issuers"][0].erase("algorithms"); },
       {{"/api/auth/issuers/0/algorithms", "required"}}},
      {"AlgorithmsEmpty",
       [](json& s) { s["issuers"][0]["algorithms"] = json::array(); },
       {{"/api/auth/issuers/0/algorithms", "must name at least one algorithm"}}},
      {"AlgorithmNone",
       [](json& s) {
         s["issuers"][1]["algorithms"] = {"ES256", "none"};
       },
       {{"/api/auth/issuers/1/algorithms/1",
         "unsigned (none) and HMAC (HS*) algorithms are never accepted"}}},
      {"AlgorithmHs256",
       [](json& s) { s["issuers"][0]["algorithms"] = {"HS256"}; },
       {{"/api/auth/issuers/0/algorithms/0",
         "unsigned (none) and HMAC (HS*) algorithms are never accepted"}}},
      {"AlgorithmUnknown",
       [](json& s) {
         s["issuers"][0]["algorithms"] = {"RS256", "EdDSA"};
       },
       {{"/api/auth/issuers/0/algorithms/1",
         "must be one of: RS256, RS384, RS512, PS256, ES256, ES384"}}},
      {"AudienceMissing",
       [](json& s) { s["issuers"][0].erase("audience"); },
       {{"/api/auth/issuers/0/audience", "required"}}},
      {"AudienceBadItem",
       [](json& s) {
         s["issuers"][0]["audience"] = {"a", 3};
       },
       {{"/api/auth/issuers/0/audience/1", "must be a non-empty string"}}},
      {"AudienceNumber",
       [](json& s) { s["issuers"][0]["audience"] = 3; },
       {{"/api/auth/issuers/0/audience", "must be a string or an array of strings"}}},
      {"IssuerTwice",
       [](json& s) { s["issuers"][1]["issuer"] = "https://idp.example/realms/sa"; },
       {{"/api/auth/issuers/1/issuer", "issuer listed twice"}}},
      {"SkewTooLarge",
       [](json& s) { s["clockSkewSeconds"] = 301; },
       {{"/api/auth/clockSkewSeconds", "must be between 0 and 300"}}},
      {"TokenIssueAlgorithmHs",
       [](json& s) { s["tokenIssue"]["algorithm"] = "HS256"; },
       {{"/api/auth/tokenIssue/algorithm",
         "must be one of: RS256, RS384, RS512, PS256, ES256, ES384"}}},
      {"TokenIssueTtl",
       [](json& s) { s["tokenIssue"]["maxTtlSeconds"] = 0; },
       {{"/api/auth/tokenIssue/maxTtlSeconds", "must be between 1 and 86400"}}},
      {"TokenIssueKeyMissing",
       [](json& s) { s["tokenIssue"].erase("privateKeyFile"); },
       {{"/api/auth/tokenIssue/privateKeyFile", "required"}}},
      {"CertificateSubjectTwice",
       [](json& s) { s["clientCertificates"].push_back(s["clientCertificates"][0]); },
       {{"/api/auth/clientCertificates/1/subject", "subject listed twice"}}},
      {"IssuerNotObject",
       [](json& s) { s["issuers"][0] = "https://idp"; },
       {{"/api/auth/issuers/0", "must be an object"}}},
      {"NothingToAuthenticateWith",
       [](json& s) {
         s.erase("issuers");
         s.erase("clientCertificates");
       },
       {{"/api/auth", "needs at least one of issuers or clientCertificates"}}},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    json section = FullSection();
    c.change(section);
    EXPECT_EQ(Errors(section), c.errors);
  }
}

TEST(AuthConfigTest, SectionMustBeAnObject) {
  EXPECT_EQ(Errors(json::array()), (std::vector<FieldError>{{"/api/auth", "must be an object"}}));
}

}  // namespace
}  // namespace sa::adapter::auth
