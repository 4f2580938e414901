#include "adapter/api/http/router.h"

#include <gtest/gtest.h>

namespace sa::adapter::api {
namespace {

Router::Handler Named(std::string name) {
  return [name](HttpRequest&) { return HttpResponse::Json(200, {{"h", name}}); };
}

HttpRequest Req(std::string method, std::string target) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

std::string Which(const Router& router, HttpRequest r) {
  HttpResponse resp = router.Dispatch(r);
  if (resp.status != 200) return std::to_string(resp.status);
  return nlohmann::json::parse(resp.body)["h"];
}

TEST(HttpRouterTest, MatchesMethodAndSegmentsExactly) {
  Router router;
  router.Add("GET", "/v1/sessions", Named("list"));
  router.Add("POST", "/v1/sessions", Named("create"));
  router.Add("GET", "/v1/sessions/{id}", Named("get"));
  router.Add("POST", "/v1/sessions/{id}/signatures", Named("sign"));
  ASSERT_TRUE(router.status().ok()) << router.status().ToString();
  EXPECT_EQ(Which(router, Req("GET", "/v1/sessions")), "list");
  EXPECT_EQ(Which(router, Req("POST", "/v1/sessions")), "create");
  EXPECT_EQ(Which(router, Req("GET", "/v1/sessions/S-1?x=1")), "get");
  EXPECT_EQ(Which(router, Req("POST", "/v1/sessions/S-1/signatures")), "sign");
  EXPECT_EQ(Which(router, Req("GET", "/v1/sessions/")), "404");      // empty parameter
  EXPECT_EQ(Which(router, Req("GET", "/v1//sessions")), "404");      // empty segment
  EXPECT_EQ(Which(router, Req("GET", "/v1/sessions/S-1/")), "404");  // trailing slash
  EXPECT_EQ(Which(router, Req("GET", "/v1/Sessions")), "404");       // case matters
  EXPECT_EQ(Which(router, Req("GET", "/v2/sessions")), "404");
}

TEST(HttpRouterTest, ParamsAreDecodedAndSetWithTheRoute) {
  Router router;
  router.Add("GET", "/v1/orgs/{org}/sessions/{id}", Named("get"));
  HttpRequest r = Req("GET", "/v1/orgs/N%20E/sessions/a%2Fb");
  HttpResponse error;
  ASSERT_NE(router.Match(r, &error), nullptr);
  EXPECT_EQ(r.route, "/v1/orgs/{org}/sessions/{id}");
  EXPECT_EQ(r.path_params["org"], "N E");
  EXPECT_EQ(r.path_params["id"], "a/b");  // an encoded slash stays inside the segment
}

TEST(HttpRouterTest, UnknownMethodOnAKnownPathIs405WithAllow) {
  Router router;
  router.Add("GET", "/v1/sessions/{id}", Named("get"));
  router.Add("DELETE", "/v1/sessions/{id}", Named("delete"));
  HttpRequest r = Req("PUT", "/v1/sessions/S-1");
  HttpResponse error;
  EXPECT_EQ(router.Match(r, &error), nullptr);
  EXPECT_EQ(error.status, 405);
  EXPECT_EQ(error.content_type, "application/problem+json");
  ASSERT_EQ(error.headers.size(), 1u);
  EXPECT_EQ(error.headers[0], (std::pair<std::string, std::string>{"Allow", "DELETE, GET"}));
}

TEST(HttpRouterTest, LiteralBeatsParameter) {
  Router router;
  router.Add("GET", "/v1/sessions/{id}", Named("get"));
  router.Add("GET", "/v1/sessions/search", Named("search"));
  EXPECT_EQ(Which(router, Req("GET", "/v1/sessions/search")), "search");
  EXPECT_EQ(Which(router, Req("GET", "/v1/sessions/other")), "get");
}

TEST(HttpRouterTest, BadEscapeIs400) {
  Router router;
  router.Add("GET", "/v1/sessions/{id}", Named("get"));
  EXPECT_EQ(Which(router, Req("GET", "/v1/sessions/%zz")), "400");
}

TEST(HttpRouterTest, BadRoutesAreKeptAsAnError) {
  for (auto [method, pattern] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "v1/x"},
                                                        {"GET", "/v1//x"},
                                                        {"GET", "/v1/{}"},
                                                        {"GET", "/v1/{a-b}"},
                                                        {"GET", "/v1/x{id}"},
                                                        {"GET", "/v1/{id}/{id}"},
                                                        {"G T", "/v1/x"}}) {
    Router router;
    router.Add(method, pattern, Named("x"));
    EXPECT_FALSE(router.status().ok()) << method << " " << pattern;
    EXPECT_TRUE(router.Routes().empty());
  }
  Router router;
  router.Add("GET", "/v1/{id}", Named("a"));
  router.Add("GET", "/v1/{key}", Named("b"));  // same shape: ambiguous
  EXPECT_EQ(router.status().code(), StatusCode::kInvalidArgument);
  Router no_handler;
  no_handler.Add("GET", "/v1/x", nullptr);
  EXPECT_FALSE(no_handler.status().ok());
}

TEST(HttpRouterTest, RoutesListsWhatWasAdded) {
  Router router;
  router.Add("GET", "/v1/a", Named("a"));
  router.Add("POST", "/v1/a/{id}", Named("b"));
  std::vector<RouteInfo> routes = router.Routes();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[1].method, "POST");
  EXPECT_EQ(routes[1].pattern, "/v1/a/{id}");
}

}  // namespace
}  // namespace sa::adapter::api
