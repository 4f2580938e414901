// GET /v1/register (RS-9) and GET /v1/compliance, as JSON or CSV.
#include <chrono>

#include "adapter/api/handler_util.h"
#include "adapter/api/http/problem.h"
#include "adapter/reports/compliance.h"
#include "adapter/reports/compliance_loader.h"
#include "adapter/reports/register_report.h"
#include "adapter/service/guard.h"

namespace sa::adapter::api {

namespace {

using service::Operation;

struct Period {
  std::string from, to, org;
};

// from, to (required dates) and the organisation; the gate; a 422 or 403.
std::optional<Period> ReportRequest(ApiContext& ctx, store::DbSession& db, Operation op,
                                    const HttpRequest& req, const auth::Principal& caller,
                                    HttpResponse* error) {
  mappings::FieldErrors errors;
  auto from = req.Query("from");
  auto to = req.Query("to");
  if (!from || from->empty()) errors.Add("from", "required (YYYY-MM-DD)");
  if (!to || to->empty()) errors.Add("to", "required (YYYY-MM-DD)");
  auto org = OrganisationFor(req, caller, error);
  if (!org) return std::nullopt;
  if (!errors.empty()) {
    *error = ValidationProblem("Bad report period", errors);
    return std::nullopt;
  }
  Status allowed = service::Authorize(db, op, caller,
                                      caller.ActsFor(*org) ? service::kSameOrg : service::kNone,
                                      ctx.catalog->FindProfile(*org),
                                      std::string(service::OperationName(op)) + "/" + *org);
  if (!allowed.ok()) {
    *error = ErrorResponse(ctx, allowed);
    return std::nullopt;
  }
  return Period{*from, *to, *org};
}

HttpResponse Csv(std::string body) {
  HttpResponse r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(body);
  return r;
}

}  // namespace

void AddReportRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/register",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               HttpResponse error;
               auto period = ReportRequest(ctx, **db, Operation::kReadRegister, req, caller, &error);
               if (!period) return error;
               reports::RegisterQuery query{period->from, period->to, {period->org}};
               Status valid = reports::ValidateRegisterQuery(query);
               if (!valid.ok()) return ErrorResponse(ctx, valid);
               auto lines = reports::LoadRegister(**db, query);
               if (!lines.ok()) return ErrorResponse(ctx, lines.status());
               Status audited = service::AuditEvent(**db, caller, "read-register", "register/" + period->org,
                                                    "ok", "lines=" + std::to_string(lines->size()));
               if (!audited.ok()) return ErrorResponse(ctx, audited);
               if (WantsCsv(req)) return Csv(reports::RegisterToCsv(*lines));
               return HttpResponse::Json(200, reports::RegisterToJson(query, *lines));
             }));

  router.Add("GET", "/v1/compliance",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               HttpResponse error;
               auto period = ReportRequest(ctx, **db, Operation::kReadCompliance, req, caller, &error);
               if (!period) return error;
               const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
               auto input = reports::LoadComplianceInput(**db, *ctx.catalog, period->from, period->to, now,
                                                         {period->org});
               if (!input.ok()) return ErrorResponse(ctx, input.status());
               reports::ComplianceReport report = reports::BuildCompliance(*input);
               Status audited = service::AuditEvent(**db, caller, "read-compliance",
                                                    "compliance/" + period->org, "ok", "");
               if (!audited.ok()) return ErrorResponse(ctx, audited);
               if (WantsCsv(req)) return Csv(reports::ComplianceToCsv(report));
               return HttpResponse::Json(200, reports::ComplianceToJson(report));
             }));
}

}  // namespace sa::adapter::api
