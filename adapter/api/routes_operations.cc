// /healthz, /readyz, /metrics and /openapi.json.
#include "adapter/api/handler_util.h"
#include "adapter/api/http/problem.h"
#include "adapter/service/access.h"
#include "adapter/service/guard.h"

namespace sa::adapter::api {

void AddOperationsRoutes(Router& router, ApiContext& ctx) {
  // Liveness: the process answers. No store or network access.
  router.Add("GET", "/healthz", [](HttpRequest&) {
    return HttpResponse::Json(200, {{"status", "ok"}});
  });
  // Readiness: the store and the FHIR endpoint answer now.
  router.Add("GET", "/readyz", [&ctx](HttpRequest&) {
    Status s = ctx.readiness ? ctx.readiness() : Status::Ok();
    if (!s.ok()) return Problem(503, "Not ready", s.message());
    return HttpResponse::Json(200, {{"status", "ready"}});
  });
  router.Add("GET", "/openapi.json", [](HttpRequest&) {
    HttpResponse r;
    r.content_type = "application/json";
    r.body = std::string(OpenApiDocument());
    return r;
  });
  router.Add("GET", "/metrics",
             Protected(ctx, [&ctx](HttpRequest&, const auth::Principal& caller) {
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               Status allowed = service::Authorize(**db, service::Operation::kReadMetrics, caller,
                                                   service::kNone, nullptr, "metrics");
               if (!allowed.ok()) return ErrorResponse(ctx, allowed);
               HttpResponse r;
               r.content_type = kMetricsContentType;
               r.body = ctx.registry ? ctx.registry->Render() : "";
               return r;
             }));
}

ApiMetrics::ApiMetrics(MetricsRegistry& registry)
    : intake(registry.AddCounter("sa_intake_total", "Session records taken in, by result",
                                 {"result"})),
      auth_failures(registry.AddCounter("sa_auth_failures_total",
                                        "Requests refused for want of valid credentials",
                                        {"route"})),
      refusals(registry.AddCounter("sa_access_refusals_total",
                                   "Requests refused by the access rules", {"operation"})) {}

void AddApiRoutes(Router& router, ApiContext& context) {
  AddSessionRoutes(router, context);
  AddPeopleRoutes(router, context);
  AddDisclosureRoutes(router, context);
  AddReportRoutes(router, context);
  AddOperationsRoutes(router, context);
}

}  // namespace sa::adapter::api
