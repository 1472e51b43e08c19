// SPDX-License-Identifier: MIT
// Replays saved inputs through a fuzz target without libFuzzer: the regular build links each
// target with this main, and CTest runs it over the target's corpus and regression files.
//   fuzz_replay_<target> FILE_OR_FOLDER...
// Exits non-zero when an argument names nothing or holds no input, so a lost corpus cannot pass;
// a finding aborts (or, under the sanitizers, is reported) as it does under libFuzzer.
#include "fuzz/fuzz_target.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs_in(const fs::path& arg) {
  std::vector<fs::path> out;
  if (fs::is_regular_file(arg)) {
    out.push_back(arg);
  } else if (fs::is_directory(arg)) {
    for (const auto& e : fs::recursive_directory_iterator(arg))
      if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
    return 2;
  }
  size_t total = 0;
  for (int a = 1; a < argc; ++a) {
    const auto files = inputs_in(argv[a]);
    if (files.empty()) {
      std::fprintf(stderr, "%s: no inputs to replay\n", argv[a]);
      return 1;
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "%s: cannot read\n", f.c_str());
        return 1;
      }
      std::fprintf(stderr, "replay %s (%zu bytes)\n", f.c_str(), bytes.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    }
    total += files.size();
  }
  std::printf("replayed %zu inputs\n", total);
  return 0;
}
