// Internal to adapter/service/disclosure*.cc: the vocabulary and id shapes
// shared by the workflow (disclosure.cc) and the request parser and views
// (disclosure_request.cc). Not for other callers.
#ifndef SA_ADAPTER_SERVICE_DISCLOSURE_INTERNAL_H_
#define SA_ADAPTER_SERVICE_DISCLOSURE_INTERNAL_H_

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sa::adapter::service::disclosure_internal {

inline constexpr char kDiscussion[] = "discussion";
inline constexpr char kPractitioner[] = "practitioner";
inline constexpr char kIdPrefix[] = "D-";
inline constexpr std::size_t kIdHexDigits = 16;

// "D-" and 16 lower-case hex digits.
inline bool LooksLikeDisclosureId(std::string_view id) {
  if (id.size() != 2 + kIdHexDigits || id.substr(0, 2) != kIdPrefix) return false;
  return std::all_of(id.begin() + 2, id.end(),
                     [](char c) { return std::isdigit(c) || (c >= 'a' && c <= 'f'); });
}

inline bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace sa::adapter::service::disclosure_internal

#endif  // SA_ADAPTER_SERVICE_DISCLOSURE_INTERNAL_H_
