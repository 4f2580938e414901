#include "adapter/auth/request_credentials.h"

#include <gtest/gtest.h>

namespace sa::adapter::auth {
namespace {

TEST(BearerTokenTest, ExtractsTheTokenWithAnyCaseScheme) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER   a-b_c~d+e/f=="), "a-b_c~d+e/f==");
}

TEST(BearerTokenTest, RefusesEverythingElse) {
  for (const char* header : {"", "Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwdw==",
                             "Bearerabc", "Bearer\tabc", "Bearer a b", "Bearer abc ", "Bearer a=b",
                             "Bearer =", "Bearer a,b", "Token abc", " Bearer abc", "Bearer a\"b"}) {
    EXPECT_EQ(BearerToken(header), std::nullopt) << "[" << header << "]";
  }
}

TEST(ClientCertificateTest, MapsAnExactSubjectToItsPrincipal) {
  ApiAuthConfig config;
  config.client_certificates = {
      {"CN=office.example", "office-system-1", {"office-system"}, {"ORG1", "ORG2"}},
      {"CN=audit.example,O=NHS", "auditor-1", {"auditor", "supervisor"}, {}},
  };
  StatusOr<Principal> p = PrincipalFromClientCertificate(config, "CN=office.example");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->subject, "office-system-1");
  EXPECT_EQ(p->roles, std::set<std::string>{"office-system"});
  EXPECT_EQ(p->organisations, (std::vector<std::string>{"ORG1", "ORG2"}));
  EXPECT_EQ(p->issuer, "mtls");
  EXPECT_EQ(p->via, "mtls");
  EXPECT_EQ(p->AuditActor(), "api:office-system-1");

  p = PrincipalFromClientCertificate(config, "CN=audit.example,O=NHS");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->roles, (std::set<std::string>{"auditor", "supervisor"}));

  for (const char* subject :
       {"", "CN=office.example ", "cn=office.example", "CN=office", "CN=audit.example"}) {
    StatusOr<Principal> refused = PrincipalFromClientCertificate(config, subject);
    ASSERT_FALSE(refused.ok()) << subject;
    EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(refused.status().message(), "client certificate not recognised");
  }
}

TEST(ClientCertificateTest, RuleWithoutKnownRolesGrantsNothing) {
  ApiAuthConfig config;
  config.client_certificates = {{"CN=x", "x", {"admin"}, {}}};
  EXPECT_FALSE(PrincipalFromClientCertificate(config, "CN=x").ok());
}

}  // namespace
}  // namespace sa::adapter::auth
