// SPDX-License-Identifier: MIT
#pragma once
/// @file The objective interface: Φ (differentiable, higher is better), a readable metric, and the
/// image to show. Plain C++ over tensors; plugins (plugins/objectives/) create implementations.
#include "core/dpg/objective_view.h"
#include "core/model/model_config.h"
#include "core/model/tensor_map.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::engine {

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
  /// Φ(φ_T, φ_0), with params_T = φ_T the trained target's parameters and params_0 = φ_0 its
  /// initial ones: a differentiable scalar tensor in params_T's dtype. Higher is better.
  virtual torch::Tensor Phi(const model::ModelConfig& target, const model::TensorMap& params_T,
                            const model::TensorMap& params_0) const = 0;
  /// The readable metric and images for the trained target (no gradient).
  virtual ObjectiveView view(const model::ModelConfig& target, const model::TensorMap& params_T,
                             const model::TensorMap& params_0) const = 0;
};

}  // namespace dpg::engine
