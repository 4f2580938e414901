// Discussion-form templates as data (mappings/data/templates/*.json).
//
// A template fixes which keys a case's `discussion` may hold and classifies
// each key to a home. The class is what the separation engine routes by: a
// key without a class cannot be loaded, so no discussion field is ever routed
// by default.
#ifndef SA_MAPPINGS_TEMPLATE_H_
#define SA_MAPPINGS_TEMPLATE_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fhir/status.h"
#include "mappings/home.h"

namespace sa::mappings {

struct TemplateField {
  std::string key;
  std::string label;  // the prompt on the policy's own form
  Home home;          // from "class": discussion -> confidential, practitioner -> practitioner
  std::string cite;   // clause the key and its label come from
};

struct Template {
  std::string name;
  std::string title;
  std::string source;
  std::vector<TemplateField> fields;

  // The field with `key`, or nullptr.
  const TemplateField* Find(const std::string& key) const;
};

// Parses and validates one template document. `origin` (a file name) prefixes
// every error so a bad file is a start-up error naming the file and key.
StatusOr<Template> ParseTemplate(const nlohmann::json& doc, const std::string& origin);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_TEMPLATE_H_
