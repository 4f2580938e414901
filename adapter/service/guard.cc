#include "adapter/service/guard.h"

#include "adapter/audit/audit_log.h"

namespace sa::adapter::service {

Status AuditEvent(store::DbSession& db, const auth::Principal& caller, const std::string& action,
                  const std::string& object, const std::string& outcome, const std::string& detail) {
  store::Transaction tx(db);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_RETURN_IF_ERROR(audit::Append(db, {caller.AuditActor(), action, object, outcome, detail},
                                   audit::NowRfc3339())
                         .status());
  return tx.Commit();
}

Status Authorize(store::DbSession& db, Operation op, const auth::Principal& caller,
                 Relations relations, const mappings::Profile* profile, const std::string& object) {
  Decision d = Decide(op, caller, relations, profile);
  if (d.allowed) return Status::Ok();
  SA_RETURN_IF_ERROR(AuditEvent(db, caller, std::string("refuse:") + OperationName(op), object,
                                "refused", RelationNames(relations)));
  return Status::PermissionDenied(std::string("not allowed: ") + OperationName(op));
}

}  // namespace sa::adapter::service
