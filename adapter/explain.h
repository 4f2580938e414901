// `explain`: what the adapter would do with a session record, field by field,
// without storing or sending anything. For people checking a record, and for
// integrators checking their office system's output.
#ifndef SA_ADAPTER_EXPLAIN_H_
#define SA_ADAPTER_EXPLAIN_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mappings/catalog.h"

namespace sa::adapter {

struct ExplainReport {
  bool valid = false;
  // Machine form: {"valid", "errors":[{"pointer","reason"}]} or
  // {"valid", "sessionId", "organisation", "fields":[...], "counts", "agreement",
  //  "ehrRelease", "cases":[...]}. Holds ids and codes (session id, caseRef,
  // staff ids) but never a free-text value from the record.
  nlohmann::json json;
};

// Parses, validates and separates `record`; reports where each field goes.
ExplainReport Explain(std::string_view record, const mappings::Catalog& catalog,
                      std::size_t max_record_bytes);

// Renders a report for people: a table of fields, then agreement, release
// and holds; or the list of errors.
std::string RenderExplainText(const ExplainReport& report);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_EXPLAIN_H_
