// SPDX-License-Identifier: MIT
#pragma once
/// @file The tokenizer interface: byte-level (tiny models) and byte-level BPE (SmolLM2, GPT-2).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dpg::model {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  /// Text to ids. Special-token strings in @p text are matched only when @p parse_special is set.
  virtual std::vector<int64_t> encode(const std::string& text,
                                      bool parse_special = false) const = 0;
  /// Ids to text; exact inverse of encode for any text without special tokens.
  virtual std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const = 0;
  virtual int64_t vocab_size() const = 0;
  virtual int64_t bos_id() const = 0;  ///< -1 when the vocabulary has none
  virtual int64_t eos_id() const = 0;
  virtual int64_t pad_id() const = 0;
  /// Id of a special token such as "<|im_start|>", or -1.
  virtual int64_t special_id(const std::string& token) const = 0;
  virtual std::vector<std::string> special_tokens() const = 0;
  virtual std::string kind() const = 0;  ///< "byte" or "bpe"
};

}  // namespace dpg::model
