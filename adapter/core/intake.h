// Intake: a session record in, every home stored in ONE transaction, and an
// answer only after commit (durability before acknowledgement).
//
// One transaction writes the register line, the session's people as keyed
// hashes, the sealed discussion and practitioner records, the outbox rows for
// the plans to deliver, and the audit entries. A rejected record stores only a
// register_rejections line (pointers and reasons, no content). The same
// content again is a no-op; changed content is a new version whose outbox rows
// supersede the old plan in the EHR (removed actions cancelled, a cancelled
// session revoked).
//
// The new version is prepared (seals, keyed hashes, plan payloads, the leak
// check) from a snapshot of the session's latest version before the
// transaction opens, and the transaction first checks that snapshot still
// holds (else it starts again). The database's write lock is then held only
// for the statements and the commit, so concurrent intakes overlap their work
// with each other's commits. Intakes that reach their transaction at the same
// moment share it and its one durable commit (store/group_commit.h); each is
// still all or nothing, and each caller is answered only after the commit
// that holds its session (docs/performance.md).
#ifndef SA_ADAPTER_CORE_INTAKE_H_
#define SA_ADAPTER_CORE_INTAKE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapter/core/vault.h"
#include "adapter/store/db.h"
#include "adapter/store/group_commit.h"
#include "mappings/catalog.h"
#include "mappings/fhir_plan.h"
#include "mappings/json_reader.h"

namespace sa::adapter {

struct IntakeResult {
  enum class Kind { kCreated, kNewVersion, kUnchanged, kRejected };
  Kind kind = Kind::kRejected;
  std::string organisation, session_id;
  int64_t version = 0;
  std::string state;   // agreed, awaiting-signatures, cancelled, did-not-attend
  int outbox_rows = 0;
  int held_actions = 0;
  std::vector<mappings::FieldError> errors;  // for kRejected

  // One JSON line for the CLI and the API; never holds record content.
  nlohmann::json ToJson() const;
};

const char* IntakeKindName(IntakeResult::Kind kind);

// Who submits, and what they expect to supersede.
struct IntakeContext {
  std::string actor;  // the audit log's actor
  // Optimistic concurrency: when set, changed content is accepted only if the
  // latest stored version is this one (0: the session must be new); otherwise
  // Conflict and nothing is stored. Identical content is unchanged regardless.
  std::optional<int64_t> expected_version;
  // Codes (never free text) kept in the register entry under "_adapter"."note",
  // e.g. {"cancellation": {"reason": "sickness"}}.
  nlohmann::json register_note;
};

// Record id and kind of the sealed copy of each accepted version's whole
// record, kept so the service can re-version it (signatures, cancellation).
std::string SessionRecordId(const std::string& org, const std::string& session_id, int64_t version);
inline constexpr char kSessionRecordKind[] = "session-record";

struct IntakeOptions {
  std::size_t max_record_bytes = 1 << 20;
  mappings::FhirMappingOptions mapping;  // identifier systems for plan keys
  // Most sessions stored in one shared transaction (store/group_commit.h).
  std::size_t max_group = store::kDefaultMaxGroup;
  // Shared transactions running at once (0: the database's default,
  // store::DefaultGroupsInFlight).
  std::size_t groups_in_flight = 0;
};

class IntakeService {
 public:
  // None owned; all must outlive the service.
  IntakeService(store::Database* db, const mappings::Catalog* catalog, const Vault* vault, IntakeOptions options);

  // Validates, separates and stores one record. A store failure is a Status
  // (nothing half-written: the transaction rolled back); a bad record is an
  // IntakeResult of kind kRejected.
  StatusOr<IntakeResult> Intake(std::string_view record, const std::string& actor) {
    return Intake(record, IntakeContext{actor, std::nullopt, nullptr});
  }
  // The same, with the caller's expectations (see IntakeContext).
  StatusOr<IntakeResult> Intake(std::string_view record, const IntakeContext& context);

  // How the shared transactions went so far (diagnostics: sessions per commit).
  store::GroupCommit::Stats group_stats() const { return group_->stats(); }

 private:
  store::Database* db_;
  const mappings::Catalog* catalog_;
  const Vault* vault_;
  IntakeOptions options_;
  // Intakes committing at the same moment share a transaction (one flush).
  std::unique_ptr<store::GroupCommit> group_;
};

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_INTAKE_H_
