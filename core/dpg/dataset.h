// SPDX-License-Identifier: MIT
#pragma once
/// @file Texts to 𝒜's input: the target's tokens, padded with EOS to a fixed length, and the loss
/// mask.
#include "core/dpg/inner_trainer.h"
#include "core/model/tokenizer.h"

#include <string>
#include <vector>

namespace dpg::engine {

/// Each row is [BOS] + encode(text) + [EOS], truncated to @p seq_len and padded with EOS (padding
/// = EOS, masked out). The mask covers the text tokens and the first EOS (the end of the text).
InnerData make_inner_data(const model::Tokenizer& tok, const std::vector<std::string>& texts,
                          int64_t seq_len);

}  // namespace dpg::engine
