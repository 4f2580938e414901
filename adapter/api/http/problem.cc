#include "adapter/api/http/problem.h"

#include <nlohmann/json.hpp>

namespace sa::adapter::api {

HttpResponse Problem(int status, std::string title, std::string detail,
                     const std::vector<std::pair<std::string, std::string>>& errors,
                     std::string type) {
  nlohmann::json body = {
      {"type", std::move(type)}, {"title", std::move(title)}, {"status", status}};
  if (!detail.empty()) body["detail"] = std::move(detail);
  if (!errors.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [pointer, reason] : errors) {
      list.push_back({{"pointer", pointer}, {"reason", reason}});
    }
    body["errors"] = std::move(list);
  }
  HttpResponse response = HttpResponse::Json(status, body);
  response.content_type = kProblemContentType;
  return response;
}

HttpResponse FromStatus(const Status& status) {
  int http = 500;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      http = 422;
      break;
    case StatusCode::kNotFound:
      http = 404;
      break;
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
      http = 409;
      break;
    case StatusCode::kPermissionDenied:
      http = 403;
      break;
    case StatusCode::kUnavailable:
      http = 503;
      break;
    default:
      break;
  }
  if (http == 500) return Problem(500, ReasonPhrase(500), kInternalErrorDetail);
  return Problem(http, ReasonPhrase(http), status.message());
}

}  // namespace sa::adapter::api
