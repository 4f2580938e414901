#include "adapter/api/http/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

namespace sa::adapter::api {
namespace {

std::mutex& SinkMutex() {
  static std::mutex* const mu = new std::mutex;
  return *mu;
}

std::shared_ptr<const LogSink>& Sink() {
  static auto* const sink = new std::shared_ptr<const LogSink>;
  return *sink;
}

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  long ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

}  // namespace

std::string LogLine(std::string_view level, std::string_view request_id,
                    const nlohmann::json& fields) {
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = NowRfc3339();
  line["level"] = std::string(level);
  line["requestId"] = std::string(request_id);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (!line.contains(it.key())) line[it.key()] = it.value();
    }
  } else if (!fields.is_null()) {
    line["data"] = fields;
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void LogJson(std::string_view level, std::string_view request_id, const nlohmann::json& fields) {
  WriteLogLine(LogLine(level, request_id, fields));
}

void SetLogSink(LogSink sink) {
  std::lock_guard<std::mutex> lock(SinkMutex());
  Sink() = sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr;
}

void WriteLogLine(const std::string& line) {
  std::shared_ptr<const LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(SinkMutex());
    sink = Sink();
  }
  if (sink) {
    (*sink)(line);
    return;
  }
  // One fwrite per line: stdio locks the stream, so lines never interleave.
  std::string with_newline = line + "\n";
  std::fwrite(with_newline.data(), 1, with_newline.size(), stderr);
}

}  // namespace sa::adapter::api
