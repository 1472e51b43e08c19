// SPDX-License-Identifier: MIT
#pragma once
/// @file GRPO math (dpg-method.md §3): group advantages, the PPO-clipped token-mean loss, and the
/// naive baseline's groupless advantage. Pure functions of tensors, unit-tested by hand.
#include <torch/types.h>

namespace dpg::engine {

/// Â_i = (τ_i − mean_group)/(std_group + 1e-6), groups of @p group_size consecutive rewards
/// (rows of one prompt are adjacent). std is the unbiased sample std, 0 for a group of one.
torch::Tensor group_advantages(const torch::Tensor& rewards, int64_t group_size, double eps = 1e-6);

/// The naive baseline's "groupless" advantage: normalised over the whole batch.
torch::Tensor batch_advantages(const torch::Tensor& rewards, double eps = 1e-6);

struct PolicyLoss {
  torch::Tensor loss;      ///< differentiable scalar
  double clip_frac = 0.0;  ///< fraction of unmasked tokens whose ratio left [1−ε, 1+ε]
};

/// PPO-clipped surrogate with token-mean aggregation:
///   r = exp(logp_new − logp_old),  loss = −Σ_tok min(r·Â, clip(r, 1−ε, 1+ε)·Â) / Σ_tok mask.
/// logp_* and mask are [N, Lr]; @p advantages is [N] and applies to every token of its row.
PolicyLoss clipped_policy_loss(const torch::Tensor& logp_new, const torch::Tensor& logp_old,
                               const torch::Tensor& advantages, const torch::Tensor& mask,
                               double clip);

/// k3 estimator of KL(π ‖ π_ref) per token, token-mean over the mask:
///   exp(logp_ref − logp) − (logp_ref − logp) − 1.
torch::Tensor kl_to_reference(const torch::Tensor& logp, const torch::Tensor& logp_ref,
                              const torch::Tensor& mask);

}  // namespace dpg::engine
