// SPDX-License-Identifier: MIT
#pragma once
/// @file The text-likelihood objective (docs/method.md §5.3): make the trained target likely to
/// produce a reference text (a UUID, a string) or set of texts.
///
/// Φ = −mean_i( Σ_t CE(target(x_i)_t, x_i,t+1) / L ), where L is the run's fixed sequence length
/// (target.seq_len), exactly as the inner loss normalises. The readable metric is the mean loss
/// per predicted token, in nats (lower is better).
///
/// Objective::Phi() sees only the target's config and weights, not its tokenizer, so create()
/// takes the references already tokenised, in "ids" (with "seq_len"). The plugin creates it for a
/// target (TargetAwarePlugin): prepare_text_likelihood_params() tokenises "text" or "file" with
/// the target's tokenizer first.
#include "core/dpg/objective.h"
#include "core/model/tokenizer.h"
#include "core/objective/params.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <vector>

namespace dpg::objective {

class TextLikelihoodObjective : public engine::Objective {
 public:
  /// @p references: token ids of each reference, BOS included where wanted (each ≥ 2 ids);
  /// @p seq_len: L, the loss divisor.
  TextLikelihoodObjective(std::vector<std::vector<int64_t>> references, int64_t seq_len);

  static const std::vector<ParamSpec>& parameters();
  /// Needs "ids" and "seq_len" (see prepare_text_likelihood_params()); throws
  /// std::invalid_argument saying so when only "text" or "file" is given.
  static std::unique_ptr<TextLikelihoodObjective> create(const nlohmann::json& params);

  std::string kind() const override { return "text_likelihood"; }
  std::string metric_name() const override {
    return "reference loss per token (nats, lower is better)";
  }
  bool metric_higher_is_better() const override { return false; }
  void check_compatible(const model::ModelConfig& target) const override;
  torch::Tensor Phi(const model::ModelConfig& target, const model::TensorMap& params_T,
                    const model::TensorMap& params_0) const override;
  engine::ObjectiveView view(const model::ModelConfig& target, const model::TensorMap& params_T,
                             const model::TensorMap& params_0) const override;

  /// Summed token loss of every reference under @p params: a [N] tensor (differentiable).
  torch::Tensor summed_losses(const model::ModelConfig& target,
                              const model::TensorMap& params) const;
  const std::vector<std::vector<int64_t>>& references() const { return references_; }
  int64_t seq_len() const { return seq_len_; }

 private:
  std::vector<std::vector<int64_t>> references_;
  int64_t seq_len_;
  torch::Tensor inputs_;   ///< [N, Lmax − 1] int64, right-padded
  torch::Tensor targets_;  ///< [N, Lmax − 1] int64
  torch::Tensor mask_;     ///< [N, Lmax − 1] 1 where a target token is real
  int64_t token_count_ = 0;
};

/// Fills "ids" and "seq_len" of text_likelihood parameters from "text" (one reference) or "file"
/// (one reference a non-empty line; a path, or a bundled resource name), tokenised with the
/// target's @p tokenizer: [BOS] (when "add_bos" and the tokenizer has one) + encode(text),
/// truncated to @p seq_len tokens. Parameters that already hold "ids" are returned unchanged.
/// Throws std::invalid_argument naming the parameter on a missing or unreadable source.
nlohmann::json prepare_text_likelihood_params(const nlohmann::json& params,
                                              const model::Tokenizer& tokenizer, int64_t seq_len);

}  // namespace dpg::objective
