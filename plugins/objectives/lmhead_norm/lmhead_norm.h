// SPDX-License-Identifier: MIT
#pragma once
/// @file The LM-head norm objective (docs/method.md §5.2): Φ = −‖W_head‖_F of the trained target.
/// The readable metric is the norm itself (lower is better); the view shows P_T − P_0 of a head
/// patch laid out like the bitmap objective's (row = hidden dim, column = token id).
#include "core/dpg/objective.h"
#include "core/objective/params.h"

#include <nlohmann/json.hpp>

#include <memory>

namespace dpg::objective {

class LmHeadNormObjective : public engine::Objective {
 public:
  struct Options {
    int64_t token_offset = 0;  ///< first token id of the view patch
    int64_t dim_offset = 0;    ///< first hidden dim of the view patch
    int64_t view_rows = 32;    ///< hidden dims shown (clipped to the model)
    int64_t view_cols = 32;    ///< token ids shown (clipped to the model)
  };
  explicit LmHeadNormObjective(Options options) : options_(options) {}

  static const std::vector<ParamSpec>& parameters();
  static std::unique_ptr<LmHeadNormObjective> create(const nlohmann::json& params);

  std::string kind() const override { return "lmhead_norm"; }
  std::string metric_name() const override { return "LM-head Frobenius norm (lower is better)"; }
  bool metric_higher_is_better() const override { return false; }
  void check_compatible(const model::ModelConfig& target) const override;
  torch::Tensor Phi(const model::ModelConfig& target, const model::TensorMap& params_T,
                    const model::TensorMap& params_0) const override;
  engine::ObjectiveView view(const model::ModelConfig& target, const model::TensorMap& params_T,
                             const model::TensorMap& params_0) const override;

 private:
  Options options_;
};

}  // namespace dpg::objective
