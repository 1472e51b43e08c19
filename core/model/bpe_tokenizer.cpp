// SPDX-License-Identifier: MIT
// TEMPORARY placeholder until the BPE tokenizer lands (being written in parallel).
#include "core/model/bpe_tokenizer.h"
#include "core/model/errors.h"
namespace dpg::model {
std::shared_ptr<BpeTokenizer> BpeTokenizer::from_tokenizer_json(const std::string& path) { throw FormatError(path, -1, "BPE not built yet"); }
}  // namespace dpg::model
