// The hash that links audit entries into a chain, shared by Append and Verify.
//
// Canonical form: nine netstrings (D. J. Bernstein's "<decimal length>:<bytes>,"),
// in this order:
//   "sa-audit-v1", decimal seq, at, actor, action, object, outcome, detail, prev_hash
// e.g. "11:sa-audit-v1,1:1,24:2024-05-01T09:30:00.123Z,...". Every field is
// length-prefixed, so no two different entries share a form ("ab"+"c" vs
// "a"+"bc"), and the version tag lets a future format coexist with this one.
// The hash is the lower-case hex SHA-256 of those bytes. An auditor can
// recompute it with any SHA-256 tool; no key is involved.
#ifndef SA_ADAPTER_AUDIT_CHAIN_HASH_H_
#define SA_ADAPTER_AUDIT_CHAIN_HASH_H_

#include <string>
#include <string_view>

#include "adapter/audit/audit_log.h"
#include "fhir/status.h"

namespace sa::adapter::audit {

// prev_hash of entry 1: 64 zeros (no entry before it).
inline constexpr std::string_view kGenesisPrevHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The bytes hashed for `entry` (its seq, at, record and prev_hash; not its hash).
std::string CanonicalForm(const AuditEntry& entry);

// Lower-case hex SHA-256 of CanonicalForm(entry); Internal if OpenSSL fails.
StatusOr<std::string> ChainHash(const AuditEntry& entry);

// True when `text` looks like a stored hash: exactly 64 lower-case hex digits.
bool IsHashHex(std::string_view text);

}  // namespace sa::adapter::audit

#endif  // SA_ADAPTER_AUDIT_CHAIN_HASH_H_
