// Shared helpers for the mappings tests: the built-in catalog and a valid
// session record to mutate.
#ifndef SA_MAPPINGS_TEST_SUPPORT_H_
#define SA_MAPPINGS_TEST_SUPPORT_H_

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mappings/catalog.h"

namespace sa::mappings::testing {

// The catalog of every built-in profile and template.
inline const Catalog& BuiltInCatalog() {
  static const std::shared_ptr<const Catalog> kCatalog = [] {
    auto c = Catalog::Load({});
    if (!c.ok()) ADD_FAILURE() << c.status().ToString();
    return c.ok() ? *c : nullptr;
  }();
  return *kCatalog;
}

// A file under the source tree, read whole.
inline std::string SourceFile(const std::string& relative) {
  auto text = ReadTextFile(std::string(SA_SOURCE_DIR) + "/" + relative);
  if (!text.ok()) ADD_FAILURE() << text.status().ToString();
  return text.ok() ? *text : std::string();
}

// A valid EPUT one-to-one SBAR session with one case and two actions.
inline nlohmann::json ValidRecord() {
  return nlohmann::json::parse(SourceFile("tests/data/valid-eput-sbar.json"));
}

}  // namespace sa::mappings::testing

#endif  // SA_MAPPINGS_TEST_SUPPORT_H_
