// SPDX-License-Identifier: MIT
#pragma once
/// @file GRPO math (docs/method.md §4.2–4.3): group advantages, the PPO-clipped token-mean loss,
/// and the naive baseline's groupless advantage. Pure functions of tensors, unit-tested by hand.
#include <torch/types.h>

namespace dpg::engine {

/// Â_i = (τ_i − mean_group)/(std_group + 1e-6), groups of @p group_size consecutive rewards
/// (rows of one prompt are adjacent). std is the unbiased sample std, 0 for a group of one.
torch::Tensor group_advantages(const torch::Tensor& rewards, int64_t group_size, double eps = 1e-6);

/// Token-level credit (ours, `grpo.credit = "token"`): from per-token rewards r_ij (τ_ij mapped
/// onto the response tokens, [N, Lr], zero where @p mask is 0), the reward-to-go R_ij = Σ_{k≥j}
/// r_ik — token j can change only what is predicted from it on — and
///   Â_ij = (R_ij − mean_{i'∈group, mask} R_i'j) / (std_group(R_·0) + 1e-6).
/// Since R_i0 = τ_i, column 0 equals group_advantages(τ); one scale per group keeps the columns
/// comparable.
torch::Tensor token_advantages(const torch::Tensor& token_rewards, const torch::Tensor& mask,
                               int64_t group_size, double eps = 1e-6);

/// The naive baseline's "groupless" advantage: normalised over the whole batch.
torch::Tensor batch_advantages(const torch::Tensor& rewards, double eps = 1e-6);

struct PolicyLoss {
  torch::Tensor loss;      ///< differentiable scalar
  double clip_frac = 0.0;  ///< fraction of unmasked tokens whose ratio left [1−ε, 1+ε]
};

/// PPO-clipped surrogate with token-mean aggregation:
///   r = exp(logp_new − logp_old),  loss = −Σ_tok min(r·Â, clip(r, 1−ε, 1+ε)·Â) / Σ_tok mask.
/// logp_* and mask are [N, Lr]; @p advantages is [N] and applies to every token of its row, or [N,
/// Lr] per token (token_advantages).
PolicyLoss clipped_policy_loss(const torch::Tensor& logp_new, const torch::Tensor& logp_old,
                               const torch::Tensor& advantages, const torch::Tensor& mask,
                               double clip);

/// k3 estimator of KL(π ‖ π_ref) per token, token-mean over the mask:
///   exp(logp_ref − logp) − (logp_ref − logp) − 1.
torch::Tensor kl_to_reference(const torch::Tensor& logp, const torch::Tensor& logp_ref,
                              const torch::Tensor& mask);

/// Token-mean policy entropy over the mask, H̄ = Σ_t m_t H_t / Σ_t m_t, with H_t = −Σ_v π_v log π_v.
/// The entropy bonus [ours, off by default] subtracts grpo.entropy_coef · H̄ from the policy loss.
torch::Tensor mean_entropy(const torch::Tensor& entropy, const torch::Tensor& mask);

}  // namespace dpg::engine
