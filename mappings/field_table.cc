#include "mappings/field_table.h"

#include <regex>

#include "mappings/json_reader.h"

namespace sa::mappings {

using nlohmann::json;

std::vector<std::string> SplitPointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  std::size_t pos = 1;
  while (true) {
    std::size_t next = pointer.find('/', pos);
    std::string raw = pointer.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return tokens;
}

StatusOr<FieldTable> FieldTable::Parse(const json& doc, const std::string& origin) {
  FieldErrors errors;
  ObjectReader r(doc, "", &errors);
  r.Enum("schema", Presence::kRequired, {"supervision-fields/1"});
  r.String("description", Presence::kOptional);
  FieldTable table;
  static const std::regex kRule("RS-(1[0-2]|[1-9])");
  if (const json* fields = r.Array("fields", Presence::kRequired)) {
    for (std::size_t i = 0; i < fields->size(); ++i) {
      ObjectReader f((*fields)[i], "/fields/" + std::to_string(i), &errors);
      FieldRule rule;
      rule.path = f.String("path", Presence::kRequired).value_or("");
      if (!rule.path.empty() && rule.path[0] != '/') errors.Add(f.Ptr("path"), "must be a JSON Pointer");
      rule.pattern = SplitPointer(rule.path);
      auto home = f.Enum("home", Presence::kRequired,
                         {"ehr", "confidential", "practitioner", "register", "template"});
      if (home && *home != "template") rule.home = ParseHome(*home);
      rule.rule = f.String("rule", Presence::kRequired).value_or("");
      if (!rule.rule.empty() && !std::regex_match(rule.rule, kRule)) {
        errors.Add(f.Ptr("rule"), "must be a rule id RS-1 .. RS-12");
      }
      rule.cite = f.String("cite", Presence::kRequired).value_or("");
      rule.why = f.String("why", Presence::kRequired).value_or("");
      rule.free_text = f.Bool("freeText", Presence::kOptional).value_or(!rule.home.has_value());
      f.RejectUnknown();
      for (const auto& other : table.rules_) {
        if (other.path == rule.path && !rule.path.empty()) errors.Add(f.Ptr("path"), "duplicate path");
      }
      table.rules_.push_back(std::move(rule));
    }
  }
  r.RejectUnknown();
  if (!errors.empty()) return Status::InvalidArgument(errors.Join(origin + ": "));
  return table;
}

const FieldRule* FieldTable::Match(const std::vector<std::string>& tokens) const {
  const FieldRule* best = nullptr;
  int best_wildcards = 0;
  for (const auto& rule : rules_) {
    if (rule.pattern.size() != tokens.size()) continue;
    int wildcards = 0;
    bool match = true;
    for (std::size_t i = 0; i < tokens.size() && match; ++i) {
      if (rule.pattern[i] == "*") ++wildcards;
      else match = rule.pattern[i] == tokens[i];
    }
    if (match && (!best || wildcards < best_wildcards)) {
      best = &rule;
      best_wildcards = wildcards;
    }
  }
  return best;
}

}  // namespace sa::mappings
