#include "adapter/core/key_rotation.h"

#include <optional>

#include "adapter/audit/audit_log.h"
#include "adapter/core/vault.h"
#include "adapter/crypto/aad.h"
#include "adapter/crypto/envelope.h"
#include "adapter/crypto/key_wrap.h"
#include "adapter/crypto/sealed.h"

namespace sa::adapter {

using nlohmann::json;

namespace {

constexpr char kMalformedId[] = "(malformed id)";

// A KEK id read from the database, safe to print and audit.
std::string ShownId(const std::string& id) { return crypto::IsValidKekId(id) ? id : kMalformedId; }

std::string RotateObject(const std::string& old_id, const std::string& new_id) {
  return "keys/" + ShownId(old_id) + "->" + new_id;
}

std::string LookupKeyAad() { return crypto::RecordAad(kLookupKeyName, "keyed-hash", 1); }

struct StoredRecord {
  std::string record_id;
  std::string kind;
  std::optional<int64_t> version;
  std::string kek_id;
  std::string sealed;
};

// The row's sealed bytes with the data key re-wrapped under the active KEK.
StatusOr<std::string> RewrapRecord(const crypto::KeyRing& ring, const StoredRecord& row) {
  if (!row.version)
    return Status::InvalidArgument("record has no version, so its AAD cannot be formed");
  SA_ASSIGN_OR_RETURN(crypto::Sealed sealed, crypto::ParseSealed(row.sealed));
  if (sealed.kek_id != row.kek_id) {
    return Status::FailedPrecondition(
        "kek_id column disagrees with the KEK id inside the sealed record");
  }
  SA_ASSIGN_OR_RETURN(
      crypto::Sealed out,
      crypto::Rewrap(ring, sealed, crypto::RecordAad(row.record_id, row.kind, *row.version),
                     ring.active()));
  return crypto::Serialize(out);
}

StatusOr<StoredRecord> ReadRecord(const store::Row& r) {
  StoredRecord rec;
  SA_ASSIGN_OR_RETURN(rec.record_id, store::AsText(r[0]));
  SA_ASSIGN_OR_RETURN(rec.kind, store::AsText(r[1]));
  SA_ASSIGN_OR_RETURN(rec.version, store::AsOptionalInt(r[2]));
  SA_ASSIGN_OR_RETURN(rec.kek_id, store::AsText(r[3]));
  SA_ASSIGN_OR_RETURN(rec.sealed, store::AsBlob(r[4]));
  return rec;
}

class Rotation {
 public:
  Rotation(store::DbSession& session, const crypto::KeyRing& ring, const RotationOptions& options)
      : s_(session), ring_(ring), options_(options), active_(ring.active().id) {
    report_.active_kek_id = active_;
  }

  StatusOr<RotationReport> Run() {
    SA_RETURN_IF_ERROR(RotateLookupKey());
    SA_RETURN_IF_ERROR(RotateRecords());
    SA_RETURN_IF_ERROR(CountRemaining());
    SA_RETURN_IF_ERROR(MarkRetireReady());
    return report_;
  }

