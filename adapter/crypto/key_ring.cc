#include "adapter/crypto/key_ring.h"

namespace sa::adapter::crypto {

KeyRing::KeyRing(Kek active) : active_id_(active.id) { keks_.emplace(active.id, std::move(active)); }

Status KeyRing::AddRetired(Kek kek) {
  auto it = keks_.find(kek.id);
  if (it != keks_.end()) {
    if (it->second.key == kek.key) return Status::Ok();
    return Status::Conflict("KEK id " + kek.id + " is already on the key ring with a different key");
  }
  std::string id = kek.id;
  keks_.emplace(std::move(id), std::move(kek));
  return Status::Ok();
}

StatusOr<const Kek*> KeyRing::Find(std::string_view id) const {
  auto it = keks_.find(id);
  if (it == keks_.end()) {
    // The id comes from stored data; only echo it if it has the shape of an id.
    std::string shown = IsValidKekId(id) ? std::string(id) : "(malformed id)";
    return Status::FailedPrecondition("KEK " + shown + " is not on the key ring; load it (as retired) to open these records");
  }
  return &it->second;
}

std::vector<std::string> KeyRing::Ids() const {
  std::vector<std::string> ids{active_id_};
  for (const auto& [id, kek] : keks_) {
    if (id != active_id_) ids.push_back(id);
  }
  return ids;
}

}  // namespace sa::adapter::crypto
