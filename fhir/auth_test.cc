#include "fhir/auth.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "fhir/fake_transport.h"
#include "fhir/test_keys.h"

namespace sa::fhir {
namespace {

TEST(AuthFactoryTest, NoneSendsNoHeader) {
  AuthConfig c;
  c.method = "none";
  auto auth = MakeAuthenticator(c, nullptr);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(*(*auth)->AuthorizationHeader(), "");
}

TEST(AuthFactoryTest, UnknownMethodIsAnErrorNamingTheKnownOnes) {
  AuthConfig c;
  c.method = "basic";
  StatusOr<std::unique_ptr<Authenticator>> auth = MakeAuthenticator(c, nullptr);
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(auth.status().message().find("none, bearer, smart-backend"), std::string::npos);
  c.method = "";
  EXPECT_FALSE(MakeAuthenticator(c, nullptr).ok());
}

TEST(AuthFactoryTest, FieldsOfAnotherMethodAreRejected) {
  AuthConfig c;
  c.method = "none";
  c.token_file = "/x";
  EXPECT_FALSE(MakeAuthenticator(c, nullptr).ok());
  c.method = "bearer";
  c.client_id = "x";
  EXPECT_FALSE(MakeAuthenticator(c, nullptr).ok());
}

TEST(BearerAuthTest, TokenFromFileIsTrimmedAndRereadAfterInvalidate) {
  std::string path = test_keys::WriteTempFile("bearer_token.txt", "  tok-1 \n");
  AuthConfig c;
  c.method = "bearer";
  c.token_file = path;
  auto auth = MakeAuthenticator(c, nullptr).value();
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-1");
  std::ofstream(path) << "tok-2\n";  // rotated
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-1");  // cached
  auth->Invalidate();
  EXPECT_EQ(*auth->AuthorizationHeader(), "Bearer tok-2");
}

TEST(BearerAuthTest, TokenFromEnvironment) {
  ::setenv("SA_FHIR_TEST_TOKEN", "\tenv-token\r\n", 1);
  AuthConfig c;
  c.method = "bearer";
  c.token_env = "SA_FHIR_TEST_TOKEN";
  auto auth = MakeAuthenticator(c, nullptr);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(*(*auth)->AuthorizationHeader(), "Bearer env-token");
  ::unsetenv("SA_FHIR_TEST_TOKEN");
  EXPECT_FALSE(MakeAuthenticator(c, nullptr).ok());
}

TEST(BearerAuthTest, BadSourcesFailAtStartUp) {
  AuthConfig c;
  c.method = "bearer";
  EXPECT_FALSE(MakeAuthenticator(c, nullptr).ok());  // neither source
  c.token_file = test_keys::WriteTempFile("bearer_a.txt", "x");
  c.token_env = "HOME";
  EXPECT_FALSE(MakeAuthenticator(c, nullptr).ok());  // both sources
  c.token_env.clear();
  c.token_file = test_keys::WriteTempFile("bearer_empty.txt", " \n");
  EXPECT_FALSE(MakeAuthenticator(c, nullptr).ok());
  c.token_file = test_keys::WriteTempFile("bearer_space.txt", "a b");
  StatusOr<std::unique_ptr<Authenticator>> spaced = MakeAuthenticator(c, nullptr);
  ASSERT_FALSE(spaced.ok());
  EXPECT_EQ(spaced.status().message().find("a b"), std::string::npos);  // token not echoed
  c.token_file = "/nonexistent/token";
  EXPECT_FALSE(MakeAuthenticator(c, nullptr).ok());
}

TEST(CleanTokenTest, TrimsAndRejectsHeaderBreakers) {
  EXPECT_EQ(*CleanToken(" abc.def-_~+/= \n"), "abc.def-_~+/=");
  EXPECT_FALSE(CleanToken("a\r\nX-Injected: 1").ok());
  EXPECT_FALSE(CleanToken("caf\xC3\xA9").ok());
  EXPECT_FALSE(CleanToken("").ok());
}

TEST(AuthFactoryTest, SmartBackendByName) {
  FakeTransport transport;
  FakeClock clock;
  AuthConfig c;
  c.method = "smart-backend";
  c.token_url = "https://auth.example/token";
  c.client_id = "cid";
  c.private_key_file =
      test_keys::WriteTempFile("factory_ec.pem", test_keys::MakeKeyPem("EC", 0, "P-384"));
  c.algorithm = "ES384";
  c.scopes = {"system/Task.write"};
  auto auth = MakeAuthenticator(c, &transport, &clock);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  transport.Respond(200, R"({"access_token":"abc","token_type":"bearer","expires_in":300})");
  EXPECT_EQ(*(*auth)->AuthorizationHeader(), "Bearer abc");
  c.token_file = "/x";
  EXPECT_FALSE(MakeAuthenticator(c, &transport, &clock).ok());
  c.token_file.clear();
  EXPECT_FALSE(MakeAuthenticator(c, nullptr, &clock).ok());  // no transport
}

}  // namespace
}  // namespace sa::fhir
