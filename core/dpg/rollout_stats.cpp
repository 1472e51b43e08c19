// SPDX-License-Identifier: MIT
#include "core/dpg/rollout_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace dpg::engine {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double std_of(std::span<const double> v) {
  if (v.size() < 2) return 0.0;
  double mean = 0.0;
  for (double x : v) mean += x;
  mean /= double(v.size());
  double ss = 0.0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / double(v.size() - 1));
}
}  // namespace

double frac_zero_spread(std::span<const double> tau, int64_t group_size) {
  if (group_size < 1) return kNaN;
  const size_t g = size_t(group_size);
  const size_t groups = tau.size() / g;
  if (groups == 0) return kNaN;
  const double tolerance = 1e-6 * std_of(tau);
  size_t flat = 0;
  for (size_t k = 0; k < groups; ++k) {
    const auto group = tau.subspan(k * g, g);
    const auto [lo, hi] = std::minmax_element(group.begin(), group.end());
    flat += (*hi - *lo) <= tolerance;
  }
  return double(flat) / double(groups);
}

double quantile(std::span<const double> values, double q) {
  if (values.empty()) return kNaN;
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  const double at = std::clamp(q, 0.0, 1.0) * double(v.size() - 1);
  const size_t i = size_t(std::floor(at));
  const size_t j = std::min(i + 1, v.size() - 1);
  return v[i] + (at - double(i)) * (v[j] - v[i]);
}

void fill_rollout_stats(StepMetrics& m, std::span<const double> tau,
                        std::span<const double> advantage, int64_t group_size) {
  m.frac_zero_std = frac_zero_spread(tau, group_size);
  m.adv_min = quantile(advantage, 0.0);
  m.adv_q1 = quantile(advantage, 0.25);
  m.adv_median = quantile(advantage, 0.5);
  m.adv_q3 = quantile(advantage, 0.75);
  m.adv_max = quantile(advantage, 1.0);
}

void fill_rollout_stats(StepMetrics& m, const std::vector<Sample>& samples, int64_t group_size) {
  std::vector<double> tau, advantage;
  tau.reserve(samples.size());
  advantage.reserve(samples.size());
  for (const auto& s : samples) {
    tau.push_back(s.tau);
    advantage.push_back(s.advantage);
  }
  fill_rollout_stats(m, tau, advantage, group_size);
}

}  // namespace dpg::engine
