#include "adapter/api/http/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>

namespace sa::adapter::api {
namespace {

bool IsMetricName(const std::string& s, bool allow_colon) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLabelName(const std::string& s) {
  return IsMetricName(s, false) && s.rfind("__", 0) != 0 && s != "le";
}

// Label values escape backslash, double quote and newline; HELP text only
// backslash and newline.
std::string Escape(const std::string& s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class CallbackGauge : public MetricFamily {
 public:
  CallbackGauge(std::string name, std::string help, std::function<double()> read)
      : MetricFamily(std::move(name), std::move(help), {}), read_(std::move(read)) {}
  void Render(std::string* out) const override {
    RenderHeader("gauge", out);
    RenderSample(name_, {}, "", read_ ? read_() : 0.0, out);
  }

 private:
  std::function<double()> read_;
};

}  // namespace

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

MetricFamily::MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

bool MetricFamily::Arity(const LabelValues& values) const {
  bool ok = values.size() == label_names_.size();
  assert(ok && "label values do not match the family's label names");
  return ok;
}

void MetricFamily::RenderHeader(const char* type, std::string* out) const {
  *out += "# HELP " + name_ + " " + Escape(help_, false) + "\n";
  *out += "# TYPE " + name_ + " " + type + "\n";
}

void MetricFamily::RenderSample(const std::string& name, const LabelValues& values,
                                const std::string& extra, double value, std::string* out) const {
  *out += name;
  if (!values.empty() || !extra.empty()) {
    *out += "{";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) *out += ",";
      *out += label_names_[i] + "=\"" + Escape(values[i], true) + "\"";
    }
    if (!extra.empty()) *out += (values.empty() ? "" : ",") + extra;
    *out += "}";
  }
  *out += " " + FormatMetricValue(value) + "\n";
}

void Counter::Inc(const LabelValues& labels, double delta) {
  if (!Arity(labels) || !(delta >= 0)) return;
  std::lock_guard<std::mutex> lock(mu_);
  values_[labels] += delta;
}

double Counter::Value(const LabelValues& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0.0 : it->second;
}

void Counter::Render(std::string* out) const {
  RenderHeader("counter", out);
  std::lock_guard<std::mutex> lock(mu_);
  if (values_.empty() && label_names_.empty()) RenderSample(name_, {}, "", 0, out);
  for (const auto& [labels, value] : values_) RenderSample(name_, labels, "", value, out);
}

void Gauge::Set(const LabelValues& labels, double value) {
  if (!Arity(labels)) return;
  std::lock_guard<std::mutex> lock(mu_);
  values_[labels] = value;
}

void Gauge::Add(const LabelValues& labels, double delta) {
  if (!Arity(labels)) return;
  std::lock_guard<std::mutex> lock(mu_);
  values_[labels] += delta;
}

double Gauge::Value(const LabelValues& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0.0 : it->second;
}

void Gauge::Render(std::string* out) const {
  RenderHeader("gauge", out);
  std::lock_guard<std::mutex> lock(mu_);
  if (values_.empty() && label_names_.empty()) RenderSample(name_, {}, "", 0, out);
  for (const auto& [labels, value] : values_) RenderSample(name_, labels, "", value, out);
}

Histogram::Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> bounds)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
      bounds_(std::move(bounds)) {}

void Histogram::Observe(const LabelValues& labels, double value) {
  if (!Arity(labels) || std::isnan(value)) return;
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series_[labels];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);  // first bound >= value
  if (it != bounds_.end()) ++s.buckets[it - bounds_.begin()];
  ++s.count;
  s.sum += value;
}

std::uint64_t Histogram::Count(const LabelValues& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::Render(std::string* out) const {
  RenderHeader("histogram", out);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [labels, s] : series_) {
    std::uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      RenderSample(name_ + "_bucket", labels, "le=\"" + FormatMetricValue(bounds_[i]) + "\"",
                   static_cast<double>(cumulative), out);
    }
    RenderSample(name_ + "_bucket", labels, "le=\"+Inf\"", static_cast<double>(s.count), out);
    RenderSample(name_ + "_sum", labels, "", s.sum, out);
    RenderSample(name_ + "_count", labels, "", static_cast<double>(s.count), out);
  }
}

const std::vector<double>& MetricsRegistry::DefaultDurationBuckets() {
  static const std::vector<double>* const kBuckets =
      new std::vector<double>{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *kBuckets;
}

template <typename T>
T& MetricsRegistry::Register(const std::string& name, std::vector<std::string> label_names,
                             std::function<std::unique_ptr<T>()> make) {
  std::lock_guard<std::mutex> lock(mu_);
  bool valid = IsMetricName(name, true);
  for (const std::string& l : label_names) valid = valid && IsLabelName(l);
  if (valid) {
    for (const auto& f : families_) {
      if (f->name() != name) continue;
      if (T* same = dynamic_cast<T*>(f.get())) return *same;
      valid = false;  // the name is taken by another kind
      break;
    }
  }
  assert(valid && "bad metric or label name, or a name used by another kind");
  std::unique_ptr<T> family = make();
  T& ref = *family;
  (valid ? families_ : rejected_).push_back(std::move(family));
  return ref;
}

Counter& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names) {
  return Register<Counter>(name, label_names, [&] {
    return std::unique_ptr<Counter>(new Counter(name, help, label_names));
  });
}

Gauge& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names) {
  return Register<Gauge>(name, label_names, [&] {
    return std::unique_ptr<Gauge>(new Gauge(name, help, label_names));
  });
}

void MetricsRegistry::AddGaugeCallback(const std::string& name, const std::string& help,
                                       std::function<double()> read) {
  Register<CallbackGauge>(
      name, {}, [&] { return std::make_unique<CallbackGauge>(name, help, std::move(read)); });
}

Histogram& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> bounds,
                                         std::vector<std::string> label_names) {
  bounds.erase(std::remove_if(bounds.begin(), bounds.end(),
                              [](double b) { return std::isnan(b) || std::isinf(b); }),
               bounds.end());
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return Register<Histogram>(name, label_names, [&] {
    return std::unique_ptr<Histogram>(new Histogram(name, help, label_names, bounds));
  });
}

std::string MetricsRegistry::Render() const {
  std::vector<const MetricFamily*> families;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& f : families_) families.push_back(f.get());
  }
  std::string out;
  for (const MetricFamily* f : families) f->Render(&out);
  return out;
}

}  // namespace sa::adapter::api
