// SPDX-License-Identifier: MIT
#include "core/log/log.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace dpg::log {

void set_level(Level level) {
  switch (level) {
    case Level::Debug:
      spdlog::set_level(spdlog::level::debug);
      break;
    case Level::Info:
      spdlog::set_level(spdlog::level::info);
      break;
    case Level::Warn:
      spdlog::set_level(spdlog::level::warn);
      break;
    case Level::Error:
      spdlog::set_level(spdlog::level::err);
      break;
  }
}
void debug(const std::string& message) {
  spdlog::debug("{}", message);
}
void info(const std::string& message) {
  spdlog::info("{}", message);
}
void warn(const std::string& message) {
  spdlog::warn("{}", message);
}
void error(const std::string& message) {
  spdlog::error("{}", message);
}

void stage(const std::string& name, bool window) {
  spdlog::debug("{}", name);
  if (!window) return;
  static const long window_ms = [] {
    const char* e = std::getenv("DPG_WINDOW_MS");
    return e ? std::strtol(e, nullptr, 10) : 0L;
  }();
  if (window_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(window_ms));
}

}  // namespace dpg::log
