#include "mappings/template.h"

#include <set>

#include "mappings/json_reader.h"

namespace sa::mappings {

using nlohmann::json;

const TemplateField* Template::Find(const std::string& key) const {
  for (const auto& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

StatusOr<Template> ParseTemplate(const json& doc, const std::string& origin) {
  FieldErrors errors;
  ObjectReader r(doc, "", &errors);
  Template t;
  r.Enum("schema", Presence::kRequired, {"supervision-template/1"});
  t.name = r.String("name", Presence::kRequired).value_or("");
  if (!t.name.empty() && !LooksLikeFieldName(t.name)) {
    errors.Add("/name", "must be a short name of letters, digits, '-' or '_'");
  }
  t.title = r.String("title", Presence::kRequired).value_or("");
  t.source = r.String("source", Presence::kRequired).value_or("");
  if (const json* fields = r.Array("fields", Presence::kRequired)) {
    if (fields->empty()) errors.Add("/fields", "must list at least one field");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < fields->size(); ++i) {
      ObjectReader f((*fields)[i], "/fields/" + std::to_string(i), &errors);
      TemplateField tf;
      tf.key = f.String("key", Presence::kRequired).value_or("");
      if (!tf.key.empty() && !LooksLikeFieldName(tf.key)) {
        errors.Add(f.Ptr("key"), "must be a field name of letters, digits, '-' or '_'");
      }
      if (!tf.key.empty() && !seen.insert(tf.key).second) {
        errors.Add(f.Ptr("key"), "duplicate key");
      }
      tf.label = f.String("label", Presence::kRequired).value_or("");
      // Fail closed: the class decides the home, so it must be present and known.
      auto cls = f.Enum("class", Presence::kRequired, {"discussion", "practitioner"});
      tf.home = (cls && *cls == "practitioner") ? Home::kPractitioner : Home::kConfidential;
      tf.cite = f.String("cite", Presence::kRequired).value_or("");
      f.RejectUnknown();
      t.fields.push_back(std::move(tf));
    }
  }
  r.RejectUnknown();
  if (!errors.empty()) return Status::InvalidArgument(errors.Join(origin + ": "));
  return t;
}

}  // namespace sa::mappings
