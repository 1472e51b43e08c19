// SPDX-License-Identifier: MIT
#pragma once
/// @file Byte-level BPE with GPT-2-style pre-tokenisation (SmolLM2, GPT-2).
#include "core/model/tokenizer.h"

#include <memory>
#include <string>
#include <vector>

namespace dpg::model {

class BpeTokenizer : public Tokenizer {
 public:
  /// From an HF tokenizer.json. Throws FormatError naming the file.
  static std::shared_ptr<BpeTokenizer> from_tokenizer_json(const std::string& path);
};

}  // namespace dpg::model
