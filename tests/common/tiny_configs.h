// SPDX-License-Identifier: MIT
#pragma once
/// @file Architectures of the small models that tests build with random or hand-made weights.
#include "core/model/model_config.h"

namespace dpg::test {

/// The sizes a test chooses; every other ModelConfig field keeps its default.
struct TinyShape {
  int64_t vocab = 24;
  int64_t d_model = 8;
  int64_t layers = 2;
  int64_t heads = 2;
  int64_t kv_heads = 2;
  int64_t d_ff = 32;
  int64_t max_ctx = 16;
};

inline model::ModelConfig tiny_config(model::Arch arch, const TinyShape& s) {
  model::ModelConfig c;
  c.arch = arch;
  c.vocab_size = s.vocab;
  c.n_layer = s.layers;
  c.n_head = s.heads;
  c.n_kv_head = s.kv_heads;
  c.d_model = s.d_model;
  c.d_ff = s.d_ff;
  c.max_ctx = s.max_ctx;
  return c;
}

/// GPT-2 with 2 heads, an MLP of 4·d and 16 positions.
inline model::ModelConfig tiny_gpt_config(int64_t vocab = 24, int64_t d = 8, int64_t layers = 2) {
  return tiny_config(model::Arch::Gpt2,
                     {.vocab = vocab, .d_model = d, .layers = layers, .d_ff = 4 * d});
}

/// Llama with grouped-query attention (4 heads, 2 key/value heads) and an untied head.
inline model::ModelConfig tiny_llama_config() {
  auto c = tiny_config(model::Arch::Llama, {.heads = 4, .d_ff = 16, .max_ctx = 32});
  c.tied_head = false;
  return c;
}

}  // namespace dpg::test
