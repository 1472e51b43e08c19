// SPDX-License-Identifier: MIT
#pragma once
/// @file The plain values an objective shows (images, readable metric). Kept free of LibTorch so
/// that records.h, the store and the GUI's Q_OBJECT headers do not pull <torch/torch.h> into moc
/// and every translation unit that only moves these values around.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dpg::engine {

/// A small signed image: values in {-1, +1} for targets, any float for heatmaps. Row-major.
struct Image {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;
  float at(int64_t r, int64_t c) const { return data[std::size_t(r * cols + c)]; }
  bool empty() const { return rows == 0 || cols == 0; }
};

/// What an objective shows after a run of the target: its readable metric and images.
struct ObjectiveView {
  double metric = 0.0;  ///< e.g. pixel accuracy in [0, 1]
  Image target;         ///< Y, when the objective has one
  Image sign;           ///< sign(P_T − P_0), when the objective has one
  Image delta;          ///< P_T − P_0 (the heatmap), when the objective has one
};

}  // namespace dpg::engine
