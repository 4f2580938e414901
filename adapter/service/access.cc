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
      {Operation::kWriteAgreement,
       "agreement.write",
       {{kRoleSafeguardingLead, kSameOrg},
        {kRoleOfficeSystem, kSameOrg},
        {kRoleSupervisor, kSameOrg | kAgreementParty}}},
      {Operation::kReadAgreement,
       "agreement.read",
       {{kRoleSafeguardingLead, kSameOrg},
        {kRoleAuditor, kSameOrg},
        {kRoleSupervisor, kSameOrg | kAgreementParty},
        {kRoleSupervisee, kSameOrg | kAgreementParty},
        {kRoleLineManager, kSameOrg | kNamedLineManager}}},
      {Operation::kRequestDisclosure, "disclosure.request", {{kRoleSafeguardingLead, kSameOrg}}},
      {Operation::kRecordNotice, "disclosure.notice", {{kRoleSafeguardingLead, kSameOrg}}},
      {Operation::kApproveDisclosure, "disclosure.approve", {{kRoleSafeguardingLead, kSameOrg}}},
      {Operation::kReadDisclosure,
       "disclosure.read",
       {{kRoleSafeguardingLead, kSameOrg}, {kRoleAuditor, kSameOrg}}},
      {Operation::kReleaseDisclosure, "disclosure.release", {{kRoleSafeguardingLead, kSameOrg}}},
      {Operation::kReadOwnNotices,
       "notices.read",
       {{kRoleSupervisee, kSameOrg | kSelf}, {kRoleSupervisor, kSameOrg | kSelf}}},
      {Operation::kTransferSupervisee, "supervisee.transfer", {{kRoleSafeguardingLead, kSameOrg}}},
      {Operation::kRecordDeparture,
       "supervisee.departure",
       {{kRoleSafeguardingLead, kSameOrg}, {kRoleLineManager, kSameOrg | kNamedLineManager}}},
      {Operation::kReadRegister,
       "register.read",
       {{kRoleSafeguardingLead, kSameOrg}, {kRoleAuditor, kSameOrg}}},
      {Operation::kReadCompliance,
       "compliance.read",
       {{kRoleSafeguardingLead, kSameOrg}, {kRoleAuditor, kSameOrg}}},
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

std::vector<Grant> ReaderGrants(const std::vector<std::string>& readers, bool practitioner) {
  const auto& map = practitioner ? PractitionerReaders() : DiscussionReaders();
  std::vector<Grant> out;
  for (const auto& reader : readers) {
    auto it = map.find(reader);
    if (it != map.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
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
  if (op == Operation::kReadDiscussion || op == Operation::kReadPractitionerRecord) {
    if (profile == nullptr) return {false, "no policy profile for the object's organisation"};
    const bool practitioner = op == Operation::kReadPractitionerRecord;
    grants = ReaderGrants(
        practitioner ? profile->practitioner_access.readers : profile->discussion_access.readers,
        practitioner);
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