 private:
  // The keyring's look-up key: one row, its own transaction.
  Status RotateLookupKey() {
    SA_ASSIGN_OR_RETURN(auto rows, s_.Query("SELECT kek_id, sealed FROM keyring WHERE name = ?",
                                            {std::string(kLookupKeyName)}));
    if (rows.empty()) return Status::Ok();  // created (under the active KEK) on first use
    SA_ASSIGN_OR_RETURN(std::string old_id, store::AsText(rows[0][0]));
    if (old_id == active_) return Status::Ok();
    SA_ASSIGN_OR_RETURN(std::string wrapped, store::AsBlob(rows[0][1]));
    const std::string name = std::string("keyring/") + kLookupKeyName;
    auto rewrapped = [&]() -> StatusOr<std::string> {
      SA_ASSIGN_OR_RETURN(const crypto::Kek* old_kek, ring_.Find(old_id));
      SA_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                          crypto::UnwrapKey(*old_kek, wrapped, LookupKeyAad()));
      return crypto::WrapKey(ring_.active(), key, LookupKeyAad());
    }();
    store::Transaction tx(s_);
    SA_RETURN_IF_ERROR(tx.Begin());
    std::string outcome = "ok";
    if (!rewrapped.ok()) {
      report_.failures.push_back({name, rewrapped.status().message()});
      outcome = "error";
    } else {
      SA_ASSIGN_OR_RETURN(
          int64_t n,
          s_.Exec("UPDATE keyring SET kek_id = ?, sealed = ? WHERE name = ? AND kek_id = ?"
                  " AND sealed = ?",
                  {active_, store::Blob{*rewrapped}, std::string(kLookupKeyName), old_id,
                   store::Blob{wrapped}}));
      if (n != 1) {
        ++report_.skipped;
        return tx.Rollback();
      }
      report_.lookup_key_rewrapped = true;
      ++moved_from_[old_id];
    }
    SA_RETURN_IF_ERROR(Audit("keys-rotate", RotateObject(old_id, active_), outcome,
                             "keyring=" + std::string(kLookupKeyName)));
    return tx.Commit();
  }

  // Confidential records, a batch per transaction, walked in record_id order
  // so a row that fails is passed over rather than read again.
  Status RotateRecords() {
    std::optional<std::string> after;
    while (true) {
      std::string sql =
          "SELECT record_id, kind, version, kek_id, sealed FROM confidential_records WHERE kek_id "
          "<> ?";
      std::vector<store::Value> params = {active_};
      if (after) {
        sql += " AND record_id > ?";
        params.push_back(*after);
      }
      sql += " ORDER BY record_id LIMIT ?";
      params.push_back(int64_t{options_.batch});
      SA_ASSIGN_OR_RETURN(auto rows, s_.Query(sql, params));
      if (rows.empty()) return Status::Ok();
      SA_RETURN_IF_ERROR(RotateBatch(rows, &after));
      if (rows.size() < static_cast<std::size_t>(options_.batch)) return Status::Ok();
    }
  }

  Status RotateBatch(const std::vector<store::Row>& rows, std::optional<std::string>* after) {
    // The crypto happens before the transaction, so the lock is held only for the writes.
    struct Update {
      StoredRecord row;
      std::string sealed;
    };
    std::vector<Update> updates;
    std::map<std::string, int64_t> failed_from;
    for (const auto& r : rows) {
      SA_ASSIGN_OR_RETURN(StoredRecord rec, ReadRecord(r));
      *after = rec.record_id;
      auto sealed = RewrapRecord(ring_, rec);
      if (!sealed.ok()) {
        report_.failures.push_back({rec.record_id, sealed.status().message()});
        ++failed_from[rec.kek_id];
        continue;
      }
      updates.push_back({std::move(rec), std::move(*sealed)});
    }
    if (updates.empty() && failed_from.empty()) return Status::Ok();
    store::Transaction tx(s_);
    SA_RETURN_IF_ERROR(tx.Begin());
    std::map<std::string, int64_t> moved_from;
    for (const auto& u : updates) {
      // Compare-and-set: only the row exactly as read is replaced.
      SA_ASSIGN_OR_RETURN(int64_t n,
                          s_.Exec("UPDATE confidential_records SET kek_id = ?, sealed = ?"
                                  " WHERE record_id = ? AND kek_id = ? AND sealed = ?",
                                  {active_, store::Blob{u.sealed}, u.row.record_id, u.row.kek_id,
                                   store::Blob{u.row.sealed}}));
      if (n == 1) {
        ++moved_from[u.row.kek_id];
      } else {
        ++report_.skipped;
      }
    }
    // Audit entries last: on PostgreSQL, Append holds the chain's lock until commit.
    for (const auto& [old_id, n] : moved_from) {
      SA_RETURN_IF_ERROR(
          Audit("keys-rotate", RotateObject(old_id, active_), "ok", "rows=" + std::to_string(n)));
    }
    for (const auto& [old_id, n] : failed_from) {
      SA_RETURN_IF_ERROR(Audit("keys-rotate", RotateObject(old_id, active_), "error",
                               "failed=" + std::to_string(n)));
    }
    SA_RETURN_IF_ERROR(tx.Commit());
    for (const auto& [old_id, n] : moved_from) {
      report_.rewrapped += n;
      moved_from_[old_id] += n;
    }
    if (!moved_from.empty()) ++report_.batches;
    return Status::Ok();
  }

