// SPDX-License-Identifier: MIT
#pragma once
/// @file A one-line terminal progress bar: [#####.....] 42/96  text  ETA 1m20s.
/// On a terminal it redraws in place; otherwise it prints a line every ~5 s.
#include <chrono>
#include <string>

namespace dpg::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  /// Redraws with @p done of @p total and a free-form status text.
  void update(int64_t done, int64_t total, const std::string& text = {});
  /// Ends the line: "<label>: <text> (<elapsed>)".
  void finish(const std::string& text = {});

 private:
  std::string label_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
  int64_t first_done_ = -1;
  double first_elapsed_ = 0;
};

std::string format_duration(double seconds);

}  // namespace dpg::cli
