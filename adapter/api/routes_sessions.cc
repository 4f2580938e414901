// POST /v1/sessions, GET /v1/sessions/{id}, signatures, cancellation and the
// discussion read.
#include <chrono>

#include "adapter/api/handler_util.h"
#include "adapter/api/http/problem.h"
#include "adapter/audit/audit_log.h"
#include "mappings/json_reader.h"

namespace sa::adapter::api {

namespace {

using nlohmann::json;
using mappings::ObjectReader;
using mappings::Presence;

std::string ETag(int64_t version) { return "\"v" + std::to_string(version) + "\""; }

// If-Match: "v3" (quotes optional, W/ refused): the version to supersede.
std::optional<int64_t> ParseIfMatch(const std::string& value, bool* bad) {
  std::string v = value;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.size() < 2 || v[0] != 'v') {
    *bad = true;
    return std::nullopt;
  }
  int64_t n = 0;
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9' || n > (int64_t{1} << 40)) {
      *bad = true;
      return std::nullopt;
    }
    n = n * 10 + (v[i] - '0');
  }
  return n;
}

HttpResponse IntakeAnswer(ApiContext& ctx, const IntakeResult& r, int created_status) {
  if (ctx.metrics) ctx.metrics->intake.Inc({IntakeKindName(r.kind)});
  if (r.kind == IntakeResult::Kind::kRejected) {
    std::vector<std::pair<std::string, std::string>> errors;
    for (const auto& e : r.errors) errors.push_back({e.pointer, e.reason});
    HttpResponse p = Problem(422, "The session record was rejected",
                             std::to_string(errors.size()) + " problem(s); nothing was stored but a"
                                                             " register line saying why",
                             errors, "urn:supervision-adapter:problem:rejected-record");
    return p;
  }
  const int status = r.kind == IntakeResult::Kind::kUnchanged ? 200 : created_status;
  HttpResponse out = HttpResponse::Json(status, r.ToJson());
  out.headers.push_back({"ETag", ETag(r.version)});
  out.headers.push_back({"Location", "/v1/sessions/" + r.session_id +
                                         "?organisation=" + r.organisation});
  return out;
}

std::string NowRfc3339() { return audit::NowRfc3339(); }

}  // namespace

void AddSessionRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/v1/sessions",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               std::optional<int64_t> expected;
               if (auto im = req.Header("if-match")) {
                 bool bad = false;
                 expected = ParseIfMatch(*im, &bad);
                 if (bad) {
                   return Problem(422, "Bad If-Match", "", {{"If-Match", "must be an ETag such as \"v3\""}});
                 }
               }
               auto r = ctx.sessions->Submit(req.body, caller, expected);
               if (!r.ok()) return ErrorResponse(ctx, r.status());
               return IntakeAnswer(ctx, *r, 201);
             }));

  router.Add("GET", "/v1/sessions/{id}",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto org = OrganisationFor(req, caller, &error);
               if (!org) return error;
               auto view = ctx.sessions->RegisterView(*org, req.path_params["id"], caller);
               if (!view.ok()) return ErrorResponse(ctx, view.status());
               HttpResponse out = HttpResponse::Json(200, *view);
               out.headers.push_back({"ETag", ETag((*view)["version"].get<int64_t>())});
               return out;
             }));

  router.Add("POST", "/v1/sessions/{id}/signatures",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto org = OrganisationFor(req, caller, &error);
               if (!org) return error;
               std::string at = NowRfc3339();
               if (!req.body.empty()) {
                 auto body = JsonBody(req, &error);
                 if (!body) return error;
                 mappings::FieldErrors errors;
                 ObjectReader r(*body, "", &errors);
                 if (auto a = r.String("at", Presence::kOptional)) at = *a;
                 r.RejectUnknown();
                 if (!errors.empty()) return ValidationProblem("Bad signature", errors);
               }
               auto result = ctx.sessions->Sign(*org, req.path_params["id"], caller, at);
               if (!result.ok()) return ErrorResponse(ctx, result.status());
               return IntakeAnswer(ctx, *result, 201);
             }));

  router.Add("POST", "/v1/sessions/{id}/cancellation",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto org = OrganisationFor(req, caller, &error);
               if (!org) return error;
               auto body = JsonBody(req, &error);
               if (!body) return error;
               mappings::FieldErrors errors;
               ObjectReader r(*body, "", &errors);
               service::CancelRequest cancel;
               cancel.reason =
                   r.Enum("reason", Presence::kRequired, service::CancellationReasons()).value_or("");
               cancel.rebooked_to = r.String("rebookedTo", Presence::kOptional);
               r.RejectUnknown();
               if (!errors.empty()) return ValidationProblem("Bad cancellation", errors);
               auto result = ctx.sessions->Cancel(*org, req.path_params["id"], caller, cancel);
               if (!result.ok()) return ErrorResponse(ctx, result.status());
               return IntakeAnswer(ctx, *result, 201);
             }));

  router.Add("GET", "/v1/sessions/{id}/discussion",
             ReadHandler(ctx, &service::SessionService::Discussion));
}

}  // namespace sa::adapter::api
