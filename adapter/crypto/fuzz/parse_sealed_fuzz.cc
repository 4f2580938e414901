// libFuzzer target: ParseSealed, then Open, on arbitrary bytes must never
// crash, and must never open (there is no KEK that wrapped these bytes).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     adapter/crypto/fuzz/parse_sealed_fuzz.cc $(ls adapter/crypto/*.cc | grep -v _test.cc) fhir/status.cc -lcrypto
#include <cstdlib>
#include <string_view>

#include "adapter/crypto/aad.h"
#include "adapter/crypto/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sa::adapter::crypto;
  static const KeyRing* ring = [] {
    auto kek = KekFromBytes(SecretBytes(kKekBytes));
    if (!kek.ok()) std::abort();
    return new KeyRing(std::move(kek).value());
  }();
  auto sealed = ParseSealed(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!sealed.ok()) return 0;
  (void)Serialize(*sealed);
  if (Open(*ring, *sealed, RecordAad("fuzz", "fuzz", 1)).ok()) std::abort();
  return 0;
}
