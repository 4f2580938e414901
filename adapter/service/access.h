// Access control for the API: deny by default, one table of grants, one
// small engine (Envoy's RBAC idea: rules are data, the engine is tiny).
//
// A request is allowed when some grant for its operation names a role the
// caller holds AND every relation the grant requires holds between the
// caller and the object (a session, a supervisee, a practitioner). Who may
// read a discussion form or a practitioner record is not in this table: it
// comes from the organisation's policy profile (profile "access" readers),
// translated by ReaderGrants().
#ifndef SA_ADAPTER_SERVICE_ACCESS_H_
#define SA_ADAPTER_SERVICE_ACCESS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/auth/principal.h"
#include "mappings/profile.h"

namespace sa::adapter::service {

// Every protected operation the API offers.
enum class Operation {
  kSubmitSession,
  kSignSession,
  kCancelSession,
  kReadSession,             // the register view: no content
  kReadDiscussion,          // profile readers (RS-3, RS-6)
  kReadPractitionerRecord,  // profile readers (RS-7)
  kReadPreviousActions,     // RS-11
  kWriteAgreement,
  kReadAgreement,
  kRequestDisclosure,  // RS-4
  kRecordNotice,       // RS-5
  kApproveDisclosure,  // the profile's approver role, checked again by the service
  kReadDisclosure,
  kReleaseDisclosure,
  kReadOwnNotices,
  kTransferSupervisee,  // RS-10
  kRecordDeparture,     // RS-10
  kReadRegister,        // RS-9
  kReadCompliance,
  kReadMetrics,
};

// The operation's stable name ("session.sign"), for audit entries and tests.
const char* OperationName(Operation op);
// Every operation, in declaration order.
const std::vector<Operation>& AllOperations();

// Facts about the caller and the object, computed from the store (see
// relations.h). A grant lists the ones it needs.
enum Relation : uint32_t {
  kNone = 0,
  kSameOrg = 1u << 0,            // the caller acts for the object's organisation
  kSessionSupervisor = 1u << 1,  // current supervisor of the session (custody followed, RS-10)
  kSessionSupervisee = 1u << 2,  // a supervisee of a one-to-one (non-group) session
  kGroupMember = 1u << 3,        // a member of a group or peer session (RS-6)
  kNamedManager = 1u << 4,       // named in a current agreement of a session's supervisee
  kSelf = 1u << 5,               // the object is the caller (practitioner, supervisee)
  kCurrentSupervisor = 1u << 6,  // current supervisor of the object person
  kNamedLineManager = 1u << 7,   // line manager of the object person by a current agreement
  kAgreementParty = 1u << 8,     // supervisor or supervisee of the object agreement
};
using Relations = uint32_t;

struct Grant {
  std::string_view role;  // one of auth::KnownRoles()
  Relations required;     // every bit must hold
};

// The fixed grants of `op` (empty for the profile-driven operations).
const std::vector<Grant>& FixedGrants(Operation op);

// True for the operations whose grants come from the organisation's
// profile: the discussion, practitioner-record and register readers
// ("access" in the profile) and the disclosure approver role.
bool IsProfileDriven(Operation op);
std::vector<Grant> ProfileGrants(Operation op, const mappings::Profile& profile);

enum class ReaderKind { kDiscussion, kPractitioner, kRegister };
// The grants a profile's reader list gives for one kind of record. Unknown
// reader names give nothing ("hr" reads through the departure package, not
// the API).
std::vector<Grant> ReaderGrants(const std::vector<std::string>& readers, ReaderKind kind);

struct Decision {
  bool allowed = false;
  std::string reason;  // which grant allowed, or why not (roles, relations); no content
};

// Decides `op` for `caller` with the relations that hold. `profile` is needed
// for the profile-driven operations (null: denied).
Decision Decide(Operation op, const auth::Principal& caller, Relations relations,
                const mappings::Profile* profile);

// "same-org|session-supervisor" etc., for reasons and tests.
std::string RelationNames(Relations relations);

}  // namespace sa::adapter::service

#endif  // SA_ADAPTER_SERVICE_ACCESS_H_
