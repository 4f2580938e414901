// A member of staff as the reports show them: id, name and role only (no
// registration numbers; the register and agreements need no more).
#ifndef SA_ADAPTER_REPORTS_STAFF_H_
#define SA_ADAPTER_REPORTS_STAFF_H_

#include <nlohmann/json.hpp>
#include <string>

namespace sa::adapter::reports {

struct Staff {
  std::string id, name, role;
  bool operator==(const Staff&) const = default;
};

// {"id", "name", "role"}.
nlohmann::json StaffToJson(const Staff& staff);

// Reads {"id", "name", "role"} leniently from stored JSON (the register entry,
// a stored agreement): missing or non-string members become "".
Staff StaffFromStoredJson(const nlohmann::json& value);

}  // namespace sa::adapter::reports

#endif  // SA_ADAPTER_REPORTS_STAFF_H_
