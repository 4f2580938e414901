#include "adapter/service/access.h"

#include <map>

namespace sa::adapter::service {

namespace {

using auth::kRoleAuditor;
using auth::kRoleIntegratorAdmin;
using auth::kRoleLineManager;
using auth::kRoleOfficeSystem;
using auth::kRoleSafeguardingLead;
using auth::kRoleSupervisee;
using auth::kRoleSupervisor;

struct OperationRow {
  Operation op;
  const char* name;
  std::vector<Grant> grants;
};

// THE table. Deny by default: an operation or role not listed here is refused.
// Discussion and practitioner reads come from the profile (ReaderGrants).
const std::vector<OperationRow>& Table() {
  static const std::vector<OperationRow>* const kTable = new std::vector<OperationRow>{
      {Operation::kSubmitSession, "session.submit", {{kRoleOfficeSystem, kSameOrg}}},
      {Operation::kSignSession,
       "session.sign",
       {{kRoleSupervisor, kSameOrg | kSessionSupervisor},
        {kRoleSupervisee, kSameOrg | kSessionSupervisee},
        {kRoleSupervisee, kSameOrg | kGroupMember}}},
      {Operation::kCancelSession,
       "session.cancel",
       {{kRoleOfficeSystem, kSameOrg}, {kRoleSupervisor, kSameOrg | kSessionSupervisor}}},
      {Operation::kReadSession,
       "session.read",
       {{kRoleOfficeSystem, kSameOrg},
        {kRoleSafeguardingLead, kSameOrg},
        {kRoleAuditor, kSameOrg},
        {kRoleSupervisor, kSameOrg | kSessionSupervisor},
        {kRoleSupervisee, kSameOrg | kSessionSupervisee},
        {kRoleSupervisee, kSameOrg | kGroupMember}}},
      {Operation::kReadDiscussion, "discussion.read", {}},
      {Operation::kReadPractitionerRecord, "practitioner-record.read", {}},
      {Operation::kReadPreviousActions,
       "previous-actions.read",
       {{kRoleSupervisor, kSameOrg | kCurrentSupervisor},
        {kRoleSupervisee, kSameOrg | kSelf},
        {kRoleSafeguardingLead, kSameOrg}}},
      // Agreements name the managers who may read a supervisee's records, so
      // only the safeguarding team and the office system record them.
      {Operation::kWriteAgreement,
       "agreement.write",
       {{kRoleSafeguardingLead, kSameOrg}, {kRoleOfficeSystem, kSameOrg}}},
      {Operation::kReadAgreement,
       "agreement.read",
       {{kRoleSafeguardingLead, kSameOrg},
        {kRoleAuditor, kSameOrg},
        {kRoleSupervisor, kSameOrg | kAgreementParty},
        {kRoleSupervisee, kSameOrg | kAgreementParty},
        {kRoleLineManager, kSameOrg | kNamedLineManager}}},
      {Operation::kRequestDisclosure, "disclosure.request", {{kRoleSafeguardingLead, kSameOrg}}},
      {Operation::kRecordNotice, "disclosure.notice", {{kRoleSafeguardingLead, kSameOrg}}},
      // The profile's approverRole (ProfileGrants); the service checks it again
      // and refuses the requester (separation of duties).
      {Operation::kApproveDisclosure, "disclosure.approve", {}},
      {Operation::kReadDisclosure,
       "disclosure.read",
       {{kRoleSafeguardingLead, kSameOrg}, {kRoleAuditor, kSameOrg}}},
      {Operation::kReleaseDisclosure, "disclosure.release", {{kRoleSafeguardingLead, kSameOrg}}},
      {Operation::kReadOwnNotices,
       "notices.read",
       {{kRoleSupervisee, kSameOrg | kSelf}, {kRoleSupervisor, kSameOrg | kSelf}}},
      {Operation::kTransferSupervisee, "supervisee.transfer", {{kRoleSafeguardingLead, kSameOrg}}},
      // The personnel-file package holds discussion forms: the safeguarding
      // team only, whatever the profile lets managers read.
      {Operation::kRecordDeparture, "supervisee.departure", {{kRoleSafeguardingLead, kSameOrg}}},
      // Register and compliance: the profile's register readers (ProfileGrants).
      {Operation::kReadRegister, "register.read", {}},
      {Operation::kReadCompliance, "compliance.read", {}},
      {Operation::kReadMetrics, "metrics.read", {{kRoleIntegratorAdmin, kNone}}},
  };
  return *kTable;
}

const OperationRow* Row(Operation op) {
  for (const auto& row : Table()) {
    if (row.op == op) return &row;
  }
  return nullptr;
}

// A profile reader name → the grants it gives, for each kind of record.
const std::map<std::string, std::vector<Grant>>& DiscussionReaders() {
  static const auto* const kMap = new std::map<std::string, std::vector<Grant>>{
      {"supervisor", {{kRoleSupervisor, kSameOrg | kSessionSupervisor}}},
      {"supervisee", {{kRoleSupervisee, kSameOrg | kSessionSupervisee}}},
      {"group-members", {{kRoleSupervisee, kSameOrg | kGroupMember}}},
      {"safeguarding-team", {{kRoleSafeguardingLead, kSameOrg}}},
      {"named-managers", {{kRoleLineManager, kSameOrg | kNamedManager}}},
      {"auditor", {{kRoleAuditor, kSameOrg}}},
  };
  return *kMap;
}

const std::map<std::string, std::vector<Grant>>& RegisterReaders() {
  static const auto* const kMap = new std::map<std::string, std::vector<Grant>>{
      {"safeguarding-team", {{kRoleSafeguardingLead, kSameOrg}}},
      {"auditor", {{kRoleAuditor, kSameOrg}}},
  };
  return *kMap;
}

const std::map<std::string, std::vector<Grant>>& PractitionerReaders() {
  static const auto* const kMap = new std::map<std::string, std::vector<Grant>>{
      {"practitioner", {{kRoleSupervisee, kSameOrg | kSelf}, {kRoleSupervisor, kSameOrg | kSelf}}},
      {"supervisor", {{kRoleSupervisor, kSameOrg | kCurrentSupervisor}}},
      {"named-line-manager", {{kRoleLineManager, kSameOrg | kNamedLineManager}}},
      {"safeguarding-team", {{kRoleSafeguardingLead, kSameOrg}}},
  };
  return *kMap;
}

}  // namespace

const char* OperationName(Operation op) {
  const OperationRow* row = Row(op);
  return row ? row->name : "unknown";
}

const std::vector<Operation>& AllOperations() {
  static const std::vector<Operation>* const kAll = [] {
    auto* v = new std::vector<Operation>;
    for (const auto& row : Table()) v->push_back(row.op);
    return v;
  }();
  return *kAll;
}

const std::vector<Grant>& FixedGrants(Operation op) {
  static const std::vector<Grant> kEmpty;
  const OperationRow* row = Row(op);
  return row ? row->grants : kEmpty;
}

std::vector<Grant> ReaderGrants(const std::vector<std::string>& readers, ReaderKind kind) {
  const auto& map = kind == ReaderKind::kPractitioner ? PractitionerReaders()
                    : kind == ReaderKind::kRegister   ? RegisterReaders()
                                                      : DiscussionReaders();
  std::vector<Grant> out;
  for (const auto& reader : readers) {
    auto it = map.find(reader);
    if (it != map.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

bool IsProfileDriven(Operation op) {
  return op == Operation::kReadDiscussion || op == Operation::kReadPractitionerRecord ||
         op == Operation::kApproveDisclosure || op == Operation::kReadRegister ||
         op == Operation::kReadCompliance;
}

std::vector<Grant> ProfileGrants(Operation op, const mappings::Profile& profile) {
  switch (op) {
    case Operation::kReadDiscussion:
      return ReaderGrants(profile.discussion_access.readers, ReaderKind::kDiscussion);
    case Operation::kReadPractitionerRecord:
      return ReaderGrants(profile.practitioner_access.readers, ReaderKind::kPractitioner);
    case Operation::kReadRegister:
    case Operation::kReadCompliance:
      return ReaderGrants(profile.register_access.readers, ReaderKind::kRegister);
    case Operation::kApproveDisclosure: {
      // The profile names the role; the string must outlive the grant's view.
      for (const auto& role : auth::KnownRoles()) {
        if (role == profile.approver_role) return {{role, kSameOrg}};
      }
      return {};
    }
    default:
      return {};
  }
}

std::string RelationNames(Relations relations) {
  static const std::vector<std::pair<Relation, const char*>> kNames = {
      {kSameOrg, "same-org"},
      {kSessionSupervisor, "session-supervisor"},
      {kSessionSupervisee, "session-supervisee"},
      {kGroupMember, "group-member"},
      {kNamedManager, "named-manager"},
      {kSelf, "self"},
      {kCurrentSupervisor, "current-supervisor"},
      {kNamedLineManager, "named-line-manager"},
      {kAgreementParty, "agreement-party"}};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((relations & bit) == 0) continue;
    if (!out.empty()) out += "|";
    out += name;
  }
  return out.empty() ? "none" : out;
}

Decision Decide(Operation op, const auth::Principal& caller, Relations relations,
                const mappings::Profile* profile) {
  std::vector<Grant> grants;
  if (IsProfileDriven(op)) {
    if (profile == nullptr) return {false, "no policy profile for the object's organisation"};
    grants = ProfileGrants(op, *profile);
  } else {
    grants = FixedGrants(op);
  }
  for (const Grant& g : grants) {
    if (caller.HasRole(g.role) && (relations & g.required) == g.required) {
      return {true, std::string(g.role) + " with " + RelationNames(g.required)};
    }
  }
  std::string roles;
  for (const auto& r : caller.roles) roles += (roles.empty() ? "" : ",") + r;
  return {false, "no grant of " + std::string(OperationName(op)) + " matches roles [" + roles +
                     "] with relations " + RelationNames(relations)};
}

}  // namespace sa::adapter::service
