#include "adapter/auth/jws_algorithm.h"

#include <array>
#include <cctype>

namespace sa::adapter::auth {
namespace {

constexpr std::array<JwsAlgorithm, 6> kAlgorithms = {{
    {"RS256", KeyFamily::kRsa, 256, false, 0},
    {"RS384", KeyFamily::kRsa, 384, false, 0},
    {"RS512", KeyFamily::kRsa, 512, false, 0},
    {"PS256", KeyFamily::kRsa, 256, true, 0},
    {"ES256", KeyFamily::kEcP256, 256, false, 32},
    {"ES384", KeyFamily::kEcP384, 384, false, 48},
}};

}  // namespace

const JwsAlgorithm* FindJwsAlgorithm(std::string_view name) {
  for (const JwsAlgorithm& a : kAlgorithms) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const std::vector<std::string>& SupportedJwsAlgorithmNames() {
  static const std::vector<std::string>* const kNames = [] {
    auto* names = new std::vector<std::string>;
    for (const JwsAlgorithm& a : kAlgorithms) names->emplace_back(a.name);
    return names;
  }();
  return *kNames;
}

bool IsForbiddenJwsAlgorithm(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out;
    for (unsigned char c : s) out += static_cast<char>(std::tolower(c));
    return out;
  };
  std::string l = lower(name);
  return l == "none" || l.rfind("hs", 0) == 0;
}

}  // namespace sa::adapter::auth
