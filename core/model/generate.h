// SPDX-License-Identifier: MIT
#pragma once
/// @file Batched sampling from a causal LM: left padding with a key mask and per-row positions,
/// a preallocated KV cache (Decoder), temperature and top-p, per-row stop on EOS, a seeded
/// generator, and the log-probability of every sampled token.
#include "core/model/model_config.h"
#include "core/model/tensor_map.h"
#include "core/model/tokenizer.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace dpg::model {

struct GenerateOptions {
  int64_t max_new_tokens = 128;
  double temperature = 1.0;  ///< 0 means greedy (argmax)
  double top_p = 1.0;        ///< nucleus sampling; 1 keeps the whole distribution
  uint64_t seed = 0;
  /// Tokens that end a row (included in its tokens). Empty: the tokenizer's EOS, plus <|im_end|>
  /// and <|endoftext|> where the vocabulary has them.
  std::vector<int64_t> stop_ids;
  bool stop_at_eos = true;  ///< false: every row gets exactly max_new_tokens (benchmarks)
  /// Stop tokens cannot be sampled before this many new tokens (their logits are masked); the
  /// recorded log-probs stay those of the unmasked model. Keeps RL from collapsing onto empty
  /// responses.
  int64_t min_new_tokens = 0;
  int64_t pad_id = -1;  ///< left padding; -1: the tokenizer's pad, else its EOS, else 0
  /// Row-indexed sampling, for ranks that each sample a share of one batch: the prompts are rows
  /// [row_offset, row_offset + B) of a batch of rows_total (0: off, sampling draws from the
  /// batch as a whole). Each decoding step then draws one uniform u per row of the whole batch and
  /// takes the first token whose cumulative probability exceeds u (inverse CDF), so a row's
  /// tokens depend only on the seed and its index in the whole batch, not on which rows are
  /// sampled with it (docs/scaling.md).
  int64_t rows_total = 0;
  int64_t row_offset = 0;
  const std::atomic<bool>* cancel = nullptr;  ///< checked between steps; stops early when set
};

struct GenerateResult {
  std::vector<std::vector<int64_t>> tokens;  ///< new tokens per row, the stop token included
  /// log p(token | prefix) under the model itself (temperature 1, no top-p), one per token.
  std::vector<std::vector<float>> logprobs;
  std::vector<std::string> texts;  ///< decoded new tokens, stop token and specials left out
  std::vector<bool> stopped;       ///< the row ended on a stop token
  int64_t new_tokens = 0;          ///< tokens generated over all rows (stop tokens included)
  double seconds = 0.0;            ///< wall time of generate()
};

/// Samples continuations of @p prompts (token ids, each non-empty). Runs under InferenceMode.
/// Throws ConfigError for empty prompts or a context longer than the model's.
GenerateResult generate(const ModelConfig& cfg, const TensorMap& params, const Tokenizer& tok,
                        const std::vector<std::vector<int64_t>>& prompts,
                        const GenerateOptions& opt);

/// Same, from text prompts (encoded with special tokens parsed, so chat templates work).
GenerateResult generate_text(const ModelConfig& cfg, const TensorMap& params, const Tokenizer& tok,
                             const std::vector<std::string>& prompts, const GenerateOptions& opt);

/// Next-token choice from logits [B, V] as generate() makes it (greedy when temperature is 0).
/// @p u: one uniform in [0, 1) per row for inverse-CDF sampling (GenerateOptions::rows_total),
/// else undefined and the rows draw from @p gen.
torch::Tensor sample_next(const torch::Tensor& logits, double temperature, double top_p,
                          at::Generator& gen, const torch::Tensor& u = {});

/// The text of one sampled row as GenerateResult::texts holds it: @p ids decoded without
/// specials, less the stop token when the row @p stopped on one.
std::string response_text(const Tokenizer& tok, std::vector<int64_t> ids, bool stopped);

}  // namespace dpg::model
