// SPDX-License-Identifier: MIT
#pragma once
/// @file The LM-head bitmap objective (docs/method.md §5.1): draw Y into a patch of the target's
/// LM-head weight.
///
/// P = W_head[token_offset : token_offset + W, dim_offset : dim_offset + H]ᵀ, so pixel (r, c) is
/// hidden dimension dim_offset + r of token id token_offset + c.
/// Φ = −mean(softplus(−s · Y ⊙ (P_T − P_0))); metric = pixel accuracy mean(sign(P_T − P_0) = Y).
/// [ours] An optional per-pixel focus turns the mean into a weighted mean, Φ = −Σ_p w_p
/// softplus(…)_p / Σ_p w_p (w_p = 1 except the listed pixels), to give pixels a policy never sets
/// more of the reward. The metric is unchanged.
#include "core/dpg/objective.h"
#include "core/objective/bitmap.h"
#include "core/objective/bitmap_params.h"
#include "core/objective/focus.h"
#include "core/objective/params.h"

#include <nlohmann/json.hpp>

#include <memory>

namespace dpg::objective {

class LmHeadBitmapObjective : public engine::Objective {
 public:
  struct Options {
    Bitmap target;              ///< Y (dark = +1)
    int64_t token_offset = 33;  ///< first token id (column 0)
    int64_t dim_offset = 0;     ///< first hidden dimension (row 0)
    double sharpness = 20.0;    ///< s
    std::vector<FocusPixel>
        focus;  ///< w_p ≥ 0 of the listed pixels; empty: the paper's unweighted mean
  };
  explicit LmHeadBitmapObjective(Options options);

  /// The declared parameters (source, text, ec_level, version, bits, rows, cols, png,
  /// token_offset, dim_offset, sharpness, focus).
  static const std::vector<ParamSpec>& parameters();
  /// Builds the objective from plugin parameters; throws std::invalid_argument with the reason.
  static std::unique_ptr<LmHeadBitmapObjective> create(const nlohmann::json& params);
  /// Only the target bitmap the parameters describe (the designer previews it).
  static Bitmap target_from_params(const nlohmann::json& params);

  std::string kind() const override { return "lmhead_bitmap"; }
  std::string metric_name() const override { return "pixel accuracy"; }
  void check_compatible(const model::ModelConfig& target) const override;
  torch::Tensor Phi(const model::ModelConfig& target, const model::TensorMap& params_T,
                    const model::TensorMap& params_0) const override;
  engine::ObjectiveView view(const model::ModelConfig& target, const model::TensorMap& params_T,
                             const model::TensorMap& params_0) const override;

  /// The H × W patch P of a weight set (a view into its LM head; differentiable).
  torch::Tensor patch(const model::ModelConfig& target, const model::TensorMap& params) const;
  /// Φ from a patch difference P_T − P_0 (exposed for tests).
  torch::Tensor Phi_of_delta(const torch::Tensor& delta) const;
  /// Pixel accuracy of a patch difference (exposed for tests).
  double accuracy_of_delta(const torch::Tensor& delta) const;
  const Options& options() const { return options_; }

 private:
  Options options_;
  torch::Tensor y_;  ///< [H, W] float64 of ±1
  torch::Tensor
      w_;  ///< [H, W] float64 pixel weights normalised to sum 1; undefined without a focus
};

}  // namespace dpg::objective
