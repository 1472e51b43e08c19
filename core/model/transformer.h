// SPDX-License-Identifier: MIT
#pragma once
/// @file Functional causal LMs: forward(config, params, tokens) -> logits, for GPT-2 and Llama.
///
/// Every weight comes from a TensorMap keyed by HF names, so the same function serves plain
/// training, create_graph training (double backward) and sampling. Attention is always "math"
/// attention (matmul + softmax): fused SDPA kernels have no double backward.
///
/// GPT-2 names: wte.weight, wpe.weight, h.{i}.ln_1.{weight,bias}, h.{i}.attn.c_attn.{weight,bias},
///   h.{i}.attn.c_proj.{weight,bias}, h.{i}.ln_2.*, h.{i}.mlp.c_fc.*, h.{i}.mlp.c_proj.*, ln_f.*
///   (HF Conv1D layout: weight is [in, out]). The head is tied to wte.
/// Llama names: model.embed_tokens.weight, model.layers.{i}.input_layernorm.weight,
///   model.layers.{i}.self_attn.{q,k,v,o}_proj.weight ([out, in]), post_attention_layernorm.weight,
///   model.layers.{i}.mlp.{gate,up,down}_proj.weight, model.norm.weight, lm_head.weight (untied
///   only).
#include "core/model/model_config.h"
#include "core/model/tensor_map.h"

#include <vector>

namespace dpg::model {

/// Keys and values of every layer for incremental decoding. Shapes [B, n_kv_head, len, head_dim].
struct KVCache {
  std::vector<torch::Tensor> k;
  std::vector<torch::Tensor> v;
  int64_t length() const { return k.empty() ? 0 : k.front().size(2); }
};

struct ForwardOptions {
  /// [B, L] absolute positions; default: arange(past, past + L) for every row.
  torch::Tensor positions;
  /// [B, past + L] bool, true where a key may be attended (false on left padding). Optional.
  torch::Tensor key_mask;
  /// When set, new keys/values are appended and attention covers the cached prefix.
  KVCache* cache = nullptr;
  /// Logits only for positions ≥ logits_from: [B, L − logits_from, vocab]. A policy that scores
  /// responses skips the LM head (and its vocab-wide softmax) over the shared prompt prefix.
  int64_t logits_from = 0;
};

/// Logits [B, L − opt.logits_from, vocab] for token ids [B, L] (int64). Differentiable twice.
torch::Tensor forward(const ModelConfig& cfg, const TensorMap& params, const torch::Tensor& tokens,
                      const ForwardOptions& opt = {});

/// The LM-head weight [vocab, d_model] (the tied embedding where the head is tied).
torch::Tensor lm_head_weight(const ModelConfig& cfg, const TensorMap& params);
/// Name of the tensor lm_head_weight() returns.
std::string lm_head_name(const ModelConfig& cfg);

/// Names and shapes every parameter of @p cfg must have.
std::vector<std::pair<std::string, std::vector<int64_t>>> expected_shapes(const ModelConfig& cfg);
/// Throws ConfigError when @p params does not match @p cfg (missing, extra or mis-shaped tensors).
void check_params(const ModelConfig& cfg, const TensorMap& params, const std::string& source);
/// Fresh weights (GPT-2 style init, std 0.02) for @p cfg, from @p seed.
TensorMap init_params(const ModelConfig& cfg, uint64_t seed,
                      torch::ScalarType dtype = torch::kFloat32);

}  // namespace dpg::model
