// The vault: the key-encryption keys from configuration and the look-up
// hashing key kept (wrapped) in the database. Everything that seals or
// opens a confidential record, or hashes an identifier, goes through it.
#ifndef SA_ADAPTER_CORE_VAULT_H_
#define SA_ADAPTER_CORE_VAULT_H_

#include <memory>
#include <optional>
#include <string>

#include "adapter/config.h"
#include "adapter/crypto/envelope.h"
#include "adapter/crypto/keyed_hash.h"
#include "adapter/store/db.h"

namespace sa::adapter {

// Name of the keyring row holding the wrapped HMAC key for look-up hashes.
inline constexpr char kLookupKeyName[] = "lookup-hmac";

class Vault {
 public:
  // Loads the active KEK (and retired ones) named by `keys`; then loads the
  // look-up key from `db`, creating and storing it (wrapped) on first use.
  static StatusOr<std::unique_ptr<Vault>> Open(const KeysConfig& keys, store::Database& db);

  const crypto::KeyRing& ring() const { return *ring_; }
  // Seals `plaintext` under a fresh data key, bound to record id/kind/version.
  StatusOr<std::string> Seal(std::string_view plaintext, const std::string& record_id, const std::string& kind,
                             int64_t version) const;
  // Opens what Seal produced, for the same id/kind/version.
  StatusOr<std::string> Open(std::string_view sealed, const std::string& record_id, const std::string& kind,
                             int64_t version) const;
  // Keyed hash of a staff id (domain "staff") or NHS number (domain "nhs").
  StatusOr<std::string> StaffHash(std::string_view staff_id) const;
  StatusOr<std::string> NhsHash(std::string_view nhs_number) const;

 private:
  Vault() = default;
  std::unique_ptr<crypto::KeyRing> ring_;
  std::unique_ptr<crypto::KeyedHasher> hasher_;
};

// Loads one KEK from a file or an environment variable (exactly one given).
StatusOr<crypto::Kek> LoadKek(const std::optional<std::string>& file, const std::optional<std::string>& env);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_VAULT_H_
