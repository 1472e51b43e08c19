// SPDX-License-Identifier: MIT
#include "core/model/byte_tokenizer.h"

namespace dpg::model {

namespace {
constexpr std::string_view kEot = "<|endoftext|>";
}

std::vector<int64_t> ByteTokenizer::encode(const std::string& text, bool parse_special) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (parse_special && std::string_view(text).substr(i, kEot.size()) == kEot) {
      ids.push_back(kEndOfText);
      i += kEot.size() - 1;
      continue;
    }
    ids.push_back(static_cast<unsigned char>(text[i]));
  }
  return ids;
}

std::string ByteTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  std::string out;
  for (auto id : ids) {
    if (id >= 0 && id < 256) {
      out.push_back(static_cast<char>(id));
    } else if (!skip_special) {
      out += id == kEndOfText ? std::string(kEot) : "<|unk|>";
    }
  }
  return out;
}

int64_t ByteTokenizer::special_id(const std::string& token) const {
  return token == kEot ? kEndOfText : -1;
}

}  // namespace dpg::model
