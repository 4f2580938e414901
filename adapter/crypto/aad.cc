#include "adapter/crypto/aad.h"

#include "adapter/crypto/wire.h"

namespace sa::adapter::crypto {

std::string RecordAad(std::string_view record_id, std::string_view kind, int64_t version) {
  std::string out = "sa-aad-v1";
  wire::AppendU64Be(out, record_id.size());
  out.append(record_id);
  wire::AppendU64Be(out, kind.size());
  out.append(kind);
  wire::AppendU64Be(out, static_cast<uint64_t>(version));
  return out;
}

}  // namespace sa::adapter::crypto
