// SPDX-License-Identifier: MIT
#pragma once
/// @file Logging facade over spdlog.
///
/// Why a facade: LibTorch ships fmt 12 headers on its include path, while Debian's compiled spdlog
/// needs its own fmt 9. A translation unit cannot see both, so only core/log/log.cpp includes
/// spdlog, and everything that includes LibTorch logs through these functions.
#include <string>

namespace dpg::log {

enum class Level { Debug, Info, Warn, Error };

void set_level(Level level);
void debug(const std::string& message);
void info(const std::string& message);
void warn(const std::string& message);
void error(const std::string& message);

}  // namespace dpg::log
