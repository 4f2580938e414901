#include "fhir/http.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace sa::fhir {

const char* HttpMethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet: return "GET";
    case HttpMethod::kPost: return "POST";
    case HttpMethod::kPut: return "PUT";
    case HttpMethod::kPatch: return "PATCH";
    case HttpMethod::kDelete: return "DELETE";
  }
  return "GET";
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void HttpHeaders::Set(std::string_view name, std::string_view value) {
  Remove(name);
  Add(name, value);
}

void HttpHeaders::Add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

std::optional<std::string> HttpHeaders::Get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

void HttpHeaders::Remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& f) { return EqualsIgnoreCase(f.first, name); });
}

namespace {

void CheckReadable(const std::string& path, const char* what, std::string& problems) {
  if (path.empty()) return;
  std::ifstream in(path);
  if (!in.good()) problems += std::string(what) + " '" + path + "' is not readable; ";
}

}  // namespace

Status ValidateTransportOptions(const TransportOptions& options) {
  std::string problems;
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    problems += "client_cert_file and client_key_file must be set together; ";
  }
  CheckReadable(options.ca_file, "ca_file", problems);
  CheckReadable(options.client_cert_file, "client_cert_file", problems);
  CheckReadable(options.client_key_file, "client_key_file", problems);
  if (options.connect_timeout.count() <= 0) problems += "connect_timeout must be positive; ";
  if (options.request_timeout.count() <= 0) problems += "request_timeout must be positive; ";
  if (options.max_response_bytes == 0) problems += "max_response_bytes must be positive; ";
  if (problems.empty()) return Status::Ok();
  problems.resize(problems.size() - 2);
  return Status::InvalidArgument("transport options: " + problems);
}

}  // namespace sa::fhir
