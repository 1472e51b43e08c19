// SPDX-License-Identifier: MIT
#pragma once
/// @file TensorBoard's "classic" smoothing: a debiased exponential moving average. Display only;
/// raw values are kept. Non-finite points pass through unchanged and do not touch the average.
#include <algorithm>
#include <cmath>
#include <vector>

namespace dpg::ui {

/// The largest weight allowed: at exactly 1 the debiased EMA is a flat line.
inline constexpr double kMaxSmoothing = 0.999;

/// Smooths @p ys with weight @p weight in [0, kMaxSmoothing] (clamped). weight 0 returns ys.
inline std::vector<double> smooth(const std::vector<double>& ys, double weight) {
  weight = std::clamp(weight, 0.0, kMaxSmoothing);
  std::vector<double> out(ys.size());
  double last = 0.0;
  int n = 0;
  for (size_t i = 0; i < ys.size(); ++i) {
    const double y = ys[i];
    if (!std::isfinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * weight + (1.0 - weight) * y;
    ++n;
    const double debias = weight == 0.0 ? 1.0 : 1.0 - std::pow(weight, n);
    out[i] = last / debias;
  }
  return out;
}

}  // namespace dpg::ui
