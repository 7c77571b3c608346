#include "dwt/http/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <typeinfo>

#include "check.hpp"

namespace dwt::http {

namespace {

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  DWT_HTTP_CHECK(ec == std::errc{}, "number formatting failed");
  out.append(buf, ptr);
}

void append_escaped(std::string& out, std::string_view v, bool quote_too) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote_too)
      out += "\\\"";
    else
      out += c;
  }
}

} // namespace

// -- histogram ----------------------------------------------------------------

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  DWT_HTTP_CHECK(std::is_sorted(bounds_.begin(), bounds_.end()), "histogram bounds unsorted");
}

void histogram::observe(double v) noexcept {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  const auto i = static_cast<std::size_t>(it - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t histogram::bucket_count(std::size_t i) const noexcept {
  return i <= bounds_.size() ? counts_[i].load(std::memory_order_relaxed) : 0;
}

std::uint64_t histogram::count() const noexcept {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    n += counts_[i].load(std::memory_order_relaxed);
  return n;
}

double histogram::sum() const noexcept {
  return sum_.load(std::memory_order_relaxed);
}

std::string format_bucket_bound(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  // Fixed notation without a precision: the shortest digits that round
  // trip, never an exponent (at most ~330 characters for the extremes).
  char buf[400];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  DWT_HTTP_CHECK(ec == std::errc{}, "bucket bound formatting failed");
  return std::string(buf, ptr);
}

std::vector<double> default_latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// -- family_base --------------------------------------------------------------

namespace detail {

family_base::family_base(std::string name, std::string help, std::vector<std::string> labels)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {}

void family_base::check_arity(std::size_t n) const {
  DWT_HTTP_CHECK(n == labels_.size(), "wrong number of label values");
}

std::string family_base::label_text(const std::vector<std::string>& values,
                                    std::string_view extra_name,
                                    std::string_view extra_value) const {
  if (values.empty() && extra_name.empty())
    return {};
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out += ',';
    out += labels_[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!values.empty())
      out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

} // namespace detail

// -- family -------------------------------------------------------------------

template <class Metric>
Metric& family<Metric>::with(const std::vector<std::string>& values) {
  check_arity(values.size());
  std::lock_guard lock{mutex_};
  auto it = children_.find(values);
  if (it == children_.end()) {
    std::unique_ptr<Metric> m;
    if constexpr (std::is_same_v<Metric, histogram>)
      m = std::make_unique<histogram>(buckets_);
    else
      m = std::make_unique<Metric>();
    it = children_.emplace(values, std::move(m)).first;
  }
  return *it->second;
}

template <class Metric>
void family<Metric>::render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_escaped(out, help_, false);
  out += "\n# TYPE ";
  out += name_;
  if constexpr (std::is_same_v<Metric, counter>)
    out += " counter\n";
  else if constexpr (std::is_same_v<Metric, gauge>)
    out += " gauge\n";
  else
    out += " histogram\n";
  std::lock_guard lock{mutex_};
  for (const auto& [values, m] : children_) {
    if constexpr (std::is_same_v<Metric, histogram>) {
      std::uint64_t cumulative = 0;
      const auto& bounds = m->bounds();
      for (std::size_t i = 0; i <= bounds.size(); ++i) {
        cumulative += m->bucket_count(i);
        const std::string le =
            i < bounds.size() ? format_bucket_bound(bounds[i]) : std::string{"+Inf"};
        out += name_;
        out += "_bucket";
        out += label_text(values, "le", le);
        out += ' ';
        out += std::to_string(cumulative);
        out += '\n';
      }
      out += name_;
      out += "_sum";
      out += label_text(values);
      out += ' ';
      append_number(out, m->sum());
      out += '\n';
      out += name_;
      out += "_count";
      out += label_text(values);
      out += ' ';
      out += std::to_string(cumulative);
      out += '\n';
    } else {
      out += name_;
      out += label_text(values);
      out += ' ';
      append_number(out, m->value());
      out += '\n';
    }
  }
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

// -- registry -----------------------------------------------------------------

template <class F, class... Args>
F& metrics_registry::get_or_add(const std::string& name, Args&&... args) {
  std::lock_guard lock{mutex_};
  for (auto& f : families_) {
    if (f->name() == name) {
      auto* typed = dynamic_cast<F*>(f.get());
      DWT_HTTP_CHECK(typed != nullptr, "metric registered twice with different types");
      return *typed;
    }
  }
  auto f = std::make_unique<F>(name, std::forward<Args>(args)...);
  F& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

counter_family& metrics_registry::counter(const std::string& name, const std::string& help,
                                          std::vector<std::string> labels) {
  return get_or_add<counter_family>(name, help, std::move(labels));
}

gauge_family& metrics_registry::gauge(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels) {
  return get_or_add<gauge_family>(name, help, std::move(labels));
}

histogram_family& metrics_registry::histogram(const std::string& name, const std::string& help,
                                              std::vector<std::string> labels,
                                              std::vector<double> buckets) {
  return get_or_add<histogram_family>(name, help, std::move(labels), std::move(buckets));
}

std::string metrics_registry::render() const {
  std::string out;
  std::lock_guard lock{mutex_};
  for (const auto& f : families_)
    f->render(out);
  return out;
}

} // namespace dwt::http
