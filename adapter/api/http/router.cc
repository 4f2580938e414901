#include "adapter/api/http/router.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "adapter/api/http/ascii.h"
#include "adapter/api/http/problem.h"
#include "adapter/api/http/url_codec.h"

namespace sa::adapter::api {
namespace {

// Splits "/a/b" into {"a", "b"}; "/" into {}. Empty segments are kept, so
// "/a//b" and "/a/" never match a pattern (segments match exactly).
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path == "/") return out;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsParamName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  auto fail = [&](const std::string& why) {
    if (status_.ok())
      status_ = Status::InvalidArgument("route " + method + " " + pattern + ": " + why);
  };
  if (!IsToken(method)) return fail("the method is not a token");
  if (!handler) return fail("no handler");
  if (pattern.empty() || pattern[0] != '/') return fail("the pattern must start with '/'");
  Route route{method, pattern, {}, std::move(handler)};
  std::set<std::string> names;
  for (std::string_view seg : SplitPath(pattern)) {
    if (seg.empty()) return fail("empty segment");
    bool open = seg.front() == '{', close = seg.back() == '}';
    if (open && close && seg.size() >= 2) {
      std::string name(seg.substr(1, seg.size() - 2));
      if (!IsParamName(name)) return fail("bad parameter name");
      if (!names.insert(name).second) return fail("parameter '" + name + "' repeated");
      route.segments.push_back({true, name});
    } else if (seg.find_first_of("{}?#%") != std::string_view::npos) {
      return fail("a literal segment may not hold '{', '}', '?', '#' or '%'");
    } else {
      route.segments.push_back({false, std::string(seg)});
    }
  }
  for (const Route& r : routes_) {
    if (r.method != route.method || r.segments.size() != route.segments.size()) continue;
    bool same_shape = true;
    for (size_t i = 0; i < r.segments.size() && same_shape; ++i) {
      const Segment& a = r.segments[i];
      const Segment& b = route.segments[i];
      same_shape = a.param == b.param && (a.param || a.text == b.text);
    }
    if (same_shape) return fail("clashes with " + r.method + " " + r.pattern);
  }
  routes_.push_back(std::move(route));
}

const Router::Handler* Router::Match(HttpRequest& request, HttpResponse* error) const {
  std::string_view raw =
      request.target.empty() ? std::string_view(request.path) : std::string_view(request.target);
  raw = raw.substr(0, raw.find('?'));
  std::vector<std::string> decoded;
  for (std::string_view seg : SplitPath(raw)) {
    std::optional<std::string> d = PercentDecode(seg, false);
    if (!d) {
      *error = Problem(400, ReasonPhrase(400), "the path has a malformed percent-escape");
      return nullptr;
    }
    decoded.push_back(std::move(*d));
  }
  // Best route for the method, by specificity: the first segment where two
  // candidates differ is a literal in the better one.
  const Route* best = nullptr;
  std::set<std::string> allowed;
  auto more_specific = [](const Route& a, const Route& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].param != b.segments[i].param) return !a.segments[i].param;
    }
    return false;
  };
  for (const Route& r : routes_) {
    if (r.segments.size() != decoded.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < decoded.size() && ok; ++i) {
      const Segment& s = r.segments[i];
      ok = s.param ? !decoded[i].empty() : s.text == decoded[i];
    }
    if (!ok) continue;
    allowed.insert(r.method);
    if (r.method == request.method && (!best || more_specific(r, *best))) best = &r;
  }
  if (!best) {
    if (allowed.empty()) {
      *error = Problem(404, ReasonPhrase(404), "no resource at this path");
    } else {
      *error = Problem(405, ReasonPhrase(405), "this path does not support the method");
      std::string allow;
      for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      error->headers.emplace_back("Allow", allow);
    }
    return nullptr;
  }
  request.route = best->pattern;
  request.path_params.clear();
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (best->segments[i].param) request.path_params[best->segments[i].text] = decoded[i];
  }
  return &best->handler;
}

HttpResponse Router::Dispatch(HttpRequest& request) const {
  HttpResponse error;
  const Handler* handler = Match(request, &error);
  if (!handler) return error;
  return (*handler)(request);
}

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace sa::adapter::api
