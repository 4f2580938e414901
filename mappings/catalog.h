// The catalog: every template, policy profile and the field table the
// adapter runs with, loaded and cross-checked once at start-up.
//
// Built-ins come from the data compiled into the binary; an organisation adds
// its own profile (or template) as a file named in the configuration, without
// recompiling. Any problem is a start-up error naming the file and the key.
#ifndef SA_MAPPINGS_CATALOG_H_
#define SA_MAPPINGS_CATALOG_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fhir/status.h"
#include "mappings/field_table.h"
#include "mappings/profile.h"
#include "mappings/template.h"

namespace sa::mappings {

struct CatalogOptions {
  // Built-in codes ("EPUT") or profile files ("profiles/our-trust.json",
  // resolved against base_dir). Empty: every built-in profile.
  std::vector<std::string> profiles;
  // Extra template files, resolved against base_dir.
  std::vector<std::string> template_files;
  std::string base_dir = ".";
};

class Catalog {
 public:
  // Loads and validates everything `options` names.
  static StatusOr<std::shared_ptr<const Catalog>> Load(const CatalogOptions& options);

  const Template* FindTemplate(const std::string& name) const;
  const Profile* FindProfile(const std::string& code) const;
  const FieldTable& fields() const { return fields_; }
  std::vector<std::string> ProfileCodes() const;
  std::vector<std::string> TemplateNames() const;

 private:
  std::map<std::string, Template> templates_;
  std::map<std::string, Profile> profiles_;
  FieldTable fields_;
};

// Names of the built-in profiles and templates, from the embedded data.
std::vector<std::string> BuiltInProfileCodes();
std::vector<std::string> BuiltInTemplateNames();

// Reads a whole file (for data and configuration files). Errors name the path.
StatusOr<std::string> ReadTextFile(const std::string& path);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_CATALOG_H_
