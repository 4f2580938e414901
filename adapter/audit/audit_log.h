// The tamper-evident audit log (RS-12): every read, write, disclosure and
// refusal touching the confidential store or the practitioner record appends
// one entry here.
//
// Entries form a hash chain in table audit_log (schema.cc): entry n stores the
// hash of entry n-1 (prev_hash; the first stores 64 zeros) and its own hash,
// SHA-256 over a canonical form of seq, time, record and prev_hash
// (chain_hash.h). Editing, deleting, inserting or reordering entries breaks
// the chain, which Verify (verify.h) finds.
//
// An entry records WHO did WHAT to WHICH object and HOW it ended, never the
// content: `object` is an identifier ("confidential/EPUT/S-1/v2/C1/discussion")
// and `detail` holds short codes or ids ("ground=court-order", "ref=LCSPR-7").
// The log is read by auditors who may not read the records themselves.
//
// Limit: the hash is unkeyed, so someone who can write the database can
// rewrite the chain from an edited entry onwards, re-hashing as they go, or
// cut entries off its end. Verify catches both only up to the last anchor
// (anchor.h), and only if the anchor itself was not forged too.
#ifndef SA_ADAPTER_AUDIT_AUDIT_LOG_H_
#define SA_ADAPTER_AUDIT_AUDIT_LOG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::audit {

// Longest value of any record field, in bytes. Fields are identifiers and
// codes, not prose; a longer value is a caller putting content where it must
// not go.
inline constexpr std::size_t kMaxFieldBytes = 256;

// The PostgreSQL advisory lock (transaction-scoped) that serialises Append and
// WriteAnchor across adapter instances: any fixed number, this one spells
// "sa-audit". Distinct from the migration lock (migrations.cc).
inline constexpr int64_t kAuditLockKey = 0x73612D6175646974;

// What happened, as the caller reports it.
struct AuditRecord {
  std::string actor;    // who: a staff id, a role, "office-system", "operator", "adapter"
  std::string action;   // e.g. "intake", "read-discussion", "refuse-read", "disclose"
  std::string object;   // an identifier, e.g. "confidential/EPUT/S-1/v2/C1/discussion"
  std::string outcome;  // "ok", "refused" or "error"
  std::string detail;   // short codes / ids only; may be empty
};

// One entry of the chain, as stored.
struct AuditEntry {
  int64_t seq = 0;  // 1, 2, 3... with no gaps
  std::string at;   // RFC 3339 UTC with milliseconds: "2024-05-01T09:30:00.123Z"
  AuditRecord record;
  std::string prev_hash;  // hash of entry seq-1; kGenesisPrevHash for seq 1
  std::string hash;       // lower-case hex SHA-256 of the canonical form (chain_hash.h)
};

// Checks every field: non-empty (detail may be empty), at most kMaxFieldBytes,
// valid UTF-8 without control or bidi-override characters. InvalidArgument
// names the field and the fault, never the field's text.
Status ValidateRecord(const AuditRecord& record);

// Checks `at` is "YYYY-MM-DDTHH:MM:SS.mmmZ" with plausible values (InvalidArgument otherwise).
Status ValidateTimestamp(std::string_view at);

// Appends `record`, stamped `at`, as the next entry of the chain and returns it.
//
// MUST be called inside the caller's open transaction (session.Begin() /
// store::Transaction), the one making the change the entry records: the entry
// then commits or rolls back with that change, so there is never a change
// without its entry nor an entry for a change that did not happen.
//
// Concurrent appenders (several adapter instances, one database) serialise:
//   - PostgreSQL: Append takes a transaction-scoped advisory lock
//     (pg_advisory_xact_lock) before reading the head, held until the caller
//     commits or rolls back. Call Append as the LAST statement before Commit
//     to keep that lock short and to avoid lock-order deadlocks with row locks.
//   - SQLite: Begin() is BEGIN IMMEDIATE, so the transaction already holds the
//     database's write lock; nothing more is needed.
// Called outside a transaction it still cannot fork the chain (seq is the
// primary key: a racing append fails with Conflict), but the entry is then no
// longer atomic with the change it records. Do not do that.
//
// InvalidArgument for a bad record or timestamp (nothing is written);
// otherwise the session's errors (the transaction is then aborted; db.h).
StatusOr<AuditEntry> Append(store::DbSession& session, const AuditRecord& record,
                            std::string_view at);

// Most entries one AppendAll writes (its INSERT binds 9 values per entry).
inline constexpr std::size_t kMaxAppendAll = 64;

// Appends `records`, in order, all stamped `at`, as the next entries of the
// chain, under the same rules as Append (inside the caller's transaction,
// last before Commit). Why: a change that records several entries (an intake
// writing a discussion, a practitioner record and the intake itself) takes
// the PostgreSQL lock and reads the head once, and inserts them in one
// statement, instead of three round trips per entry. Nothing is written if
// any record is invalid. Empty `records`: nothing to do, no statement run.
StatusOr<std::vector<AuditEntry>> AppendAll(store::DbSession& session,
                                            const std::vector<AuditRecord>& records,
                                            std::string_view at);

// AppendAll without its INSERT: takes the lock, reads the head and computes
// the entries, and returns the INSERT for the caller to run as the last
// statement of its transaction, e.g. in one round trip with the commit
// (DbSession::CommitAfter). Why: the lock is held from here to the commit,
// so on PostgreSQL every round trip in between is time no other append can
// use. `insert.sql` is static text; run it on the same session, before any
// other append.
struct PreparedAppend {
  store::Statement insert;
  std::vector<AuditEntry> entries;
};
StatusOr<PreparedAppend> PrepareAppend(store::DbSession& session, const std::vector<AuditRecord>& records,
                                       std::string_view at);

// The current time as RFC 3339 UTC with milliseconds, for Append's `at`.
std::string NowRfc3339();

// `t` in the same form (UTC, milliseconds), for entries stamped with a
// time the caller chose (a test clock, one instant for several entries).
std::string FormatRfc3339Millis(std::chrono::system_clock::time_point t);

}  // namespace sa::adapter::audit

#endif  // SA_ADAPTER_AUDIT_AUDIT_LOG_H_
