#include "adapter/api/http/log.h"

#include <gtest/gtest.h>

#include <regex>

namespace sa::adapter::api {
namespace {

TEST(HttpLogTest, LineCarriesTsLevelAndRequestIdFirst) {
  std::string line = LogLine("info", "abc", {{"event", "x"}, {"requestId", "spoofed"}, {"n", 2}});
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["requestId"], "abc");  // fields cannot replace it
  EXPECT_EQ(j["event"], "x");
  EXPECT_EQ(j["n"], 2);
  EXPECT_TRUE(std::regex_match(j["ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(HttpLogTest, LogJsonGoesToTheProcessSink) {
  std::vector<std::string> lines;
  SetLogSink([&](const std::string& l) { lines.push_back(l); });
  LogJson("warn", "r1", {{"event", "e"}});
  SetLogSink(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["requestId"], "r1");
}

}  // namespace
}  // namespace sa::adapter::api
