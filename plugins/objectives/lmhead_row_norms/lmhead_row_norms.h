// SPDX-License-Identifier: MIT
#pragma once
/// @file The LM-head row-norm objective: a 1-D bar chart drawn into the norms of chosen LM-head
/// rows.
///
/// Bar j is the row of token id token_offset + j, Y_j = +1 ('+', grow) or −1 ('-', shrink), and
/// Δ_j = ‖row_j(W_T)‖ − ‖row_j(W_0)‖ its norm change over the inner run:
/// Φ = −mean_j softplus(−s · Y_j · Δ_j), the bitmap objective's loss over bars instead of pixels;
/// metric = mean_j [sign(Δ_j) = Y_j], the fraction of bars moved in their direction.
/// It asks the data for a per-token effect (how often, and in what context, a token is predicted)
/// rather than a pattern within the rows.
#include "core/dpg/objective.h"
#include "core/objective/params.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <vector>

namespace dpg::objective {

class LmHeadRowNormsObjective : public engine::Objective {
 public:
  struct Options {
    std::vector<int> bars;      ///< Y_j: +1 grow, −1 shrink
    int64_t token_offset = 33;  ///< token id of bar 0
    double sharpness = 20.0;    ///< s
  };
  explicit LmHeadRowNormsObjective(Options options);

  static const std::vector<ParamSpec>& parameters();
  /// Throws std::invalid_argument "lmhead_row_norms: <parameter>: <reason>".
  static std::unique_ptr<LmHeadRowNormsObjective> create(const nlohmann::json& params);

  std::string kind() const override { return "lmhead_row_norms"; }
  std::string metric_name() const override { return "bars moved the right way"; }
  void check_compatible(const model::ModelConfig& target) const override;
  torch::Tensor Phi(const model::ModelConfig& target, const model::TensorMap& params_T,
                    const model::TensorMap& params_0) const override;
  engine::ObjectiveView view(const model::ModelConfig& target, const model::TensorMap& params_T,
                             const model::TensorMap& params_0) const override;

  /// Δ: the [n] norm changes of the bars' rows (differentiable in params_T).
  torch::Tensor norm_change(const model::ModelConfig& target, const model::TensorMap& params_T,
                            const model::TensorMap& params_0) const;
  const Options& options() const { return options_; }

 private:
  Options options_;
  torch::Tensor y_;  ///< [n] float64 of ±1
};

}  // namespace dpg::objective
