// KeyRing: the KEKs the adapter can use, one active plus retired ones.
//
// New records are sealed under the active KEK; records sealed under an older
// KEK still open (and can be re-wrapped) as long as that KEK is kept here as
// retired. Each sealed record names its KEK by id, so look-up is by id.
#ifndef SA_ADAPTER_CRYPTO_KEY_RING_H_
#define SA_ADAPTER_CRYPTO_KEY_RING_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/crypto/kek.h"
#include "fhir/status.h"

namespace sa::adapter::crypto {

class KeyRing {
 public:
  // A ring whose active KEK (the one new records are sealed under) is `active`.
  explicit KeyRing(Kek active);

  // Keeps `kek` for opening and re-wrapping old records only. Adding a KEK
  // already present is a no-op; a different key with the same id is Conflict.
  Status AddRetired(Kek kek);

  // The KEK to seal new records and to re-wrap old ones under.
  const Kek& active() const { return keks_.at(active_id_); }

  // The KEK with `id`, active or retired; unknown → FailedPrecondition naming
  // the id (the operator has to supply that KEK before these records open).
  StatusOr<const Kek*> Find(std::string_view id) const;

  // Ids of every KEK on the ring, active first, for `keys status` style output.
  std::vector<std::string> Ids() const;

 private:
  std::string active_id_;
  std::map<std::string, Kek, std::less<>> keks_;
};

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_KEY_RING_H_
