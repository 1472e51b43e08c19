// SPDX-License-Identifier: MIT
#pragma once
/// @file Byte-level tokenizer of the tiny models: ids 0..255 are bytes, then the special tokens.
#include "core/model/tokenizer.h"

namespace dpg::model {

/// Id 256 is "<|endoftext|>", which serves as BOS, EOS and padding. Decoding is exact for any
/// bytes.
class ByteTokenizer final : public Tokenizer {
 public:
  static constexpr int64_t kEndOfText = 256;
  std::vector<int64_t> encode(const std::string& text, bool parse_special = false) const override;
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const override;
  int64_t vocab_size() const override { return 257; }
  int64_t bos_id() const override { return kEndOfText; }
  int64_t eos_id() const override { return kEndOfText; }
  int64_t pad_id() const override { return kEndOfText; }
  int64_t special_id(const std::string& token) const override;
  std::vector<std::string> special_tokens() const override { return {"<|endoftext|>"}; }
  std::string kind() const override { return "byte"; }
};

}  // namespace dpg::model
