// Shared steps of the API's handlers: authenticate the caller, read a JSON
// body, name the organisation a request is about, answer.
#ifndef SA_ADAPTER_API_HANDLER_UTIL_H_
#define SA_ADAPTER_API_HANDLER_UTIL_H_

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "adapter/api/api.h"
#include "adapter/api/http/http_types.h"
#include "adapter/auth/principal.h"
#include "mappings/json_reader.h"

namespace sa::adapter::api {

// The caller from the request's client certificate (mutual TLS, mapped by
// /api/auth/clientCertificates) or its bearer token. Unauthenticated with a
// reason otherwise (counted in sa_auth_failures_total; the token is never
// logged).
StatusOr<auth::Principal> Authenticate(const ApiContext& context, const HttpRequest& request);

// A handler for an authenticated caller.
using ProtectedHandler = std::function<HttpResponse(HttpRequest&, const auth::Principal&)>;

// Wraps `handler`: 401 problem (with WWW-Authenticate) unless the caller
// authenticates.
Router::Handler Protected(ApiContext& context, ProtectedHandler handler);

// A SessionService read about one object ({id}) of an organisation.
using SessionRead = StatusOr<nlohmann::json> (service::SessionService::*)(
    const std::string& org, const std::string& id, const auth::Principal& caller);

// A GET handler: authenticate, pick the organisation, call `read` (which
// decides access and audits), answer its JSON or its problem.
Router::Handler ReadHandler(ApiContext& context, SessionRead read);

// Parses the body as one JSON value under the same strict rules as session
// records (size, depth, duplicate keys, UTF-8); 422 with a pointer if not.
std::optional<nlohmann::json> JsonBody(const HttpRequest& request, HttpResponse* error);

// The organisation a request about `id` concerns: ?organisation=, else the
// caller's only organisation; a 422 problem when neither decides.
std::optional<std::string> OrganisationFor(const HttpRequest& request,
                                           const auth::Principal& caller, HttpResponse* error);

// A Status from a service as a problem; PermissionDenied is also counted.
HttpResponse ErrorResponse(const ApiContext& context, const Status& status);

// 422 with every field error as (pointer, reason).
HttpResponse ValidationProblem(const std::string& title, const mappings::FieldErrors& errors);

// True when the caller asked for CSV (?format=csv or Accept: text/csv).
bool WantsCsv(const HttpRequest& request);

// Registration of each group of endpoints (one file each).
void AddSessionRoutes(Router& router, ApiContext& context);
void AddPeopleRoutes(Router& router, ApiContext& context);
void AddDisclosureRoutes(Router& router, ApiContext& context);
void AddReportRoutes(Router& router, ApiContext& context);
void AddOperationsRoutes(Router& router, ApiContext& context);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HANDLER_UTIL_H_
