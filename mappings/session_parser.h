// Strict parsing and validation of a session record (contract §1).
//
// Reports every problem at once, each with the JSON Pointer of the field and
// a plain reason, so the office system can fix a record in one round trip.
// No reason ever quotes a value from the record (values may be confidential).
#ifndef SA_MAPPINGS_SESSION_PARSER_H_
#define SA_MAPPINGS_SESSION_PARSER_H_

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mappings/catalog.h"
#include "mappings/json_reader.h"
#include "mappings/session.h"
#include "mappings/strict_json.h"

namespace sa::mappings {

struct SessionParse {
  bool ok = false;
  Session session;               // valid only when ok
  nlohmann::json document;       // the parsed record (for routing); null on a syntax error
  std::vector<FieldError> errors;
};

// The record format this build reads.
inline constexpr std::string_view kSessionSchema = "supervision-session/1";

// Parses `text` strictly, then validates it against the format and the
// catalog (organisation must be an enabled profile, discussion keys must
// belong to the template).
SessionParse ParseSession(std::string_view text, const Catalog& catalog,
                          const JsonLimits& limits = {});

// Validates an already-parsed document (same checks, same pointers).
SessionParse ValidateSession(nlohmann::json document, const Catalog& catalog);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_SESSION_PARSER_H_
