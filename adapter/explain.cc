#include "adapter/explain.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "mappings/separation.h"
#include "mappings/session_parser.h"

namespace sa::adapter {

using nlohmann::json;

namespace {

json ErrorsJson(const std::vector<mappings::FieldError>& errors) {
  json out = json::array();
  for (const auto& e : errors) out.push_back({{"pointer", e.pointer}, {"reason", e.reason}});
  return out;
}

std::string Pad(const std::string& s, std::size_t w) {
  return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' ');
}

}  // namespace

ExplainReport Explain(std::string_view record, const mappings::Catalog& catalog,
                      std::size_t max_record_bytes) {
  ExplainReport report;
  mappings::JsonLimits limits;
  limits.max_bytes = max_record_bytes;
  mappings::SessionParse parse = mappings::ParseSession(record, catalog, limits);
  if (!parse.ok) {
    report.json = {{"valid", false}, {"errors", ErrorsJson(parse.errors)}};
    return report;
  }
  auto sep = mappings::Separate(parse.session, parse.document, catalog);
  if (!sep.ok()) {
    // Fail closed: a field without a home is a rejected record, not a default.
    report.json = {{"valid", false},
                   {"errors", json::array({{{"pointer", ""}, {"reason", sep.status().message()}}})}};
    return report;
  }
  const mappings::Session& s = parse.session;
  report.valid = true;
  json fields = json::array();
  std::map<std::string, int> counts;
  for (mappings::Home h : mappings::kAllHomes) counts[std::string(mappings::HomeName(h))] = 0;
  for (const auto& r : sep->routes) {
    std::string home(mappings::HomeName(r.home));
    ++counts[home];
    fields.push_back({{"pointer", r.pointer}, {"home", home}, {"rule", r.rule}, {"cite", r.cite},
                      {"why", r.why}, {"null", r.is_null}});
  }
  json cases = json::array();
  for (const auto& c : sep->cases) {
    json held = json::array();
    for (const auto& h : c.held) held.push_back({{"pointer", h.pointer}, {"reason", h.reason}});
    std::size_t to_send = c.whole_case_held || !c.ehr.contains("actions") ? 0 : c.ehr["actions"].size();
    cases.push_back({{"caseRef", c.case_ref},
                     {"actionsToEhr", to_send},
                     {"carePlan", c.HasActionsToSend()},
                     {"held", held}});
  }
  const auto& a = sep->agreement;
  report.json = {
      {"valid", true},
      {"sessionId", s.session_id},
      {"organisation", s.organisation},
      {"type", s.type},
      {"status", s.status},
      {"template", s.template_name},
      {"fields", fields},
      {"counts", counts},
      {"agreement",
       {{"applicable", a.applicable}, {"agreed", a.agreed}, {"agreedAt", a.agreed_at ? json(*a.agreed_at) : json()},
        {"awaiting", a.awaiting}, {"cite", a.cite}}},
      {"practitionerRecordAbout", sep->practitioner_about ? json(*sep->practitioner_about) : json()},
      {"ehrRelease", {{"now", sep->release_to_ehr}, {"reason", sep->release_reason}}},
      {"cases", cases},
  };
  return report;
}

std::string RenderExplainText(const ExplainReport& report) {
  std::ostringstream out;
  const json& j = report.json;
  if (!report.valid) {
    out << "REJECTED: " << j["errors"].size() << " problem(s)\n";
    for (const auto& e : j["errors"]) {
      out << "  " << (e["pointer"].get<std::string>().empty() ? "(record)" : e["pointer"].get<std::string>())
          << ": " << e["reason"].get<std::string>() << "\n";
    }
    return out.str();
  }
  out << "Session " << j["sessionId"].get<std::string>() << " — " << j["organisation"].get<std::string>()
      << ", " << j["type"].get<std::string>() << ", " << j["status"].get<std::string>() << ", template "
      << j["template"].get<std::string>() << "\n\n";
  std::size_t w = 10;
  for (const auto& f : j["fields"]) w = std::max(w, f["pointer"].get<std::string>().size() + 2);
  out << Pad("FIELD", w) << Pad("HOME", 14) << Pad("RULE", 7) << Pad("CLAUSE", 24) << "WHY\n";
  for (const auto& f : j["fields"]) {
    std::string why = f["why"].get<std::string>();
    if (f["null"].get<bool>()) why += " (empty)";
    out << Pad(f["pointer"].get<std::string>(), w) << Pad(f["home"].get<std::string>(), 14)
        << Pad(f["rule"].get<std::string>(), 7) << Pad(f["cite"].get<std::string>(), 24) << why << "\n";
  }
  const json& c = j["counts"];
  out << "\nFields per home: EHR " << c["ehr"] << ", confidential store " << c["confidential"]
      << ", practitioner record " << c["practitioner"] << ", register " << c["register"] << "\n";
  const json& a = j["agreement"];
  if (!a["applicable"].get<bool>()) {
    out << "Agreement: not applicable\n";
  } else if (a["agreed"].get<bool>()) {
    out << "Agreement: agreed at " << a["agreedAt"].get<std::string>() << " (RS-8, " << a["cite"].get<std::string>() << ")\n";
  } else {
    out << "Agreement: awaiting signatures from";
    for (const auto& id : a["awaiting"]) out << " " << id.get<std::string>();
    out << " (RS-8, " << a["cite"].get<std::string>() << ")\n";
  }
  if (!j["practitionerRecordAbout"].is_null()) {
    out << "Practitioner record about: " << j["practitionerRecordAbout"].get<std::string>() << " (RS-7)\n";
  }
  out << "EHR release now: " << (j["ehrRelease"]["now"].get<bool>() ? "yes" : "no") << " — "
      << j["ehrRelease"]["reason"].get<std::string>() << "\n";
  for (const auto& cs : j["cases"]) {
    out << "Case " << cs["caseRef"].get<std::string>() << ": "
        << (cs["carePlan"].get<bool>() ? "one CarePlan with " + std::to_string(cs["actionsToEhr"].get<int>()) + " Task(s)"
                                       : std::string("no CarePlan (no action to send)"))
        << "\n";
    for (const auto& h : cs["held"]) {
      out << "  HELD " << h["pointer"].get<std::string>() << ": " << h["reason"].get<std::string>() << "\n";
    }
  }
  return out.str();
}

}  // namespace sa::adapter
