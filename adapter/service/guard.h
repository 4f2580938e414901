// The one gate every protected API operation passes: decide (access.h) and,
// when the answer is no, write the refusal to the audit log before saying
// so (RS-12: every deny is audited). Allowed reads of sealed content are
// audited by the service that reads them, in the same call.
#ifndef SA_ADAPTER_SERVICE_GUARD_H_
#define SA_ADAPTER_SERVICE_GUARD_H_

#include <string>

#include "adapter/auth/principal.h"
#include "adapter/service/access.h"
#include "adapter/store/db.h"
#include "mappings/profile.h"

namespace sa::adapter::service {

// Ok when allowed. Otherwise appends an audit entry (action "refuse:<op>",
// the object, the reason) in its own transaction and returns
// PermissionDenied. A failure to audit is returned instead (fail closed).
Status Authorize(store::DbSession& db, Operation op, const auth::Principal& caller,
                 Relations relations, const mappings::Profile* profile, const std::string& object);

// Appends one audit entry in its own transaction (reads, reports).
Status AuditEvent(store::DbSession& db, const auth::Principal& caller, const std::string& action,
                  const std::string& object, const std::string& outcome,
                  const std::string& detail = "");

}  // namespace sa::adapter::service

#endif  // SA_ADAPTER_SERVICE_GUARD_H_
