#include "fhir/client.h"

#include <gtest/gtest.h>

#include "fhir/fake_transport.h"
#include "fhir/smart_backend.h"
#include "fhir/test_keys.h"

namespace sa::fhir {
namespace {

using std::chrono::milliseconds;

constexpr char kBase[] = "https://ehr.example/fhir/R4";

// Hands out "Bearer t0", then "Bearer t1" after each Invalidate.
class CountingAuth : public Authenticator {
 public:
  StatusOr<std::string> AuthorizationHeader() override {
    return "Bearer t" + std::to_string(generation);
  }
  void Invalidate() override {
    ++invalidations;
    ++generation;
  }
  int generation = 0;
  int invalidations = 0;
};

Json TransactionBundle(int entries) {
  BundleBuilder b(BundleType::kTransaction);
  for (int i = 0; i < entries; ++i) {
    Json task{{"resourceType", "Task"}, {"status", "requested"}, {"intent", "order"}};
    EXPECT_TRUE(b.AddConditionalUpdate(task, {"urn:t", std::to_string(i)}).ok());
  }
  return b.Build();
}

std::string TransactionResponseBody(int entries) {
  Json r{{"resourceType", "Bundle"}, {"type", "transaction-response"}, {"entry", Json::array()}};
  for (int i = 0; i < entries; ++i) {
    r["entry"].push_back({{"response",
                           {{"status", "201 Created"},
                            {"location", "Task/t" + std::to_string(i) + "/_history/1"},
                            {"etag", "W/\"1\""}}}});
  }
  return r.dump();
}

std::string Page(std::vector<std::string> ids, std::string next = "", int total = -1) {
  Json p{{"resourceType", "Bundle"}, {"type", "searchset"}, {"entry", Json::array()}};
  for (const std::string& id : ids) {
    p["entry"].push_back({{"resource", {{"resourceType", "Task"}, {"id", id}}},
                          {"search", {{"mode", "match"}}}});
  }
  if (!next.empty()) p["link"] = Json::array({{{"relation", "next"}, {"url", next}}});
  if (total >= 0) p["total"] = total;
  return p.dump();
}

class FhirClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<FhirClient> Make(FhirClientOptions options = {}, Authenticator* auth = nullptr) {
    if (options.base_url.empty()) options.base_url = kBase;
    FhirClientDeps deps{&transport_, auth ? auth : &auth_, &clock_, random_.get()};
    StatusOr<std::unique_ptr<FhirClient>> c = FhirClient::Create(options, deps);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  FakeTransport transport_;
  FakeClock clock_;
  CountingAuth auth_;
  std::unique_ptr<RandomSource> random_ = MakeRandomSource(3);
};

TEST_F(FhirClientTest, TransactionPostsBundleWithFhirHeadersAndAuth) {
  auto client = Make();
  transport_.Respond(200, TransactionResponseBody(2));
  Json bundle = TransactionBundle(2);
  StatusOr<TransactionResponse> r = client->Transaction(bundle);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->AllOk());
  EXPECT_EQ(r->entries[1].location, "Task/t1/_history/1");
  ASSERT_EQ(transport_.requests().size(), 1u);
  const HttpRequest req = transport_.requests()[0];
  EXPECT_EQ(req.method, HttpMethod::kPost);
  EXPECT_EQ(req.url, kBase);
  EXPECT_EQ(req.headers.Get("accept"), "application/fhir+json");
  EXPECT_EQ(req.headers.Get("content-type"), "application/fhir+json");
  EXPECT_EQ(req.headers.Get("authorization"), "Bearer t0");
  EXPECT_EQ(*ParseJson(req.body), bundle);
}

TEST_F(FhirClientTest, TransactionChecksRequestAndResponseShape) {
  auto client = Make();
  EXPECT_EQ(client->Transaction(Json{{"resourceType", "Task"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Transaction(Json{{"resourceType", "Bundle"}, {"type", "searchset"}})
                .status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
  transport_.Respond(200, TransactionResponseBody(1));  // one entry for two
  EXPECT_EQ(client->Transaction(TransactionBundle(2)).status().code(), StatusCode::kPermanent);
  transport_.Respond(200, "<html>proxy login</html>");
  EXPECT_EQ(client->Transaction(TransactionBundle(1)).status().code(), StatusCode::kPermanent);
}

TEST_F(FhirClientTest, UnauthorizedRefreshesOnceThenSucceeds) {
  auto client = Make();
  transport_.Respond(401);
  transport_.Respond(200, TransactionResponseBody(1));
  ASSERT_TRUE(client->Transaction(TransactionBundle(1)).ok());
  EXPECT_EQ(auth_.invalidations, 1);
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(transport_.requests()[0].headers.Get("Authorization"), "Bearer t0");
  EXPECT_EQ(transport_.requests()[1].headers.Get("Authorization"), "Bearer t1");
}

TEST_F(FhirClientTest, SecondUnauthorizedIsPermissionDenied) {
  auto client = Make();
  transport_.Respond(401);
  transport_.Respond(401, R"({"resourceType":"OperationOutcome","issue":[
      {"severity":"error","code":"login"}]})");
  StatusOr<TransactionResponse> r = client->Transaction(TransactionBundle(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("error login"), std::string::npos);
  EXPECT_EQ(auth_.invalidations, 1);
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(FhirClientTest, RefreshHappensOnceAcrossRetries) {
  auto client = Make();
  transport_.Respond(503);
  transport_.Respond(401);
  transport_.Respond(200, TransactionResponseBody(1));
  ASSERT_TRUE(client->Transaction(TransactionBundle(1)).ok());
  EXPECT_EQ(auth_.invalidations, 1);
  EXPECT_EQ(clock_.sleeps().size(), 1u);
}

TEST_F(FhirClientTest, RetriesTransientFailuresWithRetryAfter) {
  FhirClientOptions options;
  options.retry.max_attempts = 3;
  auto client = Make(options);
  transport_.Fail(Status::Unavailable("connection reset"));
  transport_.Respond(429, "", {{"Retry-After", "2"}});
  transport_.Respond(200, TransactionResponseBody(1));
  ASSERT_TRUE(client->Transaction(TransactionBundle(1)).ok());
  ASSERT_EQ(clock_.sleeps().size(), 2u);
  EXPECT_LE(clock_.sleeps()[0], options.retry.base_delay);
  EXPECT_EQ(clock_.sleeps()[1], milliseconds(2000));
}

TEST_F(FhirClientTest, RejectionIsPermanentWithOutcomeButNoPayload) {
  auto client = Make();
  transport_.Respond(422, R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",
      "code":"invalid","expression":["Bundle.entry[0].resource.status"],
      "details":{"text":"value 'SECRET' is not allowed"}}]})");
  StatusOr<TransactionResponse> r = client->Transaction(TransactionBundle(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermanent);
  EXPECT_EQ(r.status().message(),
            "HTTP 422: error invalid @Bundle.entry[0].resource.status");
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(FhirClientTest, SearchFollowsNextLinksOnTheSameServer) {
  auto client = Make();
  transport_.Respond(200, Page({"1", "2"}, std::string(kBase) + "/Task?identifier=s|v&page=2", 3));
  transport_.Respond(200, Page({"3"}, "Task?identifier=s%7Cv&page=3"));
  transport_.Respond(200, Page({}, "/fhir/R4/Task?page=4"));
  transport_.Respond(200, Page({}));
  StatusOr<SearchResult> r = client->Search("Task", IdentifierQuery("s", "v"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->resources.size(), 3u);
  EXPECT_EQ(r->resources[2]["id"], "3");
  EXPECT_EQ(r->total, 3);
  EXPECT_EQ(r->pages, 4);
  EXPECT_FALSE(r->truncated);
  std::vector<HttpRequest> reqs = transport_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].url, std::string(kBase) + "/Task?identifier=s%7Cv");
  EXPECT_EQ(reqs[1].url, std::string(kBase) + "/Task?identifier=s%7Cv&page=2");  // '|' encoded
  EXPECT_EQ(reqs[2].url, std::string(kBase) + "/Task?identifier=s%7Cv&page=3");
  EXPECT_EQ(reqs[3].url, "https://ehr.example/fhir/R4/Task?page=4");
  EXPECT_EQ(reqs[1].headers.Get("Authorization"), "Bearer t0");
}

TEST_F(FhirClientTest, SearchStopsAtThePageLimit) {
  FhirClientOptions options;
  options.max_search_pages = 2;
  auto client = Make(options);
  transport_.SetHandler([](const HttpRequest&) -> StatusOr<HttpResponse> {
    HttpResponse r;
    r.status = 200;
    r.body = Page({"x"}, std::string(kBase) + "/Task?page=n");
    return r;
  });
  StatusOr<SearchResult> r = client->Search("Task", "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->pages, 2);
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(FhirClientTest, SearchRefusesNextLinkToAnotherOrigin) {
  auto client = Make();
  transport_.Respond(200, Page({"1"}, "https://evil.example/fhir/Task?page=2"));
  StatusOr<SearchResult> r = client->Search("Task", "status=requested");
  EXPECT_EQ(r.status().code(), StatusCode::kPermanent);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(FhirClientTest, SearchRejectsNonSearchsetAndBadType) {
  auto client = Make();
  EXPECT_EQ(client->Search("task/../x", "").status().code(), StatusCode::kInvalidArgument);
  transport_.Respond(200, R"({"resourceType":"Task"})");
  EXPECT_EQ(client->Search("Task", "").status().code(), StatusCode::kPermanent);
}

TEST_F(FhirClientTest, ReadReturnsResourceOrNotFound) {
  auto client = Make();
  transport_.Respond(200, R"({"resourceType":"Task","id":"t1","status":"completed"})");
  StatusOr<Json> t = client->Read("Task", "t1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)["status"], "completed");
  EXPECT_EQ(transport_.requests()[0].url, std::string(kBase) + "/Task/t1");
  EXPECT_EQ(transport_.requests()[0].method, HttpMethod::kGet);
  EXPECT_FALSE(transport_.requests()[0].headers.Get("Content-Type").has_value());
  transport_.Respond(404);
  EXPECT_EQ(client->Read("Task", "gone").status().code(), StatusCode::kNotFound);
  transport_.Respond(410);
  EXPECT_EQ(client->Read("Task", "deleted").status().code(), StatusCode::kNotFound);
  transport_.Respond(200, R"({"resourceType":"Patient","id":"t1"})");
  EXPECT_EQ(client->Read("Task", "t1").status().code(), StatusCode::kPermanent);
  EXPECT_EQ(client->Read("Task", "../metadata").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FhirClientTest, ReadCapabilitiesGetsMetadata) {
  auto client = Make();
  transport_.Respond(200, R"({"resourceType":"CapabilityStatement","fhirVersion":"4.0.1",
      "rest":[{"mode":"server","interaction":[{"code":"transaction"}]}]})");
  StatusOr<Capabilities> caps = client->ReadCapabilities();
  ASSERT_TRUE(caps.ok()) << caps.status().ToString();
  EXPECT_TRUE(caps->transaction);
  EXPECT_EQ(transport_.requests()[0].url, std::string(kBase) + "/metadata");
}

TEST_F(FhirClientTest, ExecuteRefusesOtherOrigins) {
  auto client = Make();
  EXPECT_EQ(client->Execute(HttpMethod::kGet, "https://evil.example/x").status().code(),
            StatusCode::kPermanent);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST(FhirClientCreateTest, ValidatesOptionsAndDeps) {
  FakeTransport transport;
  EXPECT_FALSE(FhirClient::Create({.base_url = "ftp://x/fhir"}, {&transport}).ok());
  EXPECT_FALSE(FhirClient::Create({.base_url = "https://x/fhir?a=b"}, {&transport}).ok());
  EXPECT_FALSE(FhirClient::Create({.base_url = kBase}, {}).ok());
  FhirClientOptions bad{.base_url = kBase};
  bad.retry.max_attempts = 0;
  EXPECT_FALSE(FhirClient::Create(bad, {&transport}).ok());
  auto ok = FhirClient::Create({.base_url = std::string(kBase) + "/"}, {&transport});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->base_url(), kBase);
}

// The client with the real SMART authenticator: a 401 makes exactly one new
// token request, and the retried call carries the new token.
TEST(FhirClientSmartTest, UnauthorizedFetchesOneNewToken) {
  FakeTransport transport;
  FakeClock clock;
  AuthConfig config;
  config.method = "smart-backend";
  config.token_url = "https://auth.example/token";
  config.client_id = "cid";
  config.algorithm = "ES384";
  config.private_key_file =
      test_keys::WriteTempFile("client_ec.pem", test_keys::MakeKeyPem("EC", 0, "P-384"));
  config.scopes = {"system/Task.cu"};
  auto auth = MakeAuthenticator(config, &transport, &clock).value();
  int tokens = 0;
  transport.SetHandler([&](const HttpRequest& r) -> StatusOr<HttpResponse> {
    HttpResponse resp;
    if (r.url == config.token_url) {
      resp.status = 200;
      resp.body = Json{{"access_token", "tok" + std::to_string(++tokens)},
                       {"token_type", "bearer"},
                       {"expires_in", 300}}.dump();
    } else if (r.headers.Get("Authorization") == "Bearer tok1") {
      resp.status = 401;  // the server has revoked the first token
    } else {
      resp.status = 200;
      resp.body = R"({"resourceType":"Task","id":"a"})";
    }
    return resp;
  });
  auto client = FhirClient::Create({.base_url = kBase}, {&transport, auth.get(), &clock}).value();
  ASSERT_TRUE(client->Read("Task", "a").ok());
  EXPECT_EQ(tokens, 2);
  ASSERT_TRUE(client->Read("Task", "a").ok());  // cached tok2, no new token
  EXPECT_EQ(tokens, 2);
  EXPECT_EQ(transport.requests().size(), 5u);  // token, 401, token, 200, 200
}

}  // namespace
}  // namespace sa::fhir
