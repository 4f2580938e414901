// The data files of mappings/data (templates, profiles, field table), compiled
// into the binary so it runs on its embedded defaults with nothing beside it.
#ifndef SA_MAPPINGS_EMBEDDED_DATA_H_
#define SA_MAPPINGS_EMBEDDED_DATA_H_

#include <string_view>
#include <vector>

namespace sa::mappings {

struct EmbeddedFile {
  std::string_view path;     // relative to mappings/data, e.g. "profiles/EPUT.json"
  std::string_view content;
};

// Every embedded data file, sorted by path.
const std::vector<EmbeddedFile>& EmbeddedDataFiles();

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_EMBEDDED_DATA_H_
