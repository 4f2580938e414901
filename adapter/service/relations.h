// The facts access control decides on (access.h), read from the store: is
// the caller this session's current supervisor, one of its supervisees, a
// member of its group, a manager its agreements name, the person asked
// about, or that person's current supervisor or line manager?
//
// People are matched by keyed hash (session_people, custody); agreements
// name staff ids, which are hashed here for the comparison. A departed
// caller (RS-10) keeps only kSameOrg: their access ended with the move of
// their records to the personnel file.
#ifndef SA_ADAPTER_SERVICE_RELATIONS_H_
#define SA_ADAPTER_SERVICE_RELATIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapter/auth/principal.h"
#include "adapter/core/vault.h"
#include "adapter/service/access.h"
#include "adapter/store/db.h"

namespace sa::adapter::service {

// What the register says about the latest version of one session.
struct SessionFacts {
  std::string org, session_id;
  int64_t version = 0;
  std::string type;  // group and peer sessions belong to their members (RS-6)
  std::string supervisor_hash;
  std::vector<std::string> supervisee_hashes;
  bool group() const { return type == "group" || type == "peer"; }
};

// The latest version's facts; nullopt when the session is unknown.
StatusOr<std::optional<SessionFacts>> LoadSessionFacts(store::DbSession& db, const std::string& org,
                                                       const std::string& session_id);

// Relations between `caller` and a session.
StatusOr<Relations> RelationsToSession(store::DbSession& db, const Vault& vault,
                                       const auth::Principal& caller, const SessionFacts& session);

// Relations between `caller` and a person (practitioner record, previous
// actions, transfer, departure, agreements about them).
StatusOr<Relations> RelationsToPerson(store::DbSession& db, const Vault& vault,
                                      const auth::Principal& caller, const std::string& org,
                                      const std::string& staff_id);

// The supervisor hash currently responsible for a supervisee: the custody
// record if they were ever transferred, else the supervisor of their latest
// session; nullopt when they have no sessions.
StatusOr<std::optional<std::string>> ResponsibleSupervisorHash(store::DbSession& db,
                                                               const std::string& org,
                                                               const std::string& supervisee_hash);

}  // namespace sa::adapter::service

#endif  // SA_ADAPTER_SERVICE_RELATIONS_H_
