// Reading OperationOutcome and rendering it for operators without payload.
//
// Servers often echo the rejected resource, or pieces of it, in an
// OperationOutcome (issue.details.text, diagnostics, the narrative). What we
// send can be sensitive, so what reaches logs, Status messages and dashboards
// is a rendering that keeps only what an operator needs to act:
//   - severity and code of each issue, and details.coding as system|code;
//   - expression and location (paths such as "Task.status"), each cut at the
//     first character a path cannot hold, so a quoted value never passes;
//   - diagnostics cut to kMaxDiagnosticsChars characters, control characters
//     replaced by spaces (a long diagnostic is the one that quotes payload).
// Dropped: details.text, the narrative (text.div), extensions, and anything
// past kMaxRenderedIssues issues (counted, not shown).
#ifndef SA_FHIR_OPERATION_OUTCOME_H_
#define SA_FHIR_OPERATION_OUTCOME_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/resource.h"
#include "fhir/status.h"

namespace sa::fhir {

// Longest diagnostics text kept per issue when rendering (in bytes, cut on a
// UTF-8 character boundary). Long enough for "Missing required element
// Task.intent", short enough that a quoted resource does not survive.
inline constexpr size_t kMaxDiagnosticsChars = 200;
// Most issues rendered; a server listing hundreds adds nothing for an operator.
inline constexpr size_t kMaxRenderedIssues = 10;

struct OutcomeIssue {
  std::string severity;     // fatal | error | warning | information
  std::string code;         // IssueType code, e.g. "invalid", "conflict"
  std::vector<std::string> detail_codes;  // details.coding as "system|code"
  std::string details_text;               // kept for callers; never rendered
  std::string diagnostics;                // as sent; rendered truncated
  std::vector<std::string> expression;    // FHIRPath expressions
  std::vector<std::string> location;      // deprecated XPath-ish locations
};

// Parses an OperationOutcome resource into its issues; InvalidArgument if
// `outcome` is not an OperationOutcome.
StatusOr<std::vector<OutcomeIssue>> ParseOperationOutcome(const Json& outcome);

// True if any issue has severity fatal or error.
bool HasErrors(const std::vector<OutcomeIssue>& issues);

// Renders issues for operators as "error invalid @Task.status: diag; …",
// dropping payload text as described at the top of this file.
std::string RenderForOperators(const std::vector<OutcomeIssue>& issues,
                               size_t max_diagnostics = kMaxDiagnosticsChars);

// Renders an HTTP error body for operators: the OperationOutcome rendering
// when the body is one, otherwise only "non-FHIR body (N bytes)" — never the
// raw text, which may be an HTML page echoing the request.
std::string RenderErrorBody(std::string_view body,
                            size_t max_diagnostics = kMaxDiagnosticsChars);

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 character,
// replacing control characters with spaces; appends "..." when cut.
std::string TruncateForLog(std::string_view text, size_t max_bytes);

}  // namespace sa::fhir

#endif  // SA_FHIR_OPERATION_OUTCOME_H_
