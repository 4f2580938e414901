// Disclosure beyond the access list (RS-4, RS-5): request, supervisee
// notice, approval, release of exactly the disclosed content.
#include <chrono>

#include "adapter/api/handler_util.h"
#include "adapter/api/http/problem.h"
#include "adapter/service/disclosure.h"
#include "adapter/service/guard.h"
#include "mappings/json_reader.h"

namespace sa::adapter::api {

namespace {

using nlohmann::json;
using mappings::ObjectReader;
using mappings::Presence;
using service::Operation;

// The gate for operations on an existing disclosure: the caller must act
// for its organisation with a role the table grants.
StatusOr<service::Disclosure> LoadAuthorized(ApiContext& ctx, store::DbSession& db,
                                             Operation op, const std::string& id,
                                             const auth::Principal& caller) {
  SA_ASSIGN_OR_RETURN(service::Disclosure d, service::GetDisclosure(db, id));
  if (!caller.ActsFor(d.organisation)) return Status::NotFound("no disclosure " + id);
  SA_RETURN_IF_ERROR(service::Authorize(db, op, caller, service::kSameOrg,
                                        ctx.catalog->FindProfile(d.organisation), "disclosure/" + id));
  return d;
}

}  // namespace

void AddDisclosureRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/v1/disclosures",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto body = JsonBody(req, &error);
               if (!body) return error;
               mappings::FieldErrors errors;
               auto request = service::ParseDisclosureRequest(*body, &errors);
               if (!request.ok()) {
                 if (!errors.empty()) return ValidationProblem("Bad disclosure request", errors);
                 return ErrorResponse(ctx, request.status());
               }
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               Status allowed = service::Authorize(
                   **db, Operation::kRequestDisclosure, caller,
                   caller.ActsFor(request->organisation) ? service::kSameOrg : service::kNone, nullptr,
                   "disclosure/" + request->organisation);
               if (!allowed.ok()) return ErrorResponse(ctx, allowed);
               auto d = service::RequestDisclosure(**db, *ctx.catalog, *request, caller,
                                                   std::chrono::system_clock::now());
               if (!d.ok()) {
                 if (auto id = service::RefusedDisclosureId(d.status())) {
                   HttpResponse p = Problem(403, "Disclosure refused", d.status().message(), {},
                                            "urn:supervision-adapter:problem:disclosure-refused");
                   p.headers.push_back({"Location", "/v1/disclosures/" + *id});
                   return p;
                 }
                 return ErrorResponse(ctx, d.status());
               }
               HttpResponse out = HttpResponse::Json(201, service::DisclosureToJson(*d));
               out.headers.push_back({"Location", "/v1/disclosures/" + d->id});
               return out;
             }));

  router.Add("GET", "/v1/disclosures/{id}",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               auto d = LoadAuthorized(ctx, **db, Operation::kReadDisclosure, req.path_params["id"], caller);
               if (!d.ok()) return ErrorResponse(ctx, d.status());
               return HttpResponse::Json(200, service::DisclosureToJson(*d));
             }));

  router.Add("POST", "/v1/disclosures/{id}/notice",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto body = JsonBody(req, &error);
               if (!body) return error;
               mappings::FieldErrors errors;
               ObjectReader r(*body, "", &errors);
               service::NoticeInput notice;
               notice.what = r.String("what", Presence::kRequired).value_or("");
               notice.why = r.String("why", Presence::kRequired).value_or("");
               notice.consequences = r.String("consequences", Presence::kRequired).value_or("");
               r.RejectUnknown();
               if (!errors.empty()) return ValidationProblem("Bad notice", errors);
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               const std::string id = req.path_params["id"];
               auto d = LoadAuthorized(ctx, **db, Operation::kRecordNotice, id, caller);
               if (!d.ok()) return ErrorResponse(ctx, d.status());
               auto after = service::RecordNotice(**db, *ctx.vault, id, notice, caller,
                                                  std::chrono::system_clock::now());
               if (!after.ok()) return ErrorResponse(ctx, after.status());
               return HttpResponse::Json(200, service::DisclosureToJson(*after));
             }));

  router.Add("POST", "/v1/disclosures/{id}/approval",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               const std::string id = req.path_params["id"];
               auto d = LoadAuthorized(ctx, **db, Operation::kApproveDisclosure, id, caller);
               if (!d.ok()) return ErrorResponse(ctx, d.status());
               auto after = service::Approve(**db, *ctx.catalog, id, caller, std::chrono::system_clock::now());
               if (!after.ok()) return ErrorResponse(ctx, after.status());
               return HttpResponse::Json(200, service::DisclosureToJson(*after));
             }));

  router.Add("GET", "/v1/disclosures/{id}/package",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               const std::string id = req.path_params["id"];
               auto d = LoadAuthorized(ctx, **db, Operation::kReleaseDisclosure, id, caller);
               if (!d.ok()) return ErrorResponse(ctx, d.status());
               auto package = service::ReleasePackage(**db, *ctx.vault, id, caller,
                                                      std::chrono::system_clock::now());
               if (!package.ok()) return ErrorResponse(ctx, package.status());
               return HttpResponse::Json(200, *package);
             }));
}

}  // namespace sa::adapter::api
