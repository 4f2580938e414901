#include "adapter/api/handler_util.h"

#include <algorithm>

#include "adapter/api/http/log.h"
#include "adapter/api/http/problem.h"
#include "adapter/auth/request_credentials.h"
#include "mappings/strict_json.h"

namespace sa::adapter::api {

namespace {

HttpResponse Unauthenticated(const std::string& detail) {
  HttpResponse r = Problem(401, "Unauthenticated", detail);
  r.headers.push_back({"WWW-Authenticate", "Bearer realm=\"supervision-adapter\""});
  return r;
}

}  // namespace

StatusOr<auth::Principal> Authenticate(const ApiContext& context, const HttpRequest& request) {
  if (!request.client_cert_subject.empty() && context.auth != nullptr) {
    auto p = auth::PrincipalFromClientCertificate(*context.auth, request.client_cert_subject);
    if (p.ok()) return p;
  }
  std::optional<std::string> header = request.Header("authorization");
  if (!header) return Status::PermissionDenied("no credentials: send a bearer token");
  std::optional<std::string_view> token = auth::BearerToken(*header);
  if (!token) return Status::PermissionDenied("the Authorization header is not a bearer token");
  if (context.validator == nullptr) return Status::PermissionDenied("no token issuer is configured");
  return context.validator->Validate(*token);
}

Router::Handler Protected(ApiContext& context, ProtectedHandler handler) {
  return [&context, handler = std::move(handler)](HttpRequest& request) -> HttpResponse {
    StatusOr<auth::Principal> caller = Authenticate(context, request);
    if (!caller.ok()) {
      if (context.metrics) context.metrics->auth_failures.Inc({request.route});
      LogJson("warn", request.request_id,
              {{"event", "auth-failure"}, {"route", request.route},
               {"reason", caller.status().message()}});
      return Unauthenticated(caller.status().message());
    }
    return handler(request, *caller);
  };
}

Router::Handler ReadHandler(ApiContext& context, SessionRead read) {
  return Protected(context, [&context, read](HttpRequest& req, const auth::Principal& caller) {
    HttpResponse error;
    auto org = OrganisationFor(req, caller, &error);
    if (!org) return error;
    auto out = (context.sessions->*read)(*org, req.path_params["id"], caller);
    if (!out.ok()) return ErrorResponse(context, out.status());
    return HttpResponse::Json(200, *out);
  });
}

std::optional<nlohmann::json> JsonBody(const HttpRequest& request, HttpResponse* error) {
  nlohmann::json doc;
  mappings::JsonParseError e;
  if (!mappings::ParseStrictJson(request.body, mappings::JsonLimits{}, &doc, &e)) {
    *error = Problem(422, "The body is not acceptable JSON", "", {{e.pointer, e.reason}});
    return std::nullopt;
  }
  return doc;
}

std::optional<std::string> OrganisationFor(const HttpRequest& request,
                                           const auth::Principal& caller, HttpResponse* error) {
  if (auto org = request.Query("organisation"); org && !org->empty()) return *org;
  if (caller.organisations.size() == 1) return caller.organisations[0];
  *error = Problem(422, "Which organisation?", "",
                   {{"organisation", "required: the caller acts for several organisations"}});
  return std::nullopt;
}

HttpResponse ErrorResponse(const ApiContext& context, const Status& status) {
  if (status.code() == StatusCode::kPermissionDenied && context.metrics) {
    // The operation name only (bounded label values), never ids.
    const std::string& m = status.message();
    const std::string prefix = "not allowed: ";
    context.metrics->refusals.Inc({m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : "other"});
  }
  if (status.code() == StatusCode::kInvalidArgument) {
    return Problem(422, "Invalid request", status.message());
  }
  return FromStatus(status);
}

HttpResponse ValidationProblem(const std::string& title, const mappings::FieldErrors& errors) {
  std::vector<std::pair<std::string, std::string>> list;
  for (const auto& e : errors.list()) list.push_back({e.pointer, e.reason});
  return Problem(422, title, std::to_string(list.size()) + " problem(s)", list);
}

bool WantsCsv(const HttpRequest& request) {
  if (auto f = request.Query("format")) return *f == "csv";
  if (auto a = request.Header("accept")) return a->find("text/csv") != std::string::npos;
  return false;
}

}  // namespace sa::adapter::api
