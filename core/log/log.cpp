// SPDX-License-Identifier: MIT
#include "core/log/log.h"

#include <spdlog/spdlog.h>

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

}  // namespace dpg::log
