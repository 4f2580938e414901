// Key rotation (`keys rotate`): moves every confidential record, and the
// wrapped look-up key, from retired key-encryption keys to the active one
// while the service keeps running.
//
// Only the 60-byte wrapped data key of each row changes (crypto::Rewrap);
// nonce and ciphertext stay as they are, so nothing is re-encrypted and no
// plaintext is ever produced. Rows are walked in batches, each its own short
// transaction, so intake on a live service waits at most one batch. Every
// update is a compare-and-set on (record_id, kek_id, sealed): a row someone
// else changed meanwhile (another rotation run) is left to them, never
// overwritten. Each batch appends one audit entry per old KEK it moved rows
// from (action "keys-rotate"), inside the batch's transaction.
//
// A row that cannot be re-wrapped (its KEK is not on the ring, its wrapped key
// fails to authenticate, its bytes are malformed) is left as it was and
// reported by record id; never by content. A retired KEK is reported ready to
// remove only when no row (confidential record or keyring entry) uses it any
// more; that is audited once as "keys-retire-ready". Running rotation again is
// harmless: rows already under the active KEK are not touched and nothing new
// is audited.
#ifndef SA_ADAPTER_CORE_KEY_ROTATION_H_
#define SA_ADAPTER_CORE_KEY_ROTATION_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapter/crypto/key_ring.h"
#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter {

// Rows re-wrapped per transaction. Small enough that a concurrent intake
// waits for at most one batch's write lock (SQLite) or row locks
// (PostgreSQL); large enough that a million rows take ten thousand commits,
// not a million.
inline constexpr int kRotationBatchRows = 100;
// Largest batch accepted: bounds the time one transaction holds the lock.
inline constexpr int kMaxRotationBatchRows = 10'000;

struct RotationOptions {
  int batch = kRotationBatchRows;  // 1..kMaxRotationBatchRows
  std::string actor = "operator";  // who the audit entries name
};

// A row left as it was, and why (a Status message: ids and codes, no content).
struct RotationFailure {
  std::string record_id;  // confidential_records.record_id, or "keyring/<name>"
  std::string reason;
};

struct RotationReport {
  std::string active_kek_id;
  int64_t rewrapped = 0;              // confidential records moved by this run
  bool lookup_key_rewrapped = false;  // the keyring's look-up key moved by this run
  int64_t skipped = 0;                // rows changed by someone else meanwhile; left to them
  int batches = 0;                    // transactions that moved rows
  std::vector<RotationFailure> failures;
  // After the run: rows (records and keyring entries) per KEK id other than
  // the active one. Ids that are not well-formed are counted under
  // "(malformed id)".
  std::map<std::string, int64_t> remaining;
  // Retired KEK ids on the ring that no row uses any more.
  std::vector<std::string> retire_ready;

  // Every row is under the active KEK and nothing failed.
  bool complete() const { return failures.empty() && remaining.empty(); }
  // One JSON object for the CLI; ids and counts only.
  nlohmann::json ToJson() const;
};

// Re-wraps, under ring.active(), every confidential record and the look-up
// key that another KEK on `ring` wrapped. Per-row failures are in the report
// (not a Status); a Status is a database failure or bad options, after which
// the batches already committed stay committed and a rerun carries on.
StatusOr<RotationReport> RotateKeys(store::Database& db, const crypto::KeyRing& ring,
                                    const RotationOptions& options = {});

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_KEY_ROTATION_H_
