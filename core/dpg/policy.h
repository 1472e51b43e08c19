// SPDX-License-Identifier: MIT
#pragma once
/// @file The generator as a policy: log-probabilities of sampled responses, and its AdamW.
#include "core/config/enums.h"
#include "core/model/model_config.h"
#include "core/model/tensor_map.h"
#include "core/model/tokenizer.h"

#include <vector>

namespace dpg::engine {

/// Rollouts as right-padded [prompt | response] rows for teacher forcing.
/// Positions before `offset` (the shortest prompt, less one) predict prompt tokens in every row, so
/// log-probs and masks start there: column k stands for position offset + k.
struct RolloutBatch {
  torch::Tensor tokens;         ///< [N, Lmax] int64
  torch::Tensor response_mask;  ///< [N, Lmax − 1 − offset] 1 where position offset + k + 1 is a
                                ///< response token
  int64_t offset = 0;
};

/// Builds rows from prompt and response ids (response includes its stop token, if any).
RolloutBatch make_rollout_batch(const std::vector<std::vector<int64_t>>& prompts,
                                const std::vector<std::vector<int64_t>>& responses, int64_t pad_id);

/// Per-token rewards r_ik on @p b's response columns ([N, Lmax − 1 − offset]) from τ_ij of a
/// byte-level target (`grpo.credit = "token"`): tau_tokens row i, column j is the reward of
/// predicting byte j of response i (make_inner_data: BOS, the bytes, EOS). Generator token k of
/// response i wrote token_bytes[i][k] of those bytes (1 each for a byte-level generator, one or
/// more for byte-level BPE, 0 for a special token) and gets the sum of their τ: r_ik = Σ_{j ∈ bytes
/// of token k} τ_ij. The column that predicts EOS goes to the response's last token (the sampled
/// stop token when it has one); bytes the target's context cut off get 0. Throws
/// std::invalid_argument when a response's token bytes do not add up to its text.
torch::Tensor token_rewards(const torch::Tensor& tau_tokens, const RolloutBatch& b,
                            const std::vector<std::vector<int64_t>>& prompts,
                            const std::vector<std::vector<int64_t>>& token_bytes,
                            const std::vector<std::string>& texts);

/// For token_rewards: how many bytes of the decoded text (skip_special) each response token adds.
std::vector<std::vector<int64_t>> response_token_bytes(
    const model::Tokenizer& tok, const std::vector<std::vector<int64_t>>& responses);

/// log π(token_{j+1} | ≤ j) for positions j ≥ @p offset: [N, Lmax − 1 − offset], and the logits'
/// entropy per position. The log-probs are differentiable in @p params unless called under
/// NoGradGuard; the entropy only with @p entropy_grad (the entropy bonus), because its graph keeps
/// a vocabulary-sized probability tensor alive (~1 GB for a SmolLM2 mini-batch).
std::pair<torch::Tensor, torch::Tensor> token_logprobs(const model::ModelConfig& cfg,
                                                       const model::TensorMap& params,
                                                       const torch::Tensor& tokens,
                                                       bool with_entropy, int64_t offset = 0,
                                                       bool entropy_grad = false);

/// Aligns the generator's sampling log-probs (one list per row) with response_mask positions.
torch::Tensor align_logprobs(const std::vector<std::vector<float>>& logprobs,
                             const RolloutBatch& batch);

/// The terms of the generator's loss besides the PPO surrogate (docs/method.md §4.3).
struct PolicyTerms {
  double clip = 0.2;     ///< PPO ratio clip ε
  double kl_coef = 0.0;  ///< β_KL: + β_KL · token-mean k3 KL to the frozen starting generator
  double entropy_coef = 0.0;  ///< β_H: − β_H · token-mean entropy [ours, off by default]
};

/// ∂loss/∂θ of one GRPO mini-batch and what the step records of it.
struct PolicyGradient {
  model::TensorMap grads;  ///< one per entry of θ
  double loss = 0.0;  ///< the PPO-clipped token-mean surrogate (without the KL and entropy terms)
  double clip_frac = 0.0;    ///< token fraction whose ratio left [1−ε, 1+ε]
  double entropy_sum = 0.0;  ///< Σ over the unmasked tokens of the policy's entropy
  double tokens = 0.0;       ///< unmasked (response) tokens
};

/// The gradient of loss = PPO-clipped token-mean − … (clipped_policy_loss) + β_KL·KL − β_H·H̄ over
/// the rows of one mini-batch (@p tokens [N, L] with the RolloutBatch @p offset; @p mask, @p
/// logp_old, @p logp_ref [N, L − 1 − offset]; @p advantages [N] or [N, L − 1 − offset]), at @p
/// theta. With @p micro_rows > 0 the rows go through the forward and backward @p micro_rows at a
/// time and the gradients add up: each micro-batch's token-means are weighted by its share of the
/// mini-batch's tokens, so the result is the whole mini-batch's gradient (to float rounding) while
/// the activations held at once scale with micro_rows (grpo.micro_batch; a SmolLM2 mini-batch
/// otherwise holds ~10 GB of them). Throws NonFiniteError when the loss is not finite.
/// The forward runs in @p precision (run.precision: bf16 autocast, or TF32 on CUDA); θ and its
/// gradients stay float32.
PolicyGradient policy_gradient(const model::ModelConfig& cfg, const model::TensorMap& theta,
                               const torch::Tensor& tokens, int64_t offset,
                               const torch::Tensor& mask, const torch::Tensor& logp_old,
                               const torch::Tensor& logp_ref, const torch::Tensor& advantages,
                               const PolicyTerms& terms, int64_t micro_rows = 0,
                               config::Precision precision = config::Precision::Float32);

/// Standard AdamW (decoupled weight decay) for the generator θ, with its state in TensorMaps so a
/// checkpoint holds everything needed to resume exactly.
struct GeneratorAdamW {
  double lr = 3e-4, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01;
  int64_t t = 0;
  model::TensorMap m, v;
  /// One step on @p params (in place) with @p grads; returns the pre-clip gradient norm.
  double step(model::TensorMap& params, const model::TensorMap& grads, double grad_clip);
};

}  // namespace dpg::engine
