// Practitioner records (RS-7), previous actions (RS-11), a supervisee's
// disclosure notices (RS-5), transfer and departure (RS-10), agreements.
#include <set>

#include "adapter/api/handler_util.h"
#include "adapter/api/http/problem.h"
#include "adapter/audit/audit_log.h"
#include "adapter/reports/agreement.h"
#include "adapter/reports/agreement_store.h"
#include "adapter/service/custody.h"
#include "adapter/service/disclosure.h"
#include "adapter/service/guard.h"
#include "adapter/service/relations.h"
#include "mappings/json_reader.h"

namespace sa::adapter::api {

namespace {

using nlohmann::json;
using mappings::ObjectReader;
using mappings::Presence;
using service::Operation;

// Relations to a person, then the gate; the object names the person by hash.
Status AuthorizePerson(ApiContext& ctx, store::DbSession& db, Operation op,
                       const auth::Principal& caller, const std::string& org,
                       const std::string& staff_id) {
  SA_ASSIGN_OR_RETURN(service::Relations rel,
                      service::RelationsToPerson(db, *ctx.vault, caller, org, staff_id));
  SA_ASSIGN_OR_RETURN(std::string who, ctx.vault->StaffHash(staff_id));
  return service::Authorize(db, op, caller, rel, nullptr, "staff/" + org + "/" + who.substr(0, 16));
}

service::Relations AgreementRelations(const reports::Agreement& a, const auth::Principal& caller) {
  if (!caller.ActsFor(a.organisation)) return service::kNone;
  service::Relations rel = service::kSameOrg;
  if (a.supervisor.id == caller.subject || a.supervisee.id == caller.subject) {
    rel |= service::kAgreementParty;
  }
  for (const auto& m : a.line_managers) {
    if (m.id == caller.subject) rel |= service::kNamedLineManager;
  }
  return rel;
}

}  // namespace

void AddPeopleRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/practitioners/{id}/record",
             ReadHandler(ctx, &service::SessionService::PractitionerRecord));
  router.Add("GET", "/v1/supervisees/{id}/previous-actions",
             ReadHandler(ctx, &service::SessionService::PreviousActions));

  router.Add("GET", "/v1/supervisees/{id}/notices",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto org = OrganisationFor(req, caller, &error);
               if (!org) return error;
               const std::string staff = req.path_params["id"];
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               Status allowed = AuthorizePerson(ctx, **db, Operation::kReadOwnNotices, caller, *org, staff);
               if (!allowed.ok()) return ErrorResponse(ctx, allowed);
               auto notices = service::NoticesFor(**db, *ctx.vault, *org, staff);
               if (!notices.ok()) return ErrorResponse(ctx, notices.status());
               json out = {{"organisation", *org}, {"supervisee", staff}, {"notices", json::array()}};
               for (const auto& n : *notices) {
                 out["notices"].push_back({{"disclosureId", n.disclosure_id},
                                           {"sessionId", n.session_id},
                                           {"what", n.what},
                                           {"why", n.why},
                                           {"consequences", n.consequences},
                                           {"noticeAt", n.notice_at}});
               }
               Status audited = service::AuditEvent(**db, caller, "read-notices", "staff/" + *org, "ok",
                                                    "notices=" + std::to_string(notices->size()));
               if (!audited.ok()) return ErrorResponse(ctx, audited);
               return HttpResponse::Json(200, out);
             }));

  router.Add("POST", "/v1/supervisees/{id}/transfer",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto org = OrganisationFor(req, caller, &error);
               if (!org) return error;
               auto body = JsonBody(req, &error);
               if (!body) return error;
               mappings::FieldErrors errors;
               ObjectReader r(*body, "", &errors);
               auto to = r.String("newSupervisor", Presence::kRequired);
               auto reason = r.Enum("reason", Presence::kRequired,
                                    {"supervisor-left", "caseload-change", "team-change",
                                     "supervisee-request", "other"});
               r.RejectUnknown();
               if (!errors.empty()) return ValidationProblem("Bad transfer", errors);
               const std::string staff = req.path_params["id"];
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               Status allowed =
                   AuthorizePerson(ctx, **db, Operation::kTransferSupervisee, caller, *org, staff);
               if (!allowed.ok()) return ErrorResponse(ctx, allowed);
               auto t = service::TransferSupervisee(**db, *ctx.vault, *org, staff, *to, *reason, caller);
               if (!t.ok()) return ErrorResponse(ctx, t.status());
               return HttpResponse::Json(201, {{"organisation", *org},
                                               {"supervisee", staff},
                                               {"newSupervisor", *to},
                                               {"at", t->at}});
             }));

  router.Add("POST", "/v1/supervisees/{id}/departure",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto org = OrganisationFor(req, caller, &error);
               if (!org) return error;
               const std::string staff = req.path_params["id"];
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               Status allowed =
                   AuthorizePerson(ctx, **db, Operation::kRecordDeparture, caller, *org, staff);
               if (!allowed.ok()) return ErrorResponse(ctx, allowed);
               auto package = service::RecordDeparture(**db, *ctx.vault, *org, staff, caller);
               if (!package.ok()) return ErrorResponse(ctx, package.status());
               return HttpResponse::Json(201, *package);
             }));

  router.Add("POST", "/v1/agreements",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto body = JsonBody(req, &error);
               if (!body) return error;
               mappings::FieldErrors errors;
               auto codes = ctx.catalog->ProfileCodes();
               auto parsed = reports::ParseAgreement(*body, std::set<std::string>(codes.begin(), codes.end()),
                                                     &errors);
               if (!parsed.ok()) {
                 if (!errors.empty()) return ValidationProblem("Bad agreement", errors);
                 return ErrorResponse(ctx, parsed.status());
               }
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               Status allowed = service::Authorize(**db, Operation::kWriteAgreement, caller,
                                                   AgreementRelations(*parsed, caller), nullptr,
                                                   "agreement/" + parsed->organisation);
               if (!allowed.ok()) return ErrorResponse(ctx, allowed);
               store::Transaction tx(**db);
               Status s = tx.Begin();
               StatusOr<reports::Agreement> saved = s.ok() ? reports::SaveAgreement(**db, *parsed, caller.AuditActor())
                                                           : StatusOr<reports::Agreement>(s);
               if (saved.ok()) {
                 s = audit::Append(**db, {caller.AuditActor(), "write-agreement", "agreement/" + saved->id, "ok", ""},
                                   audit::NowRfc3339())
                         .status();
                 if (s.ok()) s = tx.Commit();
               } else {
                 s = saved.status();
               }
               if (!s.ok()) return ErrorResponse(ctx, s);
               HttpResponse out = HttpResponse::Json(201, reports::AgreementToJson(*saved));
               out.headers.push_back({"Location", "/v1/agreements/" + saved->id});
               return out;
             }));

  router.Add("GET", "/v1/agreements",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               HttpResponse error;
               auto org = OrganisationFor(req, caller, &error);
               if (!org) return error;
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               // Listing is for the safeguarding team and auditors: the fixed
               // grants with only the organisation relation.
               Status allowed = service::Authorize(**db, Operation::kReadAgreement, caller,
                                                   caller.ActsFor(*org) ? service::kSameOrg : service::kNone,
                                                   nullptr, "agreements/" + *org);
               if (!allowed.ok()) return ErrorResponse(ctx, allowed);
               auto list = reports::ListAgreements(**db, *org, req.Query("supervisee"),
                                                   req.Query("includeSuperseded").value_or("") == "true");
               if (!list.ok()) return ErrorResponse(ctx, list.status());
               json out = {{"organisation", *org}, {"agreements", json::array()}};
               for (const auto& a : *list) out["agreements"].push_back(reports::AgreementToJson(a));
               return HttpResponse::Json(200, out);
             }));

  router.Add("GET", "/v1/agreements/{id}",
             Protected(ctx, [&ctx](HttpRequest& req, const auth::Principal& caller) {
               auto db = ctx.db->Connect();
               if (!db.ok()) return ErrorResponse(ctx, db.status());
               auto a = reports::GetAgreement(**db, req.path_params["id"]);
               if (!a.ok()) return ErrorResponse(ctx, a.status());
               if (!*a || !caller.ActsFor((*a)->organisation)) {
                 return Problem(404, "Not Found", "no such agreement");
               }
               Status allowed = service::Authorize(**db, Operation::kReadAgreement, caller,
                                                   AgreementRelations(**a, caller), nullptr,
                                                   "agreement/" + (*a)->id);
               if (!allowed.ok()) return ErrorResponse(ctx, allowed);
               return HttpResponse::Json(200, reports::AgreementToJson(**a));
             }));
}

}  // namespace sa::adapter::api
