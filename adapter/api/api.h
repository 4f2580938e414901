// The API's endpoints (docs/api.md, openapi.json) on the HTTP core
// (adapter/api/http): authentication, then the services. Handlers are thin:
// parse, authenticate, call a service (which decides access and audits),
// map the result to JSON or problem+json.
#ifndef SA_ADAPTER_API_API_H_
#define SA_ADAPTER_API_API_H_

#include <functional>
#include <string_view>

#include "adapter/api/http/metrics.h"
#include "adapter/api/http/router.h"
#include "adapter/auth/auth_config.h"
#include "adapter/auth/jwt_validator.h"
#include "adapter/core/vault.h"
#include "adapter/service/session_service.h"
#include "adapter/store/db.h"
#include "mappings/catalog.h"

namespace sa::adapter::api {

// The metrics the API records itself (the server records per-request ones).
struct ApiMetrics {
  explicit ApiMetrics(MetricsRegistry& registry);
  Counter& intake;         // sa_intake_total{result}
  Counter& auth_failures;  // sa_auth_failures_total{route}
  Counter& refusals;       // sa_access_refusals_total{operation}
};

// What the handlers need; nothing owned, everything outlives the router.
struct ApiContext {
  store::Database* db = nullptr;
  const mappings::Catalog* catalog = nullptr;
  const Vault* vault = nullptr;
  service::SessionService* sessions = nullptr;
  const auth::ApiAuthConfig* auth = nullptr;
  // Null when no issuer is configured: then only client certificates
  // authenticate (and without those every protected endpoint is 401).
  const auth::JwtValidator* validator = nullptr;
  MetricsRegistry* registry = nullptr;
  ApiMetrics* metrics = nullptr;
  // /readyz: ok when the store and the FHIR endpoint answer.
  std::function<Status()> readiness;
};

// Registers every endpoint of openapi.json on `router`.
void AddApiRoutes(Router& router, ApiContext& context);

// The OpenAPI 3.1 document served at /openapi.json (compiled in).
std::string_view OpenApiDocument();

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_API_H_
