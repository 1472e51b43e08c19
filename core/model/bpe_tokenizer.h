// SPDX-License-Identifier: MIT
#pragma once
/// @file Byte-level BPE (GPT-2, SmolLM2) that reproduces HF `tokenizers` exactly.
///
/// Encoding: (1) added tokens are cut out first (special ones only when parse_special is set,
/// non-special ones always, as HF does); (2) each remaining segment is pre-tokenised: for the
/// "smollm"/StarCoder flavour every numeric character is isolated first (HF Digits with
/// individual_digits), then the GPT-2 regex
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// splits it (implemented by hand over the generated unicode_class tables); (3) each piece's bytes
/// are mapped to GPT-2's printable byte alphabet and merged by rank (lowest rank first, leftmost on
/// ties, as HF's BPE model does).
/// Decoding maps the byte alphabet back to bytes, so decode(encode(s)) == s for any bytes s.
#include "core/model/tokenizer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dpg::model {

class GgufFile;

/// How text is split before BPE.
enum class PreTokenizer {
  Gpt2,        ///< the GPT-2 regex only (HF ByteLevel with use_regex)
  Gpt2Digits,  ///< numeric characters isolated first, then the GPT-2 regex (SmolLM2, StarCoder)
};

class BpeTokenizer : public Tokenizer {
 public:
  /// Everything a BPE tokenizer is made of; the factories fill it from a file.
  struct Spec {
    std::vector<std::string> tokens;                          ///< id -> token in the byte alphabet
    std::vector<std::pair<std::string, std::string>> merges;  ///< by rank
    struct Added {
      int64_t id;
      std::string content;
      bool special;
    };
    std::vector<Added> added;  ///< added tokens (cut out of the text before pre-tokenisation)
    PreTokenizer pre = PreTokenizer::Gpt2;
    bool ignore_merges = false;  ///< HF option: a piece that is a whole token is not merged
    int64_t bos_id = -1, eos_id = -1, pad_id = -1, unk_id = -1;
  };

  /// Validates @p spec (every merge result must be a token, ids in range); throws FormatError
  /// naming @p source.
  BpeTokenizer(Spec spec, const std::string& source);

  /// From an HF tokenizer.json (BPE model, ByteLevel or Digits+ByteLevel pre-tokenizer). BOS, EOS
  /// and padding come from a tokenizer_config.json beside it, else "<|endoftext|>". Throws
  /// FormatError naming the file.
  static std::shared_ptr<BpeTokenizer> from_tokenizer_json(const std::string& path);
  /// The same from the files' texts: @p tokenizer_json, and @p config_json, the
  /// tokenizer_config.json ("" when there is none). @p source names the file in errors.
  static std::shared_ptr<BpeTokenizer> from_tokenizer_json_text(const std::string& tokenizer_json,
                                                                const std::string& config_json,
                                                                const std::string& source);
  /// From GGUF metadata tokenizer.ggml.{model,pre,tokens,merges,token_type,*_token_id}.
  static std::shared_ptr<BpeTokenizer> from_gguf(const GgufFile& file);

  std::vector<int64_t> encode(const std::string& text, bool parse_special = false) const override;
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const override;
  int64_t vocab_size() const override { return int64_t(tokens_.size()); }
  int64_t bos_id() const override { return bos_; }
  int64_t eos_id() const override { return eos_; }
  int64_t pad_id() const override { return pad_; }
  int64_t special_id(const std::string& token) const override;
  std::vector<std::string> special_tokens() const override;
  std::string kind() const override { return "bpe"; }

  PreTokenizer pre_tokenizer() const { return pre_; }
  /// The pieces pre-tokenisation cuts @p text into (no added-token handling), as byte strings.
  std::vector<std::string> pre_tokenize(const std::string& text) const;
  /// Token string of @p id in the byte alphabet ("Ġthe"), or "" when out of range.
  std::string id_to_token(int64_t id) const;
  /// True when byte @p b has a token of its own (else encode() drops it, as HF does: SmolLM2's
  /// byte-level vocabulary lacks 21 of the 256 bytes, see docs/models.md).
  bool has_byte(uint8_t b) const { return byte_ids_[b] >= 0; }
  /// True when encode() drops byte @p b: it has no token and the vocabulary has no <unk>.
  bool drops_byte(uint8_t b) const { return byte_ids_[b] < 0 && unk_ < 0; }
  /// Id of a token string in the byte alphabet, or -1.
  int64_t token_to_id(const std::string& token) const;

 private:
  // The constructor's parts: id checks, token and byte indexes, merge ranks, decoded bytes.
  void check_ids(const std::string& source) const;
  std::unordered_map<char32_t, uint8_t> index_tokens();
  void index_merges(const std::vector<std::pair<std::string, std::string>>& merges,
                    const std::string& source);
  void index_added_and_bytes(const std::unordered_map<char32_t, uint8_t>& char_to_byte);

  void encode_segment(const std::string& text, size_t begin, size_t end,
                      std::vector<int64_t>& out) const;
  void encode_piece(const char* p, size_t n, std::vector<int64_t>& out) const;

  std::vector<std::string> tokens_;
  std::vector<std::string> token_bytes_;  ///< decoded bytes of each id
  std::vector<uint8_t> is_special_;
  std::unordered_map<std::string, int32_t> token_ids_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  ///< (l,r) -> (rank, id)
  int32_t byte_ids_[256];                                             ///< id of each byte's char
  std::vector<Spec::Added> added_;  ///< sorted longest first for matching
  PreTokenizer pre_;
  bool ignore_merges_;
  int64_t bos_, eos_, pad_, unk_;
};

}  // namespace dpg::model
