// SPDX-License-Identifier: MIT
#pragma once
/// @file The objective interface: Φ (differentiable, higher is better), a readable metric, and the
/// image to show. Plain C++ over tensors; plugins (plugins/objectives/) create implementations.
#include "core/model/model_config.h"
#include "core/model/tensor_map.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::engine {

/// A small signed image: values in {-1, +1} for targets, any float for heatmaps. Row-major.
struct Image {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;
  float at(int64_t r, int64_t c) const { return data[size_t(r * cols + c)]; }
  bool empty() const { return rows == 0 || cols == 0; }
};

/// What an objective shows after a run of the target: its readable metric and images.
struct ObjectiveView {
  double metric = 0.0;  ///< e.g. pixel accuracy in [0, 1]
  Image target;         ///< Y, when the objective has one
  Image sign;           ///< sign(P_T − P_0), when the objective has one
  Image delta;          ///< P_T − P_0 (the heatmap), when the objective has one
};

class Objective {
 public:
  virtual ~Objective() = default;
  /// Stable id of the kind, e.g. "lmhead_bitmap".
  virtual std::string kind() const = 0;
  /// Name of the readable metric, e.g. "pixel accuracy".
  virtual std::string metric_name() const = 0;
  /// Whether a larger readable metric is better (pixel accuracy) or worse (a norm, a loss).
  virtual bool metric_higher_is_better() const { return true; }
  /// Throws std::invalid_argument with a readable reason when the objective cannot apply to a
  /// target with this config (e.g. "patch needs 21 hidden dims; this target has 16").
  virtual void check_compatible(const model::ModelConfig& target) const = 0;
  /// Φ(φ_T, φ_0): a differentiable scalar tensor in φ_T's dtype. Higher is better.
  virtual torch::Tensor phi(const model::ModelConfig& target, const model::TensorMap& phi_T,
                            const model::TensorMap& phi_0) const = 0;
  /// The readable metric and images for the trained target (no gradient).
  virtual ObjectiveView view(const model::ModelConfig& target, const model::TensorMap& phi_T,
                             const model::TensorMap& phi_0) const = 0;
};

}  // namespace dpg::engine
