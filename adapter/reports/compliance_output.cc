// The compliance report as JSON and CSV.
#include "adapter/reports/compliance.h"
#include "adapter/reports/csv.h"

namespace sa::adapter::reports {

using nlohmann::json;

namespace {

json OrNull(const std::string& v) { return v.empty() ? json(nullptr) : json(v); }
json OrNull(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

json FindingToJson(const Finding& f) {
  return {{"organisation", f.organisation},
          {"supervisee", f.supervisee},
          {"rule", f.rule},
          {"outcome", OutcomeName(f.outcome)},
          {"sessionId", OrNull(f.session_id)},
          {"actionId", OrNull(f.action_id)},
          {"agreementId", OrNull(f.agreement_id)},
          {"values", f.values.empty() ? json::object() : json(f.values)},
          {"limit", OrNull(f.limit)},
          {"actual", OrNull(f.actual)},
          {"unit", OrNull(f.unit)},
          {"detail", f.detail},
          {"cite", f.cite}};
}

json ComplianceToJson(const ComplianceReport& r) {
  json summary = json::array(), findings = json::array();
  for (const auto& s : r.summary) {
    summary.push_back({{"organisation", s.organisation},
                       {"rule", s.rule},
                       {"met", s.met},
                       {"missed", s.missed},
                       {"notCheckable", s.not_checkable}});
  }
  for (const auto& f : r.findings) findings.push_back(FindingToJson(f));
  return {{"from", r.from},     {"to", r.to},           {"now", r.now},
          {"summary", summary}, {"findings", findings}, {"problems", r.problems}};
}

const std::vector<std::string>& ComplianceCsvHeader() {
  static const std::vector<std::string>* const kHeader = new std::vector<std::string>{
      "organisation", "supervisee", "rule", "outcome", "sessionId", "actionId", "agreementId",
      "limit",        "actual",     "unit", "values",  "detail",    "cite"};
  return *kHeader;
}

std::string ComplianceToCsv(const ComplianceReport& r) {
  std::string out = CsvRow(ComplianceCsvHeader());
  for (const auto& f : r.findings) {
    std::string values;
    for (const auto& [k, v] : f.values) values += (values.empty() ? "" : "; ") + k + "=" + v;
    out += CsvRow({f.organisation, f.supervisee, f.rule, OutcomeName(f.outcome), f.session_id,
                   f.action_id, f.agreement_id, f.limit ? std::to_string(*f.limit) : "",
                   f.actual ? std::to_string(*f.actual) : "", f.unit, values, f.detail, f.cite});
  }
  return out;
}

}  // namespace sa::adapter::reports
