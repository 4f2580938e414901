// Method + path-pattern routing. Patterns are literal segments and "{name}"
// parameters ("/v1/sessions/{id}/signatures"); matching is per segment and
// exact, so the router, the OpenAPI document and the metrics all speak in
// the same patterns.
#ifndef SA_ADAPTER_API_HTTP_ROUTER_H_
#define SA_ADAPTER_API_HTTP_ROUTER_H_

#include <functional>
#include <string>
#include <vector>

#include "adapter/api/http/http_types.h"
#include "fhir/status.h"

namespace sa::adapter::api {

struct RouteInfo {
  std::string method;
  std::string pattern;
};

class Router {
 public:
  // Runs on a server thread; may throw (the server answers 500), but should
  // return problems (problem.h) for every error it expects.
  using Handler = std::function<HttpResponse(HttpRequest&)>;

  // Registers `handler` for `method` on `pattern`. A bad pattern (not
  // starting with '/', an empty or partial segment, a bad or repeated
  // parameter name), a method that is not a token, an empty handler, or a
  // route that clashes with an earlier one is not added; the first such
  // error is kept in status(), and HttpServer::Start refuses the router
  // (a bad route table is a start-up error, never a silent 404).
  void Add(std::string method, std::string pattern, Handler handler);

  // Ok, or the first error Add met.
  const Status& status() const { return status_; }

  // Finds the handler for request.method on the path of request.target (or
  // request.path when target is empty). On a match, sets request.route and
  // request.path_params (each percent-decoded and non-empty) and returns the
  // handler. Otherwise returns null and sets *error: 404 when no pattern has
  // this path, 405 with an Allow header when patterns exist only for other
  // methods, 400 when a segment has a bad escape. A literal segment wins
  // over a parameter ("/v1/sessions/search" before "/v1/sessions/{id}").
  const Handler* Match(HttpRequest& request, HttpResponse* error) const;

  // Match, then the handler: for tests of handlers without a server.
  // Exceptions from the handler propagate.
  HttpResponse Dispatch(HttpRequest& request) const;

  // Every route in the order added, so a test can compare with openapi.json.
  std::vector<RouteInfo> Routes() const;

 private:
  struct Segment {
    bool param = false;
    std::string text;  // the literal, or the parameter name
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };

  std::vector<Route> routes_;
  Status status_;
};

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_ROUTER_H_
