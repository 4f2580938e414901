#include "adapter/reports/staff.h"

namespace sa::adapter::reports {

using nlohmann::json;

json StaffToJson(const Staff& staff) {
  return {{"id", staff.id}, {"name", staff.name}, {"role", staff.role}};
}

Staff StaffFromStoredJson(const json& value) {
  Staff s;
  if (!value.is_object()) return s;
  auto text = [&](const char* key) {
    auto it = value.find(key);
    return it != value.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  s.id = text("id");
  s.name = text("name");
  s.role = text("role");
  return s;
}

}  // namespace sa::adapter::reports
