// The four homes of supervision information (record-separation.md).
#ifndef SA_MAPPINGS_HOME_H_
#define SA_MAPPINGS_HOME_H_

#include <optional>
#include <string_view>

namespace sa::mappings {

enum class Home {
  kEhr,           // the person's health record, through FHIR (the action plan)
  kConfidential,  // the discussion form, in the encrypted confidential store
  kPractitioner,  // about the member of staff: support, development, competence
  kRegister,      // evidence that supervision happened; no case content
};

inline constexpr Home kAllHomes[] = {Home::kEhr, Home::kConfidential, Home::kPractitioner,
                                     Home::kRegister};

// The stable name used in data files and output: ehr, confidential, practitioner, register.
std::string_view HomeName(Home home);
// Parses a home name; nullopt for anything else.
std::optional<Home> ParseHome(std::string_view name);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_HOME_H_
