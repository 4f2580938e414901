#include "adapter/core/vault.h"

#include "adapter/crypto/aad.h"
#include "adapter/crypto/key_wrap.h"

namespace sa::adapter {

namespace {

std::string LookupKeyAad() { return crypto::RecordAad(kLookupKeyName, "keyed-hash", 1); }

// Reads the wrapped look-up key, or creates it, in one transaction. Two
// instances starting together on an empty database: the second insert fails
// (primary key) and that start-up fails cleanly; started again, it reads the key.
StatusOr<crypto::SecretBytes> LoadOrCreateLookupKey(store::Database& db, const crypto::KeyRing& ring) {
  SA_ASSIGN_OR_RETURN(auto session, db.Connect());
  store::Transaction tx(*session);
  SA_RETURN_IF_ERROR(tx.Begin());
  SA_ASSIGN_OR_RETURN(auto rows, session->Query("SELECT kek_id, sealed FROM keyring WHERE name = ?",
                                                {std::string(kLookupKeyName)}));
  if (!rows.empty()) {
    SA_ASSIGN_OR_RETURN(std::string kek_id, store::AsText(rows[0][0]));
    SA_ASSIGN_OR_RETURN(std::string wrapped, store::AsBlob(rows[0][1]));
    SA_ASSIGN_OR_RETURN(const crypto::Kek* kek, ring.Find(kek_id));
    SA_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::UnwrapKey(*kek, wrapped, LookupKeyAad()));
    SA_RETURN_IF_ERROR(tx.Commit());
    return key;
  }
  SA_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::NewRandomKey());
  SA_ASSIGN_OR_RETURN(std::string wrapped, crypto::WrapKey(ring.active(), key, LookupKeyAad()));
  SA_RETURN_IF_ERROR(session
                         ->Exec("INSERT INTO keyring (name, kek_id, sealed) VALUES (?, ?, ?)",
                                {std::string(kLookupKeyName), ring.active().id, store::Blob{wrapped}})
                         .status());
  SA_RETURN_IF_ERROR(tx.Commit());
  return key;
}

}  // namespace

StatusOr<crypto::Kek> LoadKek(const std::optional<std::string>& file, const std::optional<std::string>& env) {
  if (file && !file->empty()) return crypto::LoadKekFromFile(*file);
  if (env && !env->empty()) return crypto::LoadKekFromEnv(*env);
  return Status::FailedPrecondition(
      "no key-encryption key configured (/keys: kekFile or kekEnv); the adapter will not invent one");
}

StatusOr<std::unique_ptr<Vault>> Vault::Open(const KeysConfig& keys, store::Database& db) {
  std::unique_ptr<Vault> v(new Vault());
  SA_ASSIGN_OR_RETURN(crypto::Kek active, LoadKek(keys.kek_file, keys.kek_env));
  v->ring_ = std::make_unique<crypto::KeyRing>(std::move(active));
  for (const auto& retired : keys.retired_kek_files) {
    SA_ASSIGN_OR_RETURN(crypto::Kek k, crypto::LoadKekFromFile(retired));
    SA_RETURN_IF_ERROR(v->ring_->AddRetired(std::move(k)));
  }
  SA_ASSIGN_OR_RETURN(crypto::SecretBytes lookup, LoadOrCreateLookupKey(db, *v->ring_));
  v->hasher_ = std::make_unique<crypto::KeyedHasher>(std::move(lookup));
  return v;
}

StatusOr<std::string> Vault::Seal(std::string_view plaintext, const std::string& record_id, const std::string& kind,
                                  int64_t version) const {
  SA_ASSIGN_OR_RETURN(crypto::Sealed sealed,
                      crypto::Seal(ring_->active(), plaintext, crypto::RecordAad(record_id, kind, version)));
  return crypto::Serialize(sealed);
}

StatusOr<std::string> Vault::Open(std::string_view bytes, const std::string& record_id, const std::string& kind,
                                  int64_t version) const {
  SA_ASSIGN_OR_RETURN(crypto::Sealed sealed, crypto::ParseSealed(bytes));
  return crypto::Open(*ring_, sealed, crypto::RecordAad(record_id, kind, version));
}

StatusOr<std::string> Vault::StaffHash(std::string_view staff_id) const {
  return hasher_->Hash(crypto::kStaffDomain, staff_id);
}

StatusOr<std::string> Vault::NhsHash(std::string_view nhs_number) const {
  return hasher_->Hash(crypto::kNhsDomain, nhs_number);
}

}  // namespace sa::adapter