  // What still uses another KEK, after this run (including rows written or
  // changed by others meanwhile).
  Status CountRemaining() {
    for (const char* table : {"confidential_records", "keyring"}) {
      SA_ASSIGN_OR_RETURN(
          auto rows, s_.Query(std::string("SELECT kek_id, CAST(COUNT(*) AS BIGINT) FROM ") + table +
                                  " WHERE kek_id <> ? GROUP BY kek_id",
                              {active_}));
      for (const auto& r : rows) {
        SA_ASSIGN_OR_RETURN(std::string id, store::AsText(r[0]));
        SA_ASSIGN_OR_RETURN(int64_t n, store::AsInt(r[1]));
        report_.remaining[ShownId(id)] += n;
      }
    }
    return Status::Ok();
  }

  // Retired KEKs nothing uses any more. Audited when this run freed them, or
  // when no earlier run recorded it, so a rerun adds nothing to the log.
  Status MarkRetireReady() {
    for (const auto& id : ring_.Ids()) {
      if (id == active_ || report_.remaining.count(id)) continue;
      report_.retire_ready.push_back(id);
      const std::string object = "keys/" + id;
      store::Transaction tx(s_);
      SA_RETURN_IF_ERROR(tx.Begin());
      if (!moved_from_.count(id)) {
        SA_ASSIGN_OR_RETURN(
            auto seen, s_.Query("SELECT seq FROM audit_log WHERE action = 'keys-retire-ready' AND"
                                " object = ? LIMIT 1",
                                {object}));
        if (!seen.empty()) {
          SA_RETURN_IF_ERROR(tx.Rollback());
          continue;
        }
      }
      SA_RETURN_IF_ERROR(Audit("keys-retire-ready", object, "ok", "active=" + active_));
      SA_RETURN_IF_ERROR(tx.Commit());
    }
    return Status::Ok();
  }

  Status Audit(const std::string& action, const std::string& object, const std::string& outcome,
               const std::string& detail) {
    return audit::Append(s_, {options_.actor, action, object, outcome, detail}, audit::NowRfc3339())
        .status();
  }

  store::DbSession& s_;
  const crypto::KeyRing& ring_;
  const RotationOptions& options_;
  const std::string active_;
  RotationReport report_;
  std::map<std::string, int64_t> moved_from_;  // rows (and the look-up key) moved per old KEK id
};

}  // namespace

json RotationReport::ToJson() const {
  json failed = json::array();
  for (const auto& f : failures)
    failed.push_back({{"recordId", f.record_id}, {"reason", f.reason}});
  return {{"activeKek", active_kek_id},
          {"rewrapped", rewrapped},
          {"lookupKeyRewrapped", lookup_key_rewrapped},
          {"skipped", skipped},
          {"batches", batches},
          {"failed", failed},
          {"remaining", json(remaining)},
          {"retireReady", retire_ready},
          {"complete", complete()}};
}

StatusOr<RotationReport> RotateKeys(store::Database& db, const crypto::KeyRing& ring,
                                    const RotationOptions& options) {
  if (options.batch < 1 || options.batch > kMaxRotationBatchRows) {
    return Status::InvalidArgument("rotation batch must be 1.." +
                                   std::to_string(kMaxRotationBatchRows));
  }
  SA_ASSIGN_OR_RETURN(auto session, db.Connect());
  return Rotation(*session, ring, options).Run();
}

}  // namespace sa::adapter
