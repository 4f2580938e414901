#include "adapter/api/http/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace sa::adapter::api {
namespace {

TEST(HttpMetricsTest, CounterExposition) {
  MetricsRegistry registry;
  Counter& c = registry.AddCounter("http_requests_total", "HTTP requests.", {"route", "status"});
  c.Inc({"/v1/a", "200"});
  c.Inc({"/v1/a", "200"}, 2);
  c.Inc({"/v1/\"q\"\\\n", "500"});
  EXPECT_EQ(c.Value({"/v1/a", "200"}), 3);
  EXPECT_EQ(registry.Render(),
            "# HELP http_requests_total HTTP requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{route=\"/v1/\\\"q\\\"\\\\\\n\",status=\"500\"} 1\n"
            "http_requests_total{route=\"/v1/a\",status=\"200\"} 3\n");
}

TEST(HttpMetricsTest, GaugesSetAndReadAtScrape) {
  MetricsRegistry registry;
  Gauge& g = registry.AddGauge("queue_depth", "Rows waiting.\nSecond line \\ ok");
  g.Set({}, 5);
  g.Add({}, -1.5);
  int calls = 0;
  registry.AddGaugeCallback("uptime_seconds", "Up.", [&] { return ++calls * 1.0; });
  std::string text = registry.Render();
  EXPECT_NE(text.find("# HELP queue_depth Rows waiting.\\nSecond line \\\\ ok\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE queue_depth gauge\nqueue_depth 3.5\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE uptime_seconds gauge\nuptime_seconds 1\n"), std::string::npos);
  EXPECT_NE(registry.Render().find("uptime_seconds 2\n"), std::string::npos);
}

TEST(HttpMetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  Histogram& h = registry.AddHistogram("d_seconds", "Durations.", {1, 0.125, 0.5, 0.5}, {"route"});
  for (double v : {0.0625, 0.125, 0.25, 2.0}) h.Observe({"/x"}, v);
  EXPECT_EQ(h.Count({"/x"}), 4u);
  EXPECT_EQ(registry.Render(),
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{route=\"/x\",le=\"0.125\"} 2\n"
            "d_seconds_bucket{route=\"/x\",le=\"0.5\"} 3\n"
            "d_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "d_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{route=\"/x\"} 2.4375\n"
            "d_seconds_count{route=\"/x\"} 4\n");
}

TEST(HttpMetricsTest, SameNameSameKindIsShared) {
  MetricsRegistry registry;
  Counter& a = registry.AddCounter("x_total", "X.");
  Counter& b = registry.AddCounter("x_total", "X.");
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(registry.Render(), "# HELP x_total X.\n# TYPE x_total counter\nx_total 0\n");
}

TEST(HttpMetricsTest, ValuesFormat) {
  EXPECT_EQ(FormatMetricValue(3), "3");
  EXPECT_EQ(FormatMetricValue(0.005), "0.005");
  EXPECT_EQ(FormatMetricValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatMetricValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
}

TEST(HttpMetricsTest, ConcurrentIncrementsAreCounted) {
  MetricsRegistry registry;
  Counter& c = registry.AddCounter("n_total", "N.", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) c.Inc({"a"});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value({"a"}), 4000);
}

}  // namespace
}  // namespace sa::adapter::api
