#include "fhir/operation_outcome.h"

#include <cctype>

namespace sa::fhir {
namespace {

std::vector<std::string> StringArray(const Json& object, const char* name) {
  std::vector<std::string> out;
  auto it = object.find(name);
  if (it == object.end() || !it->is_array()) return out;
  for (const Json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Keeps only characters that can appear in a FHIRPath or code, so a value
// smuggled into `expression` (e.g. Task.where(description='…')) is cut short.
std::string PathOnly(std::string_view path) {
  std::string out;
  for (char c : path) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '[' || c == ']' || c == '_' || c == '-' ||
        c == '|' || c == ':' || c == '/' || c == '(' || c == ')') {
      out += c;
    } else {
      out += "…";
      break;
    }
  }
  return TruncateForLog(out, 120);
}

}  // namespace

StatusOr<std::vector<OutcomeIssue>> ParseOperationOutcome(const Json& outcome) {
  if (!outcome.is_object() || GetString(outcome, "resourceType") != "OperationOutcome") {
    return Status::InvalidArgument("not an OperationOutcome");
  }
  std::vector<OutcomeIssue> issues;
  auto list = outcome.find("issue");
  if (list == outcome.end() || !list->is_array()) return issues;
  for (const Json& item : *list) {
    if (!item.is_object()) continue;
    OutcomeIssue issue;
    issue.severity = GetString(item, "severity");
    issue.code = GetString(item, "code");
    issue.diagnostics = GetString(item, "diagnostics");
    issue.expression = StringArray(item, "expression");
    issue.location = StringArray(item, "location");
    if (auto d = item.find("details"); d != item.end() && d->is_object()) {
      issue.details_text = GetString(*d, "text");
      if (auto codings = d->find("coding"); codings != d->end() && codings->is_array()) {
        for (const Json& c : *codings) {
          if (!c.is_object()) continue;
          issue.detail_codes.push_back(GetString(c, "system") + "|" + GetString(c, "code"));
        }
      }
    }
    issues.push_back(std::move(issue));
  }
  return issues;
}

bool HasErrors(const std::vector<OutcomeIssue>& issues) {
  for (const OutcomeIssue& i : issues) {
    if (i.severity == "fatal" || i.severity == "error") return true;
  }
  return false;
}

std::string TruncateForLog(std::string_view text, size_t max_bytes) {
  size_t cut = text.size();
  bool truncated = false;
  if (cut > max_bytes) {
    cut = max_bytes;
    // Step back over UTF-8 continuation bytes so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    truncated = true;
  }
  std::string out;
  out.reserve(cut + 3);
  for (size_t i = 0; i < cut; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
  }
  if (truncated) out += "...";
  return out;
}

std::string RenderForOperators(const std::vector<OutcomeIssue>& issues, size_t max_diagnostics) {
  if (issues.empty()) return "OperationOutcome without issues";
  std::string out;
  size_t shown = 0;
  for (const OutcomeIssue& issue : issues) {
    if (shown == kMaxRenderedIssues) break;
    if (shown++ > 0) out += "; ";
    out += PathOnly(issue.severity.empty() ? "?" : issue.severity);
    out += ' ';
    out += PathOnly(issue.code.empty() ? "?" : issue.code);
    for (const std::string& c : issue.detail_codes) out += " [" + PathOnly(c) + "]";
    for (const std::string& e : issue.expression) out += " @" + PathOnly(e);
    if (issue.expression.empty()) {
      for (const std::string& l : issue.location) out += " @" + PathOnly(l);
    }
    if (!issue.diagnostics.empty() && max_diagnostics > 0) {
      out += ": " + TruncateForLog(issue.diagnostics, max_diagnostics);
    }
  }
  if (issues.size() > shown) {
    out += "; (+" + std::to_string(issues.size() - shown) + " more issues)";
  }
  return out;
}

std::string RenderErrorBody(std::string_view body, size_t max_diagnostics) {
  if (body.empty()) return "empty body";
  StatusOr<Json> json = ParseJson(body);
  if (json.ok()) {
    StatusOr<std::vector<OutcomeIssue>> issues = ParseOperationOutcome(*json);
    if (issues.ok()) return RenderForOperators(*issues, max_diagnostics);
  }
  return "non-FHIR body (" + std::to_string(body.size()) + " bytes)";
}

}  // namespace sa::fhir
