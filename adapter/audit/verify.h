// Checking the audit log's hash chain (`audit verify`).
//
// Verify walks audit_log in seq order, a page at a time so memory stays flat
// however long the log, and for each entry checks, in this order:
//   1. seq is the next one expected (1, 2, 3...): a gap means deleted entries;
//   2. its stored hash is 64 lower-case hex digits and equals the hash
//      recomputed from its fields (chain_hash.h): a mismatch means an edited
//      field, prev_hash, seq or hash (swapping two entries' seqs shows here);
//   3. its prev_hash equals the previous entry's hash: a mismatch means an
//      entry before it was replaced or its hash edited;
//   4. if it is the anchored entry (anchor.h), its hash equals the anchored one;
// and finally that the log reaches the anchored seq (tail truncation).
//
// It stops at the first problem. first_bad_seq is the first seq at which the
// chain breaks: the entry that failed a check, or, where entries are missing,
// the FIRST MISSING seq (delete entry 50: 50; delete 60..70: 60; truncate
// 96..100 below an anchor at 100: 96).
//
// Nothing in a report quotes an entry's fields: problems name the entry (its
// seq) and what is wrong, because the audit log's readers may not be allowed
// to see even its identifiers in a ticket or a log.
//
// Timestamps are not required to increase: several adapter instances' clocks
// may differ by a little. Verify needs no transaction; appends committed while
// it runs are checked if its pages reach them.
#ifndef SA_ADAPTER_AUDIT_VERIFY_H_
#define SA_ADAPTER_AUDIT_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "adapter/audit/anchor.h"
#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::audit {

// Entries read per query: enough to keep round trips few, small enough that
// memory stays flat on a log of millions.
inline constexpr int64_t kVerifyPageSize = 1000;

struct VerifyReport {
  bool intact = true;
  int64_t entries = 0;                   // entries checked good (all of them when intact)
  std::optional<int64_t> first_bad_seq;  // see above; unset when intact or for anchor faults
  std::string problem;                   // empty when intact
};

struct VerifyOptions {
  int64_t page_size = kVerifyPageSize;  // >= 1
};

// Checks the whole chain and the anchor. A broken chain is a report with
// intact=false, not an error; errors are the database's (or InvalidArgument
// for a page size below 1).
StatusOr<VerifyReport> Verify(store::DbSession& session, const VerifyOptions& options = {});

// One line for people: "audit log intact: 100 entries" or
// "audit log NOT intact at entry 37: ... (36 entries checked good before it)".
std::string RenderReport(const VerifyReport& report);

}  // namespace sa::adapter::audit

#endif  // SA_ADAPTER_AUDIT_VERIFY_H_
