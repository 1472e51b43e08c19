// SPDX-License-Identifier: MIT
#pragma once
/// @file Architecture hyperparameters shared by the GPT-2 and Llama functional models.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace dpg::model {

enum class Arch { Gpt2, Llama };

/// Everything forward() needs besides the weights. Field names follow HF config.json where one
/// exists.
struct ModelConfig {
  Arch arch = Arch::Gpt2;
  int64_t vocab_size = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_kv_head = 0;  ///< grouped-query attention (Llama); equals n_head for GPT-2
  int64_t d_model = 0;
  int64_t d_ff = 0;     ///< MLP hidden size
  int64_t max_ctx = 0;  ///< learned positions (GPT-2) or the trained context (Llama)
  double norm_eps = 1e-5;
  double rope_theta = 10000.0;
  bool tied_head = true;  ///< LM head shares the token embedding
  int64_t bos_id = -1;
  int64_t eos_id = -1;
  int64_t pad_id = -1;

  int64_t head_dim() const { return d_model / n_head; }
  /// Throws ConfigError naming the first bad field.
  void validate() const;
  /// HF-style config.json ("model_type": "gpt2" or "llama").
  nlohmann::json to_hf_json() const;
  static ModelConfig from_hf_json(const nlohmann::json& j);
};

std::string arch_name(Arch arch);

}  // namespace dpg::model
