// SPDX-License-Identifier: MIT
#pragma once
/// @file What every fuzz target shares. A target is one LLVMFuzzerTestOneInput that feeds its input
/// to one reader. The reader may refuse the input only with its documented error type, whose
/// message must be one line; any other exception, a crash or undefined behaviour is a finding
/// (ASan/UBSan under libFuzzer; fuzz/replay_main.cpp replays saved inputs in the regular build).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace dpg::fuzz {

/// Aborts (a finding) unless @p message is one non-empty line.
inline void expect_one_line(const std::string& message) {
  if (message.empty() || message.find('\n') != std::string::npos) {
    std::fprintf(stderr, "error message is not one line: [%s]\n", message.c_str());
    std::abort();
  }
}

/// Aborts (a finding) on an exception the reader does not document.
[[noreturn]] inline void undocumented(const std::exception& e) {
  std::fprintf(stderr, "undocumented exception: %s\n", e.what());
  std::abort();
}

/// The input as text, and its parts split at NUL bytes (a target that reads several texts).
inline std::string as_text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}
inline std::string_view part(std::string_view text, size_t index) {
  for (size_t k = 0; k < index; ++k) {
    const size_t nul = text.find('\0');
    if (nul == std::string_view::npos) return {};
    text.remove_prefix(nul + 1);
  }
  return text.substr(0, text.find('\0'));
}

}  // namespace dpg::fuzz
