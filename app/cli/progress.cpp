// SPDX-License-Identifier: MIT
#include "app/cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace dpg::cli {

std::string format_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  const int64_t t = int64_t(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", long(t / 3600), long(t % 3600 / 60));
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", long(t / 60), long(t % 60));
  else
    std::snprintf(buf, sizeof buf, "%lds", long(t));
  return buf;
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void ProgressBar::update(int64_t done, int64_t total, const std::string& text) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (first_done_ < 0) {
    first_done_ = done;
    first_elapsed_ = elapsed;
  }
  // Without a terminal (a log file): the first update, then one every 5 s, and the last.
  if (!tty_ && done != first_done_ &&
      std::chrono::duration<double>(now - last_print_).count() < 5.0 && done < total)
    return;
  last_print_ = now;
  // ETA from the rate since the first update (excludes start-up cost).
  double eta = -1;
  if (done > first_done_ && total > 0)
    eta = (elapsed - first_elapsed_) / double(done - first_done_) * double(total - done);
  const int width = 24;
  const int fill = total > 0 ? int(double(width) * double(done) / double(total)) : 0;
  std::string bar(size_t(fill), '#');
  bar += std::string(size_t(width - fill), '.');
  std::fprintf(stderr, "%s%s [%s] %ld/%ld %s  ETA %s%s", tty_ ? "\r\033[2K" : "", label_.c_str(),
               bar.c_str(), long(done), long(total), text.c_str(),
               eta >= 0 ? format_duration(eta).c_str() : "?", tty_ ? "" : "\n");
  std::fflush(stderr);
}

void ProgressBar::finish(const std::string& text) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "%s%s: %s (%s)\n", tty_ ? "\r\033[2K" : "", label_.c_str(), text.c_str(),
               format_duration(elapsed).c_str());
}

}  // namespace dpg::cli
