// The audit anchor: the chain's head (seq and hash) recorded at a point in
// time, so Verify can tell a log that was cut short from one that simply
// ended there.
//
// A hash chain alone detects edits, deletions and reordering anywhere but at
// the tail: deleting the last k entries leaves a shorter chain that is still
// perfectly linked. The anchor closes that gap up to the anchored entry:
// Verify fails when the chain no longer reaches the anchored seq, or when the
// entry there no longer has the anchored hash (which also catches a forger
// who rewrote and re-hashed entries before it).
//
// Stored in sync_state(name, value) under kAnchorName as "<seq>:<hash>",
// e.g. "100:3f2a...". Limits, stated plainly:
//   - Entries AFTER the last anchor can be truncated undetected. Anchor often
//     (e.g. daily, or after each disclosure) to keep that window small.
//   - The anchor lives in the same database as the log: someone able to
//     rewrite audit_log can rewrite sync_state too. It stops truncation by
//     anyone who does not also forge the anchor. For a stronger guarantee copy
//     the anchor value off the machine (a ticket, an email to the auditor) and
//     compare it by hand.
#ifndef SA_ADAPTER_AUDIT_ANCHOR_H_
#define SA_ADAPTER_AUDIT_ANCHOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::audit {

// The sync_state name the anchor is stored under.
inline constexpr std::string_view kAnchorName = "audit-anchor";

// A recorded head of the chain.
struct Anchor {
  int64_t seq = 0;
  std::string hash;
};

// Records the current head (highest seq and its hash) as the anchor.
//
// Run it in its own transaction (Begin/Commit), so its checks and its write
// see one state; on PostgreSQL it then holds the audit append lock. It never
// moves the anchor over evidence of tampering: FailedPrecondition, nothing
// written, when the log is empty, when the existing anchor is malformed, when
// the log now ends before the anchored entry, or when that entry's hash
// differs from the anchored one (run Verify; after investigating, an operator
// removes the old anchor by hand). It does not verify the whole chain: run
// Verify first if the new anchor should vouch for everything before it.
Status WriteAnchor(store::DbSession& session);

// The anchor's raw stored value; nullopt when none was ever written.
StatusOr<std::optional<std::string>> ReadAnchorValue(store::DbSession& session);

// Parses "<seq>:<hash>" (seq >= 1, hash 64 lower-case hex); nullopt if malformed.
std::optional<Anchor> ParseAnchor(std::string_view value);

}  // namespace sa::adapter::audit

#endif  // SA_ADAPTER_AUDIT_ANCHOR_H_
