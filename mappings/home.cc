#include "mappings/home.h"

namespace sa::mappings {

std::string_view HomeName(Home home) {
  switch (home) {
    case Home::kEhr: return "ehr";
    case Home::kConfidential: return "confidential";
    case Home::kPractitioner: return "practitioner";
    case Home::kRegister: return "register";
  }
  return "unknown";
}

std::optional<Home> ParseHome(std::string_view name) {
  for (Home h : kAllHomes) {
    if (HomeName(h) == name) return h;
  }
  return std::nullopt;
}

}  // namespace sa::mappings
