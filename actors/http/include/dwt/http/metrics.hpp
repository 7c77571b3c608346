#pragma once
/// @file
/// A small Prometheus registry: counters, gauges and fixed-bucket
/// histograms, each a family keyed by label values, rendered in the text
/// exposition format (version 0.0.4).
///
/// Threading: everything is thread-safe. Looking up a labelled child takes
/// the family's mutex; updating a child is lock-free (atomics). References
/// returned by `with` stay valid for the registry's lifetime, so hot paths
/// may cache them.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace dwt::http {

/// Content type of `metrics_registry::render()`.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4";

/// A monotonically increasing value.
class counter {
public:
  void inc(double v = 1.0) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

/// A value that goes up and down.
class gauge {
public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1.0) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1.0) noexcept { value_.fetch_sub(v, std::memory_order_relaxed); }
  [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

/// Observations counted into fixed, cumulative buckets.
class histogram {
public:
  /// `bounds` must be sorted ascending; `+Inf` is implicit.
  explicit histogram(std::vector<double> bounds);

  void observe(double v) noexcept;

  [[nodiscard]] const std::vector<double>& bounds() const noexcept { return bounds_; }
  /// Non-cumulative count of bucket `i` (i == bounds().size() is +Inf).
  [[nodiscard]] std::uint64_t bucket_count(std::size_t i) const noexcept;
  [[nodiscard]] std::uint64_t count() const noexcept;
  [[nodiscard]] double sum() const noexcept;

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0.0};
};

/// Default latency buckets, in seconds (0.5 ms .. 10 s).
[[nodiscard]] std::vector<double> default_latency_buckets();

/// A histogram bucket bound as a `le` label value: plain decimal, the
/// shortest that reads back as `v` ("0.0005", "0.000016", "10"; never
/// "5e-04"), "+Inf" for infinity. Dashboards and recording rules match
/// `le` as text, so the form must not depend on the value's magnitude.
[[nodiscard]] std::string format_bucket_bound(double v);

namespace detail {
/// Common part of every family: name, help, label names, rendering.
class family_base {
public:
  family_base(std::string name, std::string help, std::vector<std::string> labels);
  family_base(const family_base&) = delete;
  family_base& operator=(const family_base&) = delete;
  virtual ~family_base() = default;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// Appends `# HELP`, `# TYPE` and every sample.
  virtual void render(std::string& out) const = 0;

protected:
  void check_arity(std::size_t n) const;
  /// `{a="x",b="y"}` (with an optional extra label), or "".
  [[nodiscard]] std::string label_text(const std::vector<std::string>& values,
                                       std::string_view extra_name = {},
                                       std::string_view extra_value = {}) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> labels_;
  mutable std::mutex mutex_;
};
} // namespace detail

/// A family of metrics of type `Metric` distinguished by label values.
template <class Metric>
class family final : public detail::family_base {
public:
  family(std::string name, std::string help, std::vector<std::string> labels,
         std::vector<double> buckets = {})
      : family_base(std::move(name), std::move(help), std::move(labels)),
        buckets_(std::move(buckets)) {}

  /// The child for these label values (one per label name, in order);
  /// created on first use. Aborts on a wrong number of values.
  Metric& with(const std::vector<std::string>& values);
  Metric& with(std::initializer_list<std::string_view> values) {
    return with(std::vector<std::string>(values.begin(), values.end()));
  }

  void render(std::string& out) const override;

private:
  std::vector<double> buckets_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

using counter_family = family<counter>;
using gauge_family = family<gauge>;
using histogram_family = family<histogram>;

/// Owns families and renders them all.
class metrics_registry {
public:
  metrics_registry() = default;
  metrics_registry(const metrics_registry&) = delete;
  metrics_registry& operator=(const metrics_registry&) = delete;

  /// The family with this name, created on first use. Asking again for the
  /// same name returns the same family; a different type aborts.
  counter_family& counter(const std::string& name, const std::string& help,
                          std::vector<std::string> labels = {});
  gauge_family& gauge(const std::string& name, const std::string& help,
                      std::vector<std::string> labels = {});
  histogram_family& histogram(const std::string& name, const std::string& help,
                              std::vector<std::string> labels = {},
                              std::vector<double> buckets = default_latency_buckets());

  /// The text exposition of every family, in registration order.
  [[nodiscard]] std::string render() const;

private:
  template <class F, class... Args>
  F& get_or_add(const std::string& name, Args&&... args);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<detail::family_base>> families_;
};

} // namespace dwt::http

namespace dwt::http {
extern template class family<counter>;
extern template class family<gauge>;
extern template class family<histogram>;
} // namespace dwt::http
