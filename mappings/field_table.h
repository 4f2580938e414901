// The field table: where each field of a session record goes, as data
// (mappings/data/fields/session-record.json).
#ifndef SA_MAPPINGS_FIELD_TABLE_H_
#define SA_MAPPINGS_FIELD_TABLE_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fhir/status.h"
#include "mappings/home.h"

namespace sa::mappings {

struct FieldRule {
  std::vector<std::string> pattern;  // pointer tokens; "*" matches any one token
  std::string path;                  // the pattern as written
  std::optional<Home> home;          // nullopt: the session's template classifies the field
  std::string rule;                  // RS-n
  std::string cite;                  // policy clause
  std::string why;
  // Free text a person typed (what the leak guard protects); false for ids,
  // codes and dates. Fields the template classifies are always free text.
  bool free_text = false;
};

class FieldTable {
 public:
  // Parses and validates the table document; errors name `origin`.
  static StatusOr<FieldTable> Parse(const nlohmann::json& doc, const std::string& origin);

  // The most specific rule matching `tokens` (fewest wildcards; earliest on a
  // tie), or nullptr: then the field has no home and must not be routed.
  const FieldRule* Match(const std::vector<std::string>& tokens) const;

  const std::vector<FieldRule>& rules() const { return rules_; }

 private:
  std::vector<FieldRule> rules_;
};

// Splits an RFC 6901 pointer into unescaped tokens.
std::vector<std::string> SplitPointer(const std::string& pointer);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_FIELD_TABLE_H_
