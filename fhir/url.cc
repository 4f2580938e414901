#include "fhir/url.h"

#include <cctype>
#include <charconv>

namespace sa::fhir {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// Characters RFC 3986 allows somewhere in a URI (reserved + unreserved).
bool IsUriChar(unsigned char c) {
  if (IsUnreserved(c)) return true;
  switch (c) {
    case ':': case '/': case '?': case '#': case '[': case ']': case '@':
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*':
    case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendEscaped(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0x0F];
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string PercentEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (IsUnreserved(c)) {
      out += static_cast<char>(c);
    } else {
      AppendEscaped(out, c);
    }
  }
  return out;
}

StatusOr<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) {
        return Status::InvalidArgument("truncated percent escape");
      }
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return Status::InvalidArgument("bad percent escape");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += PercentEncode(name);
    out += '=';
    out += PercentEncode(value);
  }
  return out;
}

std::string EncodeUnsafeUriBytes(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  for (size_t i = 0; i < url.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(url[i]);
    bool valid_escape = c == '%' && i + 2 < url.size() && HexValue(url[i + 1]) >= 0 &&
                        HexValue(url[i + 2]) >= 0;
    if (IsUriChar(c) || valid_escape) {
      out += static_cast<char>(c);
    } else {
      AppendEscaped(out, c);
    }
  }
  return out;
}

std::string UrlParts::Origin() const {
  std::string out = scheme + "://" + host;
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

std::string UrlParts::PathAndQuery() const {
  return query.empty() ? path : path + "?" + query;
}

StatusOr<UrlParts> ParseUrl(std::string_view url) {
  UrlParts parts;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return Status::InvalidArgument("URL is not absolute");
  parts.scheme = Lower(url.substr(0, colon));
  if (parts.scheme != "http" && parts.scheme != "https") {
    return Status::InvalidArgument("URL scheme must be http or https");
  }
  std::string_view rest = url.substr(colon + 3);
  if (rest.find('#') != std::string_view::npos) {
    return Status::InvalidArgument("URL must not carry a fragment");
  }
  size_t auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view path_query = auth_end == std::string_view::npos ? "" : rest.substr(auth_end);
  if (authority.empty()) return Status::InvalidArgument("URL has no host");
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("URL must not carry user credentials");
  }
  std::string_view host = authority;
  std::string_view port_text;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("bad IPv6 literal");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::InvalidArgument("bad authority");
      port_text = after.substr(1);
    }
  } else if (size_t p = authority.rfind(':'); p != std::string_view::npos) {
    host = authority.substr(0, p);
    port_text = authority.substr(p + 1);
  }
  if (host.empty()) return Status::InvalidArgument("URL has no host");
  parts.host = Lower(host);
  parts.port = parts.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return Status::InvalidArgument("bad port in URL");
    }
    parts.port = port;
  }
  size_t q = path_query.find('?');
  parts.path = std::string(path_query.substr(0, q));
  if (q != std::string_view::npos) parts.query = std::string(path_query.substr(q + 1));
  if (parts.path.empty()) parts.path = "/";
  return parts;
}

bool SameOrigin(std::string_view a, std::string_view b) {
  StatusOr<UrlParts> pa = ParseUrl(a);
  StatusOr<UrlParts> pb = ParseUrl(b);
  if (!pa.ok() || !pb.ok()) return false;
  return pa->scheme == pb->scheme && pa->host == pb->host && pa->port == pb->port;
}

std::string JoinUrl(std::string_view base, std::string_view relative) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  if (relative.empty()) return std::string(base);
  std::string out(base);
  out += '/';
  out += relative;
  return out;
}

}  // namespace sa::fhir
