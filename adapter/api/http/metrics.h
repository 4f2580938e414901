// A small thread-safe metrics registry rendered in the Prometheus text
// exposition format 0.0.4: counters and gauges with labels, gauges read at
// scrape time, histograms with fixed buckets. Enough for /metrics without a
// client library.
#ifndef SA_ADAPTER_API_HTTP_METRICS_H_
#define SA_ADAPTER_API_HTTP_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sa::adapter::api {

// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

// The Content-Type of Render()'s output.
inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// One metric family: a name, help text, label names and its series.
class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  const std::string& name() const { return name_; }
  // Appends the "# HELP", "# TYPE" and sample lines of this family.
  virtual void Render(std::string* out) const = 0;

 protected:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names);
  // True when `values` has one value per label name (a mismatch is a bug:
  // the sample is dropped and a debug build asserts).
  bool Arity(const LabelValues& values) const;
  // "# HELP ...\n# TYPE ...\n".
  void RenderHeader(const char* type, std::string* out) const;
  // `name{a="x",b="y"} value\n`, with `extra` (e.g. le="0.5") appended.
  void RenderSample(const std::string& name, const LabelValues& values, const std::string& extra,
                    double value, std::string* out) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  mutable std::mutex mu_;
};

// A value that only goes up (requests served).
class Counter : public MetricFamily {
 public:
  // Adds `delta` (>= 0; negative deltas are ignored) to the series `labels`.
  void Inc(const LabelValues& labels = {}, double delta = 1.0);
  // The series' value; 0 when never incremented.
  double Value(const LabelValues& labels = {}) const;
  void Render(std::string* out) const override;

 private:
  friend class MetricsRegistry;
  using MetricFamily::MetricFamily;
  std::map<LabelValues, double> values_;
};

// A value that goes up and down, set by the code (queue depth).
class Gauge : public MetricFamily {
 public:
  // Sets the series `labels` to `value`.
  void Set(const LabelValues& labels, double value);
  // Adds `delta` (may be negative) to the series `labels`.
  void Add(const LabelValues& labels, double delta);
  // The series' value; 0 when never set.
  double Value(const LabelValues& labels = {}) const;
  void Render(std::string* out) const override;

 private:
  friend class MetricsRegistry;
  using MetricFamily::MetricFamily;
  std::map<LabelValues, double> values_;
};

// Observations counted into fixed upper bounds (durations).
class Histogram : public MetricFamily {
 public:
  // Records one observation in the series `labels`.
  void Observe(const LabelValues& labels, double value);
  // How many observations the series has.
  std::uint64_t Count(const LabelValues& labels = {}) const;
  void Render(std::string* out) const override;

 private:
  friend class MetricsRegistry;
  Histogram(std::string name, std::string help, std::vector<std::string> label_names,
            std::vector<double> bounds);
  struct Series {
    std::vector<std::uint64_t> buckets;  // per bound, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  const std::vector<double> bounds_;  // ascending, without +Inf
  std::map<LabelValues, Series> series_;
};

class MetricsRegistry {
 public:
  // Default request-duration buckets, in seconds (Prometheus' defaults).
  static const std::vector<double>& DefaultDurationBuckets();

  // Each Add* returns the family named `name`, creating it on first use, so
  // two servers can share one registry. Names follow Prometheus
  // ([a-zA-Z_:][a-zA-Z0-9_:]*, label names without ':', no "__" prefix). A bad
  // name, or a name already used by another kind, is a bug: the family is
  // returned but never rendered (and a debug build asserts). Thread-safe;
  // the reference lives as long as the registry.
  Counter& AddCounter(const std::string& name, const std::string& help,
                      std::vector<std::string> label_names = {});
  Gauge& AddGauge(const std::string& name, const std::string& help,
                  std::vector<std::string> label_names = {});
  // A gauge without labels whose value is `read()` at each Render (e.g. the
  // server's in-flight count). `read` must not call into this registry.
  void AddGaugeCallback(const std::string& name, const std::string& help,
                        std::function<double()> read);
  // `bounds` are sorted and de-duplicated; +Inf is implied.
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds, std::vector<std::string> label_names = {});

  // Every family in the order added, in the text format (kMetricsContentType).
  std::string Render() const;

 private:
  template <typename T>
  T& Register(const std::string& name, std::vector<std::string> label_names,
              std::function<std::unique_ptr<T>()> make);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<MetricFamily>> families_;  // rendered
  std::vector<std::unique_ptr<MetricFamily>> rejected_;  // bad or clashing: kept, not rendered
};

// `value` as the text format writes it: "+Inf", "-Inf", "NaN", integers
// without a fraction, other values in the shortest exact form.
std::string FormatMetricValue(double value);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_METRICS_H_
