// ASCII helpers for HTTP tokens (header names, methods, media types): HTTP's
// case-insensitivity is ASCII-only, so std::tolower's locale must not apply.
#ifndef SA_ADAPTER_API_HTTP_ASCII_H_
#define SA_ADAPTER_API_HTTP_ASCII_H_

#include <string>
#include <string_view>

namespace sa::adapter::api {

// `s` with A-Z mapped to a-z; other bytes unchanged.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// `s` without leading and trailing spaces and tabs (HTTP's OWS).
inline std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True for RFC 9110 "tchar", the characters of a token (method, header name).
inline bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// True when `s` is a non-empty token.
inline bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_ASCII_H_
